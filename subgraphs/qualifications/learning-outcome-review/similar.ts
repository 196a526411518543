import type { LocalizedText } from '../../../schema';
import { pickText } from '../../../schema/localized-text';
import { entityId } from '../../../schema/ids';
import type { Database } from '../../shared/database';
import { LearningOutcomeRecord } from '../learning-outcome/learning-outcome.entity';
import { Bm25Index } from './bm25';
import type { SimilarLearningOutcome } from './review.types';
import { primaryLanguage } from './text';

export const DEFAULT_SIMILAR = 5;
export const MAX_SIMILAR = 20;

function textIn(statements: readonly LocalizedText[], lang: string): LocalizedText | null {
  const value = pickText(statements, lang);
  return statements.find((s) => s.value === value) ?? null;
}

/**
 * This shard's learning outcomes most like `statement`, compared in the statement's language (else English).
 * The index is built per request from the shard's outcomes: a shard holds hundreds, not millions, and an
 * index kept between requests would have to follow every unit write.
 */
export async function similarOutcomes(
  db: Database,
  institution: string,
  statement: string,
  lang: string,
  first: number,
): Promise<SimilarLearningOutcome[]> {
  const records = await db.dataSource.manager.find(LearningOutcomeRecord, {
    select: { id: true, unitId: true, statements: true },
  });
  const index = new Bm25Index();
  const chosen = new Map<string, { record: LearningOutcomeRecord; text: LocalizedText }>();
  for (const record of records) {
    const text = textIn(record.statements, lang);
    if (!text) continue;
    chosen.set(record.id, { record, text });
    index.add({ id: record.id, lang: primaryLanguage(text.lang), fields: [{ text: text.value, weight: 1 }] });
  }
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
