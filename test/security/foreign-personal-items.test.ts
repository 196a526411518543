import { createDemoMobilities } from '../../scripts/demo-mobilities';
import {
  foreignItemsError,
  memoryLogger,
  startFaultyShard,
  startGatewayOver,
  type ExtraGateway,
  type FaultyShard,
} from '../faults';
import { startTestHub, type GraphQLAnswer, type TestHub } from '../harness/hub';

/**
 * The mobilities kind's fanned-out lists hold personal data (learning agreements, memoranda) and the base cells
 * of the agencies' statistics: a member's mobilities shard answering them with items claiming another member's
 * loses its whole share, named, and the other shards' items arrive as the hub gives them without it; so does one
 * answering statistics cells too costly to parse. Avilés' mobilities shard is reached through a stand-in that makes
 * its answers claim Riga's (or rewrites them); Riga's coordinator is a party to mobilities of both schools and a
 * partner of a memorandum in each school's shard.
 */
const IMPOSTOR = 'cifp-aviles.es';
const VICTIM = 'rvt.lv';
const AGENCY = { code: 'viaa.gov.lv', country: 'LV', countries: ['LV', 'ES', 'FI'] };
let hub: TestHub;
let impostor: FaultyShard;
let gateway: ExtraGateway;
const gatewayLogs = memoryLogger();
const tokens = { hub: '', gateway: '', hubAgency: '', gatewayAgency: '' };

beforeAll(async () => {
  hub = await startTestHub({
    institutions: [VICTIM, IMPOSTOR, 'omnia.fi'],
    shards: 'in-process',
    mobilities: true,
    recognition: true,
    agencies: [AGENCY],
  });
  await createDemoMobilities(hub.url, false, hub.tokenSecret);
  // The demo's memorandum is in Riga's shard; this one, proposed by Avilés, is in the impostor's.
  const proposed = await hub.request(
    'mutation($input: ProposeMemorandumInput!) { proposeMemorandum(input: $input) { id } }',
    {
      input: {
        localId: 'MOU-TOUR',
        titles: [{ lang: 'en', value: 'Hospitality exchange, Avilés and Riga' }],
        partners: [VICTIM],
        qualificationIds: [`${IMPOSTOR}:SOLCAL`],
        procedures: {
          assessment: 'By the host',
          documentation: 'Transcript of records',
          validation: 'By the sender',
          recognition: 'Full credit',
        },
        validFrom: '2025-01-01',
        validUntil: '2030-12-31',
      },
    },
    await hub.token(IMPOSTOR, ['coordinator']),
  );
  expect(proposed.body.errors).toBeUndefined();
  impostor = await startFaultyShard(hub.mobilityShards.get(IMPOSTOR)?.url ?? '', 'impersonate');
  impostor.impersonating = { own: IMPOSTOR, other: VICTIM };
  gateway = await startGatewayOver(
    hub,
    { [IMPOSTOR]: impostor.url },
    { rateLimit: false, entityCache: false, statistics: { cacheMs: 0 }, logger: gatewayLogs.logger },
    'mobilities',
  );
  tokens.hub = await hub.token(VICTIM, ['coordinator']);
  tokens.gateway = await gateway.token(VICTIM, ['coordinator']);
  tokens.hubAgency = await hub.token(AGENCY.code, ['agency']);
  tokens.gatewayAgency = await gateway.token(AGENCY.code, ['agency']);
}, 120_000);
afterAll(async () => {
  await gateway?.close();
  await impostor?.close();
  await hub?.dispose();
});

type Json = Record<string, unknown>;

/** The error an impostor's share costs, as for any fanned-out list. */
const foreignItems = foreignItemsError('mobilities', IMPOSTOR);

const isImpostors = (item: Json) => String(item.id).startsWith(`${IMPOSTOR}:`);
const nodesOf = (field: string) => (data: Json) => (data[field] as { nodes: Json[] }).nodes;

/** The hub's items over the honest shards, the impostor's left out: what the impostor's gateway must give. */
async function honestItems(query: string, list: (data: Json) => Json[]): Promise<Json[]> {
  const answer = await hub.request(query, undefined, tokens.hub);
  expect(answer.body.errors).toBeUndefined();
  const all = list(answer.body.data as Json);
  expect(all.some(isImpostors)).toBe(true);
  expect(all.some((item) => !isImpostors(item))).toBe(true);
  return all.filter((item) => !isImpostors(item));
}

async function expectShareDropped(query: string, list: (data: Json) => Json[]): Promise<GraphQLAnswer> {
  const expected = await honestItems(query, list);
  const answer = await gateway.request(query, undefined, tokens.gateway);
  expect(answer.status).toBe(200);
  expect(answer.body.errors).toEqual([foreignItems]);
  expect(list(answer.body.data as Json)).toEqual(expected);
  return answer;
}

test("learning agreements whose IDs claim another member's: the impostor's share is dropped, named", async () => {
  const answer = await expectShareDropped(
    '{ learningAgreements(first: 20) { totalCount nodes { id status sendingInstitutionId learner { name dateOfBirth } } } }',
    nodesOf('learningAgreements'),
  );
  const agreements = answer.body.data?.learningAgreements as { totalCount: number; nodes: Json[] };
  expect(agreements.totalCount).toBe(agreements.nodes.length);
  expect(impostor.calls).toBeGreaterThan(0);
});

test("memoranda whose IDs claim another member's: the impostor's share is dropped, named", async () => {
  const answer = await expectShareDropped(
    '{ memoranda(first: 20) { totalCount nodes { id status proposerId partnerIds } } }',
    nodesOf('memoranda'),
  );
  const memoranda = answer.body.data?.memoranda as { totalCount: number; nodes: Json[] };
  expect(memoranda.totalCount).toBe(memoranda.nodes.length);
});

test.each([
  [
    'learningAgreements',
    '{ learningAgreements(first: 20) { edges { node { id status learner { name } } } } }',
    '{ learningAgreements(first: 20) { edges { node { status learner { name } } } } }',
  ],
  [
    'memoranda',
    '{ memoranda(first: 20) { nodes { id status titles { value } } } }',
    '{ memoranda(first: 20) { nodes { status titles { value } } } }',
  ],
])(
  '%s without node IDs in the selection: the hub asks each node’s ID itself and drops the impostor’s share',
  async (field, withIds, withoutIds) => {
    // The hub's answer with IDs tells the impostor's items; the client's selection shows everything else.
    const nodeOf = (item: Json) => (item.node ?? item) as Json;
    const list = (data: Json) => {
      const connection = data[field] as { edges?: Json[]; nodes?: Json[] };
      return connection.edges ?? connection.nodes ?? [];
    };
    const honest = await hub.request(withIds, undefined, tokens.hub);
    expect(honest.body.errors).toBeUndefined();
    const all = list(honest.body.data as Json);
    expect(all.some((item) => isImpostors(nodeOf(item)))).toBe(true);
    const withoutId = (item: Json): Json => {
      const { id, ...shown } = nodeOf(item);
      return item.node ? { node: shown } : shown;
    };
    const expected = all.filter((item) => !isImpostors(nodeOf(item))).map(withoutId);
    expect(expected.length).toBeGreaterThan(0);

    const answer = await gateway.request(withoutIds, undefined, tokens.gateway);
    expect(answer.body.errors).toEqual([foreignItems]);
    expect(list(answer.body.data as Json)).toEqual(expected);
    expect(JSON.stringify(answer.body)).not.toContain('__hub');
    expect(impostor.queries.at(-1)).toContain('__hubNodes');
  },
);

const STATISTICS = `{ ecvetStatistics(groupBy: [INSTITUTION]) {
  cells { measure institution value learners suppressed } missingInstitutions institutions } }`;

interface Statistics {
  cells: Json[];
  missingInstitutions: string[];
  institutions: string[];
}

test("statistics base cells claiming another member's institution: the impostor is missing, its cells count nowhere", async () => {
  const honest = await hub.request(STATISTICS, undefined, tokens.hubAgency);
  expect(honest.body.errors).toBeUndefined();
  const all = honest.body.data?.ecvetStatistics as Statistics;
  expect(all.missingInstitutions).toEqual([]);
  expect(all.cells.some((cell) => cell.institution === IMPOSTOR)).toBe(true);

  const answer = await gateway.request(STATISTICS, undefined, tokens.gatewayAgency);
  expect(answer.status).toBe(200);
  expect(answer.body.errors).toBeUndefined();
  const statistics = answer.body.data?.ecvetStatistics as Statistics;
  expect(statistics.missingInstitutions).toEqual([IMPOSTOR]);
  expect(statistics.institutions).toEqual(all.institutions);
  // Counted as Riga's, the impostor's memorandum would add a MEMORANDA_DRAFT cell to Riga's figures.
  expect(statistics.cells).toEqual(all.cells.filter((cell) => cell.institution !== IMPOSTOR));
});

test('statistics base cells too costly to parse (objects each under a key of its own): the member is missing, named, the rest counted', async () => {
  // Each batch the impostor's shard answers becomes 100,000 small objects under keys of their own, its count kept.
  const costly = JSON.stringify(Array.from({ length: 100_000 }, (_, i) => ({ [`k${i}`]: 0 })));
  const costlyBatches = (data: unknown) =>
    Object.fromEntries(
      Object.entries(data as Record<string, Array<{ cells: string }> | null>).map(([field, batches]) => [
        field,
        batches?.map((batch) => ({ ...batch, cells: costly })) ?? null,
      ]),
    );
  const honest = await hub.request(STATISTICS, undefined, tokens.hubAgency);
  const all = honest.body.data?.ecvetStatistics as Statistics;
  impostor.behaviour = 'rewrite';
  impostor.rewrite = costlyBatches;
  const logged = gatewayLogs.lines().length;
  try {
    const answer = await gateway.request(STATISTICS, undefined, tokens.gatewayAgency);
    expect(answer.status).toBe(200);
    const statistics = answer.body.data?.ecvetStatistics as Statistics;
    expect(statistics.missingInstitutions).toEqual([IMPOSTOR]);
    expect(statistics.cells).toEqual(all.cells.filter((cell) => cell.institution !== IMPOSTOR));
    // As for an impostor's cells: the member is named missing, not reported as an error (batch.test.ts checks the rule
    // and its message; here, that the hub answers the rest unharmed and tells its operators why).
    expect(answer.body.errors).toBeUndefined();
    const refusals = gatewayLogs
      .lines()
      .slice(logged)
      .filter((line) => line.component === 'statistics');
    expect(refusals.length).toBeGreaterThan(0);
    for (const line of refusals) {
      expect(line).toMatchObject({ level: 40, institution: IMPOSTOR });
      expect(line.reason).toMatch(/^cifp-aviles\.es: its statistics base cells hold objects: 100000, keys: 100000; /);
    }
  } finally {
    impostor.behaviour = 'impersonate';
    impostor.rewrite = null;
  }
});

test('the same shard answering honestly through the stand-in: every answer is the hub’s, without errors', async () => {
  impostor.behaviour = 'pass';
  try {
    for (const [query, hubToken, gatewayToken] of [
      [
        '{ learningAgreements(first: 20) { totalCount edges { cursor node { id status learner { name } } } pageInfo { hasNextPage endCursor } } }',
        tokens.hub,
        tokens.gateway,
      ],
      [
        '{ memoranda(first: 20) { totalCount edges { cursor node { status proposerId } } pageInfo { hasNextPage endCursor } } }',
        tokens.hub,
        tokens.gateway,
      ],
      [STATISTICS, tokens.hubAgency, tokens.gatewayAgency],
    ] as const) {
      const [expected, answer] = await Promise.all([
        hub.request(query, undefined, hubToken),
        gateway.request(query, undefined, gatewayToken),
      ]);
      expect(answer.body).toEqual(expected.body);
      expect(answer.body.errors).toBeUndefined();
    }
  } finally {
    impostor.behaviour = 'impersonate';
  }
});
