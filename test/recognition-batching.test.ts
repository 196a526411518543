import { createDemoMobilities } from '../scripts/demo-mobilities';
import {
  agreementTerms,
  CREATE_LEARNING_AGREEMENT,
  rigaToAvilesAgreement,
} from '../scripts/fixtures/learning-agreements';
import { addDays, today } from '../subgraphs/mobilities/dates';
import { startTestHub, type TestHub } from './harness/hub';

/**
 * The fields the recognition kind adds to other kinds' entities (`Unit.recognitions`, `LearningAgreement.recognition`)
 * are read in batches: a page of units or agreements costs the recognition shard the same statements as one row.
 */
let hub: TestHub;
let coordinator: string;
beforeAll(async () => {
  hub = await startTestHub({
    institutions: ['rvt.lv', 'cifp-aviles.es'],
    mobilities: true,
    recognition: true,
    shards: 'in-process',
  });
  await createDemoMobilities(hub.url, true, hub.tokenSecret);
  coordinator = await hub.token('rvt.lv', ['coordinator']);
  // Three more agreements Riga sends, not yet validated: a page of four of its own.
  for (const n of [1, 2, 3]) {
    const learner = {
      localId: `L-BATCH-${n}`,
      name: `Learner ${n}`,
      dateOfBirth: '2007-01-01',
      email: `learner${n}@example.lv`,
    };
    const terms = agreementTerms(addDays(today(), 30), addDays(today(), 60), [['rvt.lv:WELD-U4', 25]]);
    const created = await hub.request(
      CREATE_LEARNING_AGREEMENT,
      { input: rigaToAvilesAgreement(`LA-BATCH-${n}`, learner, terms) },
      coordinator,
    );
    expect(created.body.errors).toBeUndefined();
  }
}, 120_000);
afterAll(async () => hub?.dispose());

/** Statements the recognition shard of rvt.lv ran while `query` was answered, and the answer's data. */
async function atRecognition(
  query: string,
  variables: Record<string, unknown>,
): Promise<{ statements: number; data: Record<string, unknown> }> {
  const db = hub.recognitionShards.get('rvt.lv')?.db;
  if (!db) throw new Error('no in-process recognition shard for rvt.lv');
  const before = db.statements.count;
  const answer = await hub.request(query, variables, coordinator);
  expect(answer.body.errors).toBeUndefined();
  return { statements: db.statements.count - before, data: answer.body.data ?? {} };
}

const UNITS = `query($first: Int!) {
  units(filter: { institution: "rvt.lv" }, first: $first) { nodes { id recognitions { decision unit { id } } } }
}`;

test('Unit.recognitions of a page of units: one statement at the recognition shard, for 1 unit as for 10', async () => {
  const one = await atRecognition(UNITS, { first: 1 });
  const ten = await atRecognition(UNITS, { first: 10 });
  const units = (
    ten.data.units as { nodes: Array<{ id: string; recognitions: Array<{ decision: string; unit: { id: string } }> }> }
  ).nodes;
  expect(units).toHaveLength(10);
  expect(one.statements).toBe(1);
  expect(ten.statements).toBe(1);
  // Each unit gets its own decisions: the demo's recognised transcript decided some of them.
  expect(units.some((unit) => unit.recognitions.length > 0)).toBe(true);
  for (const unit of units) for (const decision of unit.recognitions) expect(decision.unit.id).toBe(unit.id);
});

test('LearningAgreement.recognition of a page of agreements: the latest validations and the decisions, one statement each', async () => {
  const { statements, data } = await atRecognition(
    '{ learningAgreements { nodes { id status recognition { validation { consistent } decisions { decision } } } } }',
    {},
  );
  const agreements = (
    data.learningAgreements as { nodes: Array<{ id: string; recognition: { decisions: unknown[] } | null }> }
  ).nodes;
  expect(agreements.length).toBeGreaterThanOrEqual(4);
  // The demo's finished mobility is validated and recognised; the one waiting for signatures is not.
  expect(agreements.filter((agreement) => agreement.recognition !== null)).toHaveLength(1);
  expect(agreements.find((agreement) => agreement.recognition !== null)?.recognition?.decisions.length).toBeGreaterThan(
    0,
  );
  expect(statements).toBe(2);
});
