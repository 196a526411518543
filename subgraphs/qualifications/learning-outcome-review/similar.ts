import { MoreThan } from 'typeorm';
import type { LocalizedText } from '../../../schema';
import { pickText } from '../../../schema/localized-text';
import { entityId } from '../../../schema/ids';
import { PublicChangeRecord, PublicChangeSequenceRecord } from '../../shared/changes/change.entity';
import type { Database } from '../../shared/database';
import { LearningOutcomeRecord } from '../learning-outcome/learning-outcome.entity';
import { Bm25Index } from './bm25';
import type { SimilarLearningOutcome } from './review.types';
import { primaryLanguage } from './text';

export const DEFAULT_SIMILAR = 5;
export const MAX_SIMILAR = 20;
/** Indexes kept per shard, one per language asked in; the least recently asked goes first. */
const LANGUAGES_KEPT = 8;
/**
 * The change-feed tag every write of an institution, qualification, unit, outcome or outcome skill names (the
 * triggers of migration 1763900000040 write it), whoever wrote it: the outcomes' statements can have changed.
 */
const OUTCOMES_CHANGED = 'UnitList';

type Outcome = Pick<LearningOutcomeRecord, 'id' | 'unitId' | 'statements'>;

interface LanguageIndex {
  index: Bm25Index;
  chosen: Map<string, { record: Outcome; text: LocalizedText }>;
}

/** The shard's outcomes as of change `seq` of feed `feedId`, and the indexes built from them so far. */
interface Snapshot {
  feedId: string;
  seq: number;
  records: Outcome[];
  indexes: Map<string, LanguageIndex>;
}

/**
 * Per shard database, the latest snapshot or the one being read. Requests chain on it: each reads the feed's
 * counter after the one before, and a burst after a write reads the outcomes once.
 */
const snapshots = new WeakMap<Database, Promise<Snapshot | null>>();

const outcomeReads = new WeakMap<Database, number>();

/** How many times the shard's outcomes were read for similarity: the tests and the benchmark see the index kept. */
export const similarOutcomeReads = (db: Database): number => outcomeReads.get(db) ?? 0;

function textIn(statements: readonly LocalizedText[], lang: string): LocalizedText | null {
  const value = pickText(statements, lang);
  return statements.find((s) => s.value === value) ?? null;
}

async function feedPosition(db: Database): Promise<{ feedId: string; last: number } | null> {
  const counter = await db.dataSource.manager.findOne(PublicChangeSequenceRecord, { where: { id: 1 } });
  return counter ? { feedId: counter.feedId, last: counter.last } : null;
}

/**
 * Whether a snapshot at `seq` still holds: no change after it names the outcomes, and the feed still holds
 * every change after it (a pruned feed cannot tell, so the snapshot is read again).
 */
async function stillCurrent(db: Database, snapshot: Snapshot, position: { feedId: string; last: number }) {
  if (position.feedId !== snapshot.feedId || position.last < snapshot.seq) return false;
  if (position.last === snapshot.seq) return true;
  const manager = db.dataSource.manager;
  const oldest = await manager.find(PublicChangeRecord, { select: { seq: true }, order: { seq: 'ASC' }, take: 1 });
  if ((oldest[0]?.seq ?? Number.POSITIVE_INFINITY) > snapshot.seq + 1) return false;
  const changed = await manager
    .createQueryBuilder(PublicChangeRecord, 'change')
    .select('change.seq')
    .where({ seq: MoreThan(snapshot.seq) })
    .andWhere('change.seq <= :last', { last: position.last })
    .andWhere('change.tags LIKE :tag', { tag: `%${OUTCOMES_CHANGED}%` })
    .limit(1)
    .getOne();
  return changed === null;
}

/** The snapshot to answer from, and whether it may serve later requests (only with a feed to follow). */
async function readSnapshot(db: Database, previous: Snapshot | null): Promise<{ snapshot: Snapshot; keep: boolean }> {
  // The position first, the rows after: a write committed in between is in the rows and makes the next
  // request read again, never the other way round.
  const position = await feedPosition(db);
  if (previous && position && (await stillCurrent(db, previous, position))) {
    previous.seq = position.last;
    return { snapshot: previous, keep: true };
  }
  outcomeReads.set(db, similarOutcomeReads(db) + 1);
  const records = await db.dataSource.manager.find(LearningOutcomeRecord, {
    select: { id: true, unitId: true, statements: true },
    order: { id: 'ASC' },
  });
  const snapshot: Snapshot = { feedId: position?.feedId ?? '', seq: position?.last ?? 0, records, indexes: new Map() };
  return { snapshot, keep: position !== null };
}

/** The shard's outcomes, read again only when the change feed says units or outcomes changed. */
async function currentSnapshot(db: Database): Promise<Snapshot> {
  const before = snapshots.get(db);
  const reading = (async () => readSnapshot(db, before ? await before.catch(() => null) : null))();
  snapshots.set(
    db,
    reading.then(
      ({ snapshot, keep }) => (keep ? snapshot : null),
      () => null,
    ),
  );
  return (await reading).snapshot;
}

function indexIn(snapshot: Snapshot, lang: string): LanguageIndex {
  const key = lang.toLowerCase();
  const kept = snapshot.indexes.get(key);
  if (kept) {
    // Most recently asked last, so the first key is the one to drop.
    snapshot.indexes.delete(key);
    snapshot.indexes.set(key, kept);
    return kept;
  }
  const index = new Bm25Index();
  const chosen = new Map<string, { record: Outcome; text: LocalizedText }>();
  for (const record of snapshot.records) {
    const text = textIn(record.statements, lang);
    if (!text) continue;
    chosen.set(record.id, { record, text });
    index.add({ id: record.id, lang: primaryLanguage(text.lang), fields: [{ text: text.value, weight: 1 }] });
  }
  const built = { index, chosen };
  snapshot.indexes.set(key, built);
  if (snapshot.indexes.size > LANGUAGES_KEPT) {
    const oldest = snapshot.indexes.keys().next().value;
    if (oldest !== undefined) snapshot.indexes.delete(oldest);
  }
  return built;
}

/**
 * This shard's learning outcomes most like `statement`, compared in the statement's language (else English).
 * The index is kept between requests and built again when the shard's change feed (written by the database's
 * triggers, so also for writes past the shard) names a change to units or outcomes: each request reads the feed's
 * counter first, so the answer is never older than the last committed write.
 */
export async function similarOutcomes(
  db: Database,
  institution: string,
  statement: string,
  lang: string,
  first: number,
): Promise<SimilarLearningOutcome[]> {
  const { index, chosen } = indexIn(await currentSnapshot(db), lang);
  return index.search(statement, primaryLanguage(lang), first).flatMap((hit) => {
    const found = chosen.get(hit.id);
    if (!found) return [];
    return [
      {
        outcomeId: entityId(institution, found.record.id),
        unitId: entityId(institution, found.record.unitId),
        institution,
        statement: found.text.value,
        lang: found.text.lang,
        score: Math.round(hit.score * 1000) / 1000,
        matchedWords: hit.matched,
      },
    ];
  });
}
