import { openDatabase, type Database } from '../../shared/database';
import { testDatabases, type TestDatabases } from '../../../test/harness/databases';
import { MemorandumStatus } from '../../../schema/mobility/enums';
import { mobilitiesEntities, mobilitiesMigrations } from '../entities';
import { MemorandumPartnerRecord, MemorandumRecord, MemorandumSignatureRecord } from './memorandum.entity';
import { statusCondition, statusOf } from './memorandum.service';

/**
 * The SQL filter `memoranda` pages with and `statusOf`, which the `status` field shows, must never disagree:
 * every status, on memoranda built at each branch's edges (an old hash signed, a non-partner's signature, the
 * last valid day, a blank termination reason), judged on several days. EXPIRED is covered here, on a day
 * after validUntil; the API test covers it through the hub too.
 */
let databases: TestDatabases;
let db: Database;
beforeAll(async () => {
  databases = testDatabases();
  db = await openDatabase({
    url: databases.url('memorandum_status'),
    entities: mobilitiesEntities,
    migrations: mobilitiesMigrations,
  });
});
afterAll(async () => {
  await db?.close();
  await databases?.dispose();
});

const HASH = 'a'.repeat(64);
const OLD_HASH = 'b'.repeat(64);

interface Case {
  id: string;
  partners: string[];
  /** Institutions that signed, each with the hash it signed. */
  signed: Array<[string, string]>;
  validUntil?: string;
  terminationReason?: string | null;
}

const cases: Case[] = [
  { id: 'unsigned', partners: ['a.lv', 'b.es'], signed: [] },
  {
    id: 'old-text-signed',
    partners: ['a.lv', 'b.es'],
    signed: [
      ['a.lv', OLD_HASH],
      ['b.es', OLD_HASH],
    ],
  },
  { id: 'one-of-two', partners: ['a.lv', 'b.es'], signed: [['a.lv', HASH]] },
  {
    id: 'one-current-one-old',
    partners: ['a.lv', 'b.es'],
    signed: [
      ['a.lv', HASH],
      ['b.es', OLD_HASH],
    ],
  },
  {
    id: 'two-of-three',
    partners: ['a.lv', 'b.es', 'c.fi'],
    signed: [
      ['a.lv', HASH],
      ['c.fi', HASH],
    ],
  },
  { id: 'non-partner-only', partners: ['a.lv', 'b.es'], signed: [['x.de', HASH]] },
  {
    id: 'non-partner-and-one',
    partners: ['a.lv', 'b.es'],
    signed: [
      ['x.de', HASH],
      ['b.es', HASH],
    ],
  },
  {
    id: 'non-partner-and-all',
    partners: ['a.lv', 'b.es'],
    signed: [
      ['x.de', HASH],
      ['a.lv', HASH],
      ['b.es', HASH],
    ],
  },
  {
    id: 'all-signed',
    partners: ['a.lv', 'b.es'],
    signed: [
      ['a.lv', HASH],
      ['b.es', HASH],
    ],
  },
  {
    id: 'all-of-three',
    partners: ['a.lv', 'b.es', 'c.fi'],
    signed: [
      ['a.lv', HASH],
      ['b.es', HASH],
      ['c.fi', HASH],
    ],
    validUntil: '2026-03-01',
  },
  {
    id: 'terminated-signed',
    partners: ['a.lv', 'b.es'],
    signed: [
      ['a.lv', HASH],
      ['b.es', HASH],
    ],
    terminationReason: 'Programme closed',
  },
  { id: 'terminated-draft', partners: ['a.lv', 'b.es'], signed: [], terminationReason: 'Withdrawn' },
  { id: 'terminated-blank', partners: ['a.lv', 'b.es'], signed: [['a.lv', HASH]], terminationReason: ' ' },
  {
    id: 'empty-reason',
    partners: ['a.lv', 'b.es'],
    signed: [
      ['a.lv', HASH],
      ['b.es', HASH],
    ],
    terminationReason: '',
  },
];

beforeAll(async () => {
  const manager = db.dataSource.manager;
  for (const c of cases) {
    await manager.insert(MemorandumRecord, {
      id: c.id,
      titles: [{ lang: 'en', value: c.id }],
      proposer: c.partners[0] as string,
      partners: c.partners,
      qualificationIds: [],
      unitIds: [`${c.partners[0]}:U1`],
      procedures: { assessment: 'A', documentation: 'D', validation: 'V', recognition: 'R' },
      validFrom: '2025-01-01',
      validUntil: c.validUntil ?? '2026-06-30',
      contentHash: HASH,
      terminationReason: c.terminationReason ?? null,
      sortKey: c.id,
      createdAt: new Date(),
    });
    await manager.insert(
      MemorandumPartnerRecord,
      c.partners.map((institution) => ({ memorandumId: c.id, institution })),
    );
    for (const [institution, contentHash] of c.signed) {
      await manager.insert(MemorandumSignatureRecord, {
        memorandumId: c.id,
        institution,
        signerName: 'N',
        signerPosition: 'P',
        signedAt: new Date(),
        contentHash,
      });
    }
  }
});

async function sqlIds(status: MemorandumStatus, on: string): Promise<string[]> {
  const condition = statusCondition(status, 'm', on);
  const rows = await db.dataSource.manager
    .createQueryBuilder(MemorandumRecord, 'm')
    .where(condition.where, condition.parameters)
    .getMany();
  return rows.map((row) => row.id).sort();
}

async function jsIds(status: MemorandumStatus, on: string): Promise<string[]> {
  const manager = db.dataSource.manager;
  const records = await manager.find(MemorandumRecord);
  const matching: string[] = [];
  for (const record of records) {
    if (statusOf(record, await manager.findBy(MemorandumSignatureRecord, { memorandumId: record.id }), on) === status)
      matching.push(record.id);
  }
  return matching.sort();
}

// Before the period, its last day, the day after, and past every case's validUntil.
const days = ['2024-12-31', '2026-03-01', '2026-03-02', '2026-06-30', '2026-07-01', '2030-01-01'];

test.each(Object.values(MemorandumStatus))(
  'the SQL condition for %s selects exactly what statusOf calls so, on every day',
  async (status) => {
    const seen = new Set<string>();
    for (const on of days) {
      const expected = await jsIds(status, on);
      expect(await sqlIds(status, on)).toEqual(expected);
      expected.forEach((id) => seen.add(id));
    }
    expect(seen.size).toBeGreaterThan(0);
  },
);

test('each memorandum has exactly one status on any day', async () => {
  for (const on of days) {
    const all = (await Promise.all(Object.values(MemorandumStatus).map((status) => sqlIds(status, on)))).flat().sort();
    expect(all).toEqual(cases.map((c) => c.id).sort());
  }
});
