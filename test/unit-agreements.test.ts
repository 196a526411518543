import { createDemoMobilities } from '../scripts/demo-mobilities';
import {
  agreementTerms,
  CREATE_LEARNING_AGREEMENT,
  rigaToAvilesAgreement,
} from '../scripts/fixtures/learning-agreements';
import { addDays, today } from '../subgraphs/mobilities/dates';
import { mobilitiesEntities, mobilitiesMigrations } from '../subgraphs/mobilities/entities';
import {
  AgreementUnitRecord,
  AgreementVersionRecord,
} from '../subgraphs/mobilities/learning-agreement/learning-agreement.entity';
import { openDatabase } from '../subgraphs/shared/database';
import { VersionStatus } from '../schema/mobility/enums';
import { testDatabases } from './harness/databases';
import { startTestHub, type TestHub } from './harness/hub';

/**
 * `Unit.learningAgreements` of a page of units: one statement at the unit owner's mobilities shard however many
 * units the page holds, each unit with the agreements whose binding version lists it, for parties only.
 */
let hub: TestHub;
const tokens = { rvt: '', cifp: '', omnia: '', learner1: '', learner2: '' };

/** The seed's points of the units used here: an agreement must agree them. */
const POINTS: Record<string, number> = {
  'rvt.lv:WELD-U1': 10,
  'rvt.lv:WELD-U2': 15,
  'rvt.lv:WELD-U3': 15,
  'rvt.lv:WELD-U4': 25,
};
const terms = (start: string, unitIds: string[]) =>
  agreementTerms(
    start,
    addDays(start, 30),
    unitIds.map((unitId) => [unitId, POINTS[unitId] ?? 10] as const),
  );

async function ok(query: string, variables: Record<string, unknown>, token: string): Promise<Record<string, unknown>> {
  const answer = await hub.request(query, variables, token);
  expect(answer.body.errors).toBeUndefined();
  return answer.body.data ?? {};
}

beforeAll(async () => {
  hub = await startTestHub({
    institutions: ['rvt.lv', 'cifp-aviles.es', 'omnia.fi'],
    shards: 'in-process',
    mobilities: true,
  });
  await createDemoMobilities(hub.url, false, hub.tokenSecret);
  tokens.rvt = await hub.token('rvt.lv', ['coordinator']);
  tokens.cifp = await hub.token('cifp-aviles.es', ['coordinator']);
  tokens.omnia = await hub.token('omnia.fi', ['coordinator']);
  tokens.learner1 = await hub.token('rvt.lv', ['learner'], 'rvt.lv:L-U1');
  tokens.learner2 = await hub.token('rvt.lv', ['learner'], 'rvt.lv:L-U2');
  // Besides the demo's LA-2026-001 (WELD-U4, WELD-U5, signed): two more agreements Riga sends.
  for (const [n, unitIds] of [
    [1, ['rvt.lv:WELD-U1', 'rvt.lv:WELD-U4']],
    [2, ['rvt.lv:WELD-U2']],
  ] as const) {
    const learner = {
      localId: `L-U${n}`,
      name: `Learner ${n}`,
      dateOfBirth: '2007-01-01',
      email: `learner${n}@example.lv`,
    };
    await ok(
      CREATE_LEARNING_AGREEMENT,
      { input: rigaToAvilesAgreement(`LA-UNITS-${n}`, learner, terms(addDays(today(), 30 + n), [...unitIds])) },
      tokens.rvt,
    );
  }
  // LA-UNITS-2 signed, then a change to WELD-U3 proposed: the pending version's units are not the binding ones.
  const sign =
    'mutation($id: ID!) { signLearningAgreement(id: $id, signature: { signerName: "x", signerPosition: "y" }) { status } }';
  for (const token of [tokens.rvt, tokens.cifp, tokens.learner2]) await ok(sign, { id: 'rvt.lv:LA-UNITS-2' }, token);
  const propose = `mutation($id: ID!, $terms: AgreementTermsInput!) { proposeLearningAgreementChange(id: $id, reason: "Unit 2 is full", terms: $terms,
    signature: { signerName: "x", signerPosition: "y" }) { pendingChange { number } } }`;
  await ok(propose, { id: 'rvt.lv:LA-UNITS-2', terms: terms(addDays(today(), 32), ['rvt.lv:WELD-U3']) }, tokens.rvt);
}, 120_000);
afterAll(async () => hub?.dispose());

const UNITS = `query($first: Int!) {
  units(filter: { institution: "rvt.lv" }, first: $first) { nodes { id learningAgreements { id } } }
}`;

/** Each unit's agreements as the caller sees them, and the statements the mobilities shard of rvt.lv ran for them. */
async function unitAgreements(
  first: number,
  token?: string,
): Promise<{ statements: number; byUnit: Record<string, string[]> }> {
  const db = hub.mobilityShards.get('rvt.lv')?.db;
  if (!db) throw new Error('no in-process mobilities shard for rvt.lv');
  const before = db.statements.count;
  const answer = await hub.request(UNITS, { first }, token);
  expect(answer.body.errors).toBeUndefined();
  const statements = db.statements.count - before;
  const nodes = (answer.body.data?.units as { nodes: Array<{ id: string; learningAgreements: Array<{ id: string }> }> })
    .nodes;
  expect(nodes).toHaveLength(first);
  return {
    statements,
    byUnit: Object.fromEntries(
      nodes.map((unit) => [unit.id, unit.learningAgreements.map((agreement) => agreement.id)]),
    ),
  };
}

const NONE = {
  'rvt.lv:WELD-U3': [],
  'rvt.lv:WELD-U6': [],
  'rvt.lv:ELEC-U1': [],
  'rvt.lv:ELEC-U2': [],
  'rvt.lv:ELEC-U3': [],
  'rvt.lv:ELEC-U4': [],
};

test('a page of 10 units costs the mobilities shard one statement, as a page of 1 does', async () => {
  const one = await unitAgreements(1, tokens.rvt);
  const ten = await unitAgreements(10, tokens.rvt);
  expect(one.statements).toBe(1);
  expect(ten.statements).toBe(1);
});

test('each unit lists the agreements whose binding version has it, in time order, for both institutions', async () => {
  for (const token of [tokens.rvt, tokens.cifp]) {
    expect((await unitAgreements(10, token)).byUnit).toEqual({
      ...NONE,
      'rvt.lv:WELD-U1': ['rvt.lv:LA-UNITS-1'],
      'rvt.lv:WELD-U2': ['rvt.lv:LA-UNITS-2'],
      'rvt.lv:WELD-U4': ['rvt.lv:LA-2026-001', 'rvt.lv:LA-UNITS-1'],
      'rvt.lv:WELD-U5': ['rvt.lv:LA-2026-001'],
    });
  }
});

test('a learner sees their own agreements only', async () => {
  expect((await unitAgreements(10, tokens.learner1)).byUnit).toEqual({
    ...NONE,
    'rvt.lv:WELD-U1': ['rvt.lv:LA-UNITS-1'],
    'rvt.lv:WELD-U2': [],
    'rvt.lv:WELD-U4': ['rvt.lv:LA-UNITS-1'],
    'rvt.lv:WELD-U5': [],
  });
});

test('a non-party sees none; an anonymous caller sees none and costs no statement', async () => {
  const empty = { ...NONE, 'rvt.lv:WELD-U1': [], 'rvt.lv:WELD-U2': [], 'rvt.lv:WELD-U4': [], 'rvt.lv:WELD-U5': [] };
  expect((await unitAgreements(10, tokens.omnia)).byUnit).toEqual(empty);
  const anonymous = await unitAgreements(10);
  expect(anonymous.byUnit).toEqual(empty);
  expect(anonymous.statements).toBe(0);
});

test('once the change is binding, its units list the agreement and the units it dropped do not', async () => {
  const approve =
    'mutation($id: ID!) { approveLearningAgreementChange(id: $id, signature: { signerName: "x", signerPosition: "y" }) { current { number } } }';
  for (const token of [tokens.cifp, tokens.learner2]) await ok(approve, { id: 'rvt.lv:LA-UNITS-2' }, token);
  const { byUnit } = await unitAgreements(10, tokens.rvt);
  expect(byUnit['rvt.lv:WELD-U2']).toEqual([]);
  expect(byUnit['rvt.lv:WELD-U3']).toEqual(['rvt.lv:LA-UNITS-2']);
});

test('the migration gives versions written before it their unit rows', async () => {
  const databases = testDatabases();
  const url = databases.url('agreement_units_backfill');
  const before = mobilitiesMigrations.filter((migration) => migration.name !== 'IndexAgreementUnits1763900000170');
  expect(before).toHaveLength(mobilitiesMigrations.length - 1);
  // More versions than one INSERT of the backfill takes: 2 units each, 400 rows.
  const versions = Array.from({ length: 200 }, (_, i) => ({
    agreementId: `LA-${Math.floor(i / 2)}`,
    number: (i % 2) + 1,
    unitIds: [`rvt.lv:U-${i}`, 'rvt.lv:WELD-U1'],
  }));
  try {
    const old = await openDatabase({ url, entities: mobilitiesEntities, migrations: before });
    try {
      for (let start = 0; start < versions.length; start += 50) {
        await old.dataSource.manager.insert(
          AgreementVersionRecord,
          versions.slice(start, start + 50).map(({ agreementId, number, unitIds }) => ({
            agreementId,
            number,
            status: VersionStatus.SIGNED,
            mobilityStart: '2026-01-01',
            mobilityEnd: '2026-02-01',
            content: {
              units: terms('2026-01-01', unitIds).units.map((unit) => ({ ...unit, learningOutcomeIds: [] })),
              qualityAssurance: 'Q',
              validationAndRecognition: 'V',
              documentation: 'D',
            },
            changeReason: null,
            createdAt: new Date(),
          })),
        );
      }
    } finally {
      await old.close();
    }
    const migrated = await openDatabase({ url, entities: mobilitiesEntities, migrations: mobilitiesMigrations });
    try {
      const rows = await migrated.dataSource.manager.find(AgreementUnitRecord);
      const expected = versions.flatMap(({ agreementId, number, unitIds }) =>
        unitIds.map((unitId) => `${agreementId} ${number} ${unitId}`),
      );
      expect(rows.map((row) => `${row.agreementId} ${row.versionNumber} ${row.unitId}`).sort()).toEqual(
        expected.sort(),
      );
      expect(await migrated.dataSource.manager.countBy(AgreementUnitRecord, { unitId: 'rvt.lv:WELD-U1' })).toBe(200);
    } finally {
      await migrated.close();
    }
  } finally {
    await databases.dispose();
  }
});

test("a page of agreements reads their partners' evaluations in one statement, for 1 agreement as for 3", async () => {
  const db = hub.mobilityShards.get('rvt.lv')?.db;
  if (!db) throw new Error('no in-process mobilities shard for rvt.lv');
  const statements = async (first: number, selection: string) => {
    const before = db.statements.count;
    const answer = await hub.request(
      `query($first: Int!) { learningAgreements(first: $first) { nodes { id ${selection} } } }`,
      { first },
      tokens.rvt,
    );
    expect(answer.body.errors).toBeUndefined();
    expect((answer.body.data?.learningAgreements as { nodes: unknown[] }).nodes).toHaveLength(first);
    return db.statements.count - before;
  };
  for (const first of [1, 3]) {
    const extra = (await statements(first, 'evaluations { institution wentAsAgreed }')) - (await statements(first, ''));
    expect({ first, extra }).toEqual({ first, extra: 1 });
  }
});
