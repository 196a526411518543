import { createDemoCohort, createDemoMobilities } from '../../scripts/demo-mobilities';
import { startFaultyShard, startGatewayOver, type ExtraGateway, type FaultyShard } from '../faults';
import { startTestHub, type TestHub } from '../harness/hub';

/**
 * The recognition kind's fanned-out statistics base cells (decisions, ECVET points recognised, days to recognition):
 * a member's recognition shard answering them as another member's loses its share, and its institution is named
 * missing. Riga, the school that recognises its learners' units in the demo, reaches the hub through a stand-in that
 * makes its answers claim Avilés'; counted, they would give Avilés Riga's decisions and leave Riga with none.
 */
const IMPOSTOR = 'rvt.lv';
const VICTIM = 'cifp-aviles.es';
const AGENCY = { code: 'viaa.gov.lv', country: 'LV', countries: ['LV', 'ES', 'FI'] };
/** The measures the recognition shards' base cells make (RECOGNITION_RATE is derived from the decisions). */
const DECISION_MEASURES = new Set([
  'DECISIONS_RECOGNISED',
  'DECISIONS_PARTIALLY_RECOGNISED',
  'DECISIONS_REFUSED',
  'ECVET_POINTS_RECOGNISED',
  'DAYS_TO_RECOGNITION',
  'RECOGNITION_RATE',
]);
let hub: TestHub;
let impostor: FaultyShard;
let gateway: ExtraGateway;
const tokens = { hub: '', gateway: '' };

beforeAll(async () => {
  hub = await startTestHub({
    institutions: [IMPOSTOR, VICTIM, 'omnia.fi'],
    shards: 'in-process',
    mobilities: true,
    recognition: true,
    agencies: [AGENCY],
  });
  // Six learners recognised: decision cells large enough to be shown, not suppressed.
  await createDemoMobilities(hub.url, true, hub.tokenSecret);
  await createDemoCohort(hub.url, true, hub.tokenSecret);
  impostor = await startFaultyShard(hub.recognitionShards.get(IMPOSTOR)?.url ?? '', 'impersonate');
  impostor.impersonating = { own: IMPOSTOR, other: VICTIM };
  gateway = await startGatewayOver(
    hub,
    { [IMPOSTOR]: impostor.url },
    { rateLimit: false, entityCache: false, statistics: { cacheMs: 0 } },
    'recognition',
  );
  tokens.hub = await hub.token(AGENCY.code, ['agency']);
  tokens.gateway = await gateway.token(AGENCY.code, ['agency']);
}, 180_000);
afterAll(async () => {
  await gateway?.close();
  await impostor?.close();
  await hub?.dispose();
});

type Json = Record<string, unknown>;

const STATISTICS = `{ ecvetStatistics(groupBy: [INSTITUTION]) {
  cells { measure institution value learners suppressed } missingInstitutions institutions } }`;

interface Statistics {
  cells: Json[];
  missingInstitutions: string[];
  institutions: string[];
}

const isImpostorsDecision = (cell: Json) =>
  cell.institution === IMPOSTOR && DECISION_MEASURES.has(String(cell.measure));

test("recognition base cells claiming another member's institution: the impostor is missing, its decisions count nowhere", async () => {
  const honest = await hub.request(STATISTICS, undefined, tokens.hub);
  expect(honest.body.errors).toBeUndefined();
  const all = honest.body.data?.ecvetStatistics as Statistics;
  expect(all.missingInstitutions).toEqual([]);
  // Riga's decision figures are shown; Avilés has made no decision.
  const shown = all.cells.filter((cell) => isImpostorsDecision(cell) && !cell.suppressed).map((cell) => cell.measure);
  expect(shown).toEqual(
    expect.arrayContaining([
      'DECISIONS_RECOGNISED',
      'ECVET_POINTS_RECOGNISED',
      'DAYS_TO_RECOGNITION',
      'RECOGNITION_RATE',
    ]),
  );
  expect(
    all.cells.filter((cell) => cell.institution === VICTIM && DECISION_MEASURES.has(String(cell.measure))),
  ).toEqual([]);

  const calls = impostor.calls;
  const answer = await gateway.request(STATISTICS, undefined, tokens.gateway);
  expect(answer.status).toBe(200);
  expect(answer.body.errors).toBeUndefined();
  expect(impostor.calls).toBeGreaterThan(calls);
  const statistics = answer.body.data?.ecvetStatistics as Statistics;
  expect(statistics.missingInstitutions).toEqual([IMPOSTOR]);
  expect(statistics.institutions).toEqual(all.institutions);
  // Riga's mobilities shard answered honestly: its mobility figures stay; every other institution's are the hub's.
  const expected = all.cells.filter((cell) => !isImpostorsDecision(cell));
  expect(expected.some((cell) => cell.institution === IMPOSTOR)).toBe(true);
  expect(statistics.cells).toEqual(expected);
});

test('the same recognition shard answering honestly through the stand-in: the statistics are the hub’s, none missing', async () => {
  impostor.behaviour = 'pass';
  try {
    const calls = impostor.calls;
    const [expected, answer] = await Promise.all([
      hub.request(STATISTICS, undefined, tokens.hub),
      gateway.request(STATISTICS, undefined, tokens.gateway),
    ]);
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body).toEqual(expected.body);
    expect((answer.body.data?.ecvetStatistics as Statistics).missingInstitutions).toEqual([]);
    expect(impostor.calls).toBeGreaterThan(calls);
  } finally {
    impostor.behaviour = 'impersonate';
  }
});
