import { type CountRow } from '../../shared/statistics';
import type { MobilitiesContext } from '../context';
import { MemorandumRecord, MemorandumSignatureRecord } from '../memorandum/memorandum.entity';
import { statusOf } from '../memorandum/memorandum.service';

/** What counting reads of a request's context: the shard's database and institution (the bench counts with these alone). */
type CountingContext = Pick<MobilitiesContext, 'db' | 'institution'>;
interface GroupRow {
  kind: string;
  partner: string | null;
  month: string;
  value: number | string;
  learners: number | string;
}

/**
 * The shard's own counts at the base grain (measure, host, month), each with its distinct learners: agreements by
 * the mobility's start, assessments by their date, current transcripts by issue. One GROUP BY per measure family.
 */
export async function mobilityCounts(context: CountingContext): Promise<CountRow[]> {
  const manager = context.db.dataSource.manager;
  const grouped = async (prefix: string, sql: string): Promise<CountRow[]> =>
    (await manager.query<GroupRow[]>(sql)).map((row) => ({
      measure: `${prefix}${row.kind}`,
      partner: row.partner,
      month: row.month,
      value: row.value,
      learners: row.learners,
    }));
  const [agreements, agreedUnits, units, transcripts] = await Promise.all([
    grouped(
      'AGREEMENTS_',
      `SELECT a.status AS kind, a.hostingInstitution AS partner, SUBSTR(v.mobilityStart, 1, 7) AS month,
              COUNT(*) AS value, COUNT(DISTINCT a.learnerId) AS learners
         FROM learning_agreement a JOIN agreement_version v ON v.agreementId = a.id AND v.number = a.currentVersion
        GROUP BY a.status, a.hostingInstitution, SUBSTR(v.mobilityStart, 1, 7)`,
    ),
    agreedUnitCounts(context),
    grouped(
      'UNITS_',
      `SELECT s.result AS kind, a.hostingInstitution AS partner, SUBSTR(s.assessedOn, 1, 7) AS month,
              COUNT(*) AS value, COUNT(DISTINCT a.learnerId) AS learners
         FROM assessment s JOIN learning_agreement a ON a.id = s.agreementId
        GROUP BY s.result, a.hostingInstitution, SUBSTR(s.assessedOn, 1, 7)`,
    ),
    grouped(
      'TRANSCRIPTS_',
      `SELECT 'ISSUED' AS kind, a.hostingInstitution AS partner, SUBSTR(t.issuedAt, 1, 7) AS month,
              COUNT(*) AS value, COUNT(DISTINCT a.learnerId) AS learners
         FROM transcript t JOIN learning_agreement a ON a.id = t.agreementId
        WHERE t.\`current\` = 1
        GROUP BY a.hostingInstitution, SUBSTR(t.issuedAt, 1, 7)`,
    ),
  ]);
  return [...(await memorandumCounts(context)), ...agreements, ...agreedUnits, ...units, ...transcripts];
}

interface AgreedUnitRow {
  unit: string;
  partner: string;
  month: string;
  value: number | string;
  learners: number | string;
}

/**
 * The units of learning agreements not cancelled (their current version), one base cell per unit, host and month of
 * the mobility's start: the shard keeps unit IDs only, so the hub, which knows every member's public units, groups
 * them by ISCED-F field and EQF level. No learner leaves the shard: the cell carries a public unit ID and counts.
 */
async function agreedUnitCounts(context: CountingContext): Promise<CountRow[]> {
  const rows = await context.db.dataSource.manager.query<AgreedUnitRow[]>(
    `SELECT u.unitId AS unit, a.hostingInstitution AS partner, SUBSTR(v.mobilityStart, 1, 7) AS month,
            COUNT(DISTINCT a.id) AS value, COUNT(DISTINCT a.learnerId) AS learners
       FROM learning_agreement a
       JOIN agreement_version v ON v.agreementId = a.id AND v.number = a.currentVersion
       JOIN agreement_unit u ON u.agreementId = a.id AND u.versionNumber = a.currentVersion
      WHERE a.status <> 'CANCELLED'
      GROUP BY u.unitId, a.hostingInstitution, SUBSTR(v.mobilityStart, 1, 7)`,
  );
  return rows.map((row) => ({ measure: 'AGREED_UNITS', ...row }));
}

/** Memoranda the institution proposed, by status (computed as everywhere else) and the month they take effect. */
async function memorandumCounts(context: CountingContext): Promise<CountRow[]> {
  const manager = context.db.dataSource.manager;
  const [memoranda, signatures] = await Promise.all([
    manager.findBy(MemorandumRecord, { proposer: context.institution }),
    manager.find(MemorandumSignatureRecord),
  ]);
  const signaturesOf = new Map<string, MemorandumSignatureRecord[]>();
  for (const signature of signatures)
    signaturesOf.set(signature.memorandumId, [...(signaturesOf.get(signature.memorandumId) ?? []), signature]);
  const counts = new Map<string, CountRow>();
  for (const memorandum of memoranda) {
    const measure = `MEMORANDA_${statusOf(memorandum, signaturesOf.get(memorandum.id) ?? [])}`;
    const month = memorandum.validFrom.slice(0, 7);
    const key = `${measure} ${month}`;
    const row = counts.get(key) ?? { measure, partner: null, month, value: 0, learners: null };
    row.value = Number(row.value) + 1;
    counts.set(key, row);
  }
  return [...counts.values()];
}
