import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startGateway } from '../gateway';
import { createDemoMobilities } from '../scripts/demo-mobilities';
import { mintDemoToken } from '../scripts/token';
import { PublicChangeSequenceRecord } from '../subgraphs/shared/changes/change.entity';
import { UnitRecord } from '../subgraphs/qualifications/unit/unit.entity';
import { feedsCurrent, renameUnitAtShard } from './harness/cache';
import { postGraphQL, ROOT, startTestHub, type GraphQLAnswer, type TestHub } from './harness/hub';
import { seedUnits } from './seeds';

/**
 * The entity cache through the hub's endpoint, shards in-process: hits, read-your-writes, changes made at a
 * shard directly, operator flushes, and personal data never served across callers.
 */
let hub: TestHub;
const tokenSecret = randomBytes(24).toString('base64url');
beforeAll(async () => {
  hub = await startTestHub({
    institutions: ['rvt.lv', 'cifp-aviles.es'],
    shards: 'in-process',
    mobilities: true,
    gateway: { demoTokenSecret: tokenSecret, entityCache: { operatorToken: 'operator-token-for-tests' } },
  });
  await createDemoMobilities(hub.url, false, tokenSecret);
  await feedsCurrent(hub.gateway);
});
const token = (institution: string, roles: string[], learnerId?: string) =>
  mintDemoToken({ institution, roles, learnerId, secret: tokenSecret });
afterAll(async () => hub?.dispose());

const rvtUnit = () => seedUnits(['rvt.lv'])[0]?.id as string;
const READ =
  'query($id: ID!) { unit(id: $id) { id title ecvetPoints learningOutcomes { id statement } qualification { id title } } }';
const UPDATE =
  'mutation($id: ID!, $title: String!) { updateUnit(id: $id, input: { titles: [{ lang: "en", value: $title }] }) { id title } }';

async function read(
  url: string,
  id = rvtUnit(),
): Promise<{ answer: GraphQLAnswer; cache: string | null; cacheControl: string | null }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: READ, variables: { id } }),
  });
  return {
    answer: { status: response.status, body: (await response.json()) as GraphQLAnswer['body'] },
    cache: response.headers.get('x-hub-cache'),
    cacheControl: response.headers.get('cache-control'),
  };
}

const titleOf = (answer: GraphQLAnswer) => (answer.body.data?.unit as { title?: string } | null | undefined)?.title;

test('a second read of a public unit is answered from the cache, identical, with a public Cache-Control hint', async () => {
  await hub.gateway.entityCache?.flush('rvt.lv', 'flush');
  const first = await read(hub.url);
  const second = await read(hub.url);
  expect(first.cache).toBe('miss');
  expect(second.cache).toBe('hit');
  expect(second.cacheControl).toBe('public, max-age=0');
  expect(second.answer.body).toEqual(first.answer.body);
  expect(first.answer.body.errors).toBeUndefined();
});

test('a write through the hub is seen by the very next read (the mutation invalidates before it answers)', async () => {
  const coordinator = await token('rvt.lv', ['coordinator']);
  for (let round = 1; round <= 5; round += 1) {
    await read(hub.url);
    const title = `Cached welding, revision ${round}`;
    const written = await hub.request(UPDATE, { id: rvtUnit(), title }, coordinator);
    expect(written.body.errors).toBeUndefined();
    const after = await read(hub.url);
    expect(titleOf(after.answer)).toBe(title);
  }
});

test("a change to a record an answer read on the way (the unit's qualification) drops that answer too", async () => {
  const coordinator = await token('rvt.lv', ['coordinator']);
  const qualificationId = (seedUnits(['rvt.lv'])[0] as { qualificationId: string }).qualificationId;
  await read(hub.url);
  expect((await read(hub.url)).cache).toBe('hit');
  const title = `Welder, renamed ${Date.now()}`;
  const renamed = await hub.request(
    'mutation($id: ID!, $title: String!) { updateQualification(id: $id, input: { titles: [{ lang: "en", value: $title }] }) { id } }',
    { id: qualificationId, title },
    coordinator,
  );
  expect(renamed.body.errors).toBeUndefined();
  const after = await read(hub.url);
  expect((after.answer.body.data?.unit as { qualification: { title: string } }).qualification.title).toBe(title);
});

test('a change made at the shard directly reaches the cache through its change feed within a second', async () => {
  await read(hub.url);
  expect((await read(hub.url)).cache).toBe('hit');
  const title = `Changed at the shard itself ${Date.now()}`;
  await renameUnitAtShard(hub, rvtUnit(), title);
  const written = performance.now();
  let seenAfterMs = Number.POSITIVE_INFINITY;
  while (performance.now() - written < 3_000) {
    if (titleOf((await read(hub.url)).answer) === title) {
      seenAfterMs = performance.now() - written;
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  expect(seenAfterMs).toBeLessThan(1_000);
});

test('a qualification and a unit asked for before they exist are answered once they are created', async () => {
  const coordinator = await token('rvt.lv', ['coordinator']);
  const qualificationQuery = 'query($id: ID!) { qualification(id: $id) { id title units { id } } }';
  const readQualification = () => postGraphQL(hub.url, qualificationQuery, { id: 'rvt.lv:CACHE-Q' });
  const unitId = 'rvt.lv:CACHE-NEW-1';
  expect((await readQualification()).body.data).toEqual({ qualification: null });
  expect((await read(hub.url, unitId)).answer.body.data).toEqual({ unit: null });
  expect((await read(hub.url, unitId)).cache).toBe('hit');
  // The same ID in other letters: MySQL/MariaDB find the row without regard to case, the shard answers only the exact
  // ID, and the hub answers as the shard does.
  const otherCase = unitId.replace('CACHE-NEW', 'cache-new');
  expect((await read(hub.url, otherCase)).answer.body.data).toEqual({ unit: null });

  const qualification = await hub.request(
    'mutation($input: CreateQualificationInput!) { createQualification(input: $input) { id } }',
    {
      input: {
        localId: 'CACHE-Q',
        titles: [{ lang: 'en', value: 'Cache keeper' }],
        descriptions: [{ lang: 'en', value: 'Keeps answers fresh' }],
        eqfLevel: 4,
        iscedCode: '0715',
        ecvetPoints: 60,
      },
    },
    coordinator,
  );
  expect(qualification.body.errors).toBeUndefined();
  expect((await readQualification()).body.data).toEqual({
    qualification: { id: 'rvt.lv:CACHE-Q', title: 'Cache keeper', units: [] },
  });

  const unit = await hub.request(
    'mutation($input: CreateUnitInput!) { createUnit(input: $input) { id } }',
    {
      input: {
        qualificationId: 'rvt.lv:CACHE-Q',
        localId: 'CACHE-NEW-1',
        titles: [{ lang: 'en', value: 'A unit created after it was asked for' }],
        eqfLevel: 4,
        ecvetPoints: 10,
        validFrom: '2026-01-01',
        assessmentCriteria: [],
        learningOutcomes: [
          { category: 'KNOWLEDGE', statements: [{ lang: 'en', value: 'Knows what the cache forgot' }], escoSkills: [] },
        ],
      },
    },
    coordinator,
  );
  expect(unit.body.errors).toBeUndefined();
  expect(titleOf((await read(hub.url, unitId)).answer)).toBe('A unit created after it was asked for');
  const shardAnswer = await postGraphQL(hub.shards.get('rvt.lv')?.url ?? '', READ, { id: otherCase });
  expect((await read(hub.url, otherCase)).answer.body.data).toEqual(shardAnswer.body.data);
  // The qualification's list of units changed with it.
  expect((await readQualification()).body.data).toEqual({
    qualification: { id: 'rvt.lv:CACHE-Q', title: 'Cache keeper', units: [{ id: unitId }] },
  });
});

test("each shard's page of a search is cached, and a write that changes what the search finds is seen at once", async () => {
  const search = async () => {
    const response = await fetch(hub.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: '{ units(filter: { text: "fresh-search-marker" }, first: 10) { totalCount nodes { id title } } }',
      }),
    });
    const body = (await response.json()) as GraphQLAnswer['body'];
    return {
      units: body.data?.units as { totalCount: number; nodes: Array<{ id: string; title: string }> },
      cache: response.headers.get('x-hub-cache'),
    };
  };
  expect((await search()).units.totalCount).toBe(0);
  expect((await search()).cache).toBe('hit');
  const coordinator = await token('rvt.lv', ['coordinator']);
  const renamed = await hub.request(
    UPDATE,
    { id: rvtUnit(), title: 'Welding, fresh-search-marker edition' },
    coordinator,
  );
  expect(renamed.body.errors).toBeUndefined();
  expect((await search()).units).toEqual({
    totalCount: 1,
    nodes: [{ id: rvtUnit(), title: 'Welding, fresh-search-marker edition' }],
  });
  expect((await search()).cache).toBe('hit');
  await hub.request(UPDATE, { id: rvtUnit(), title: 'Welding without the marker' }, coordinator);
  expect((await search()).units.totalCount).toBe(0);
});

test('a unit write that gives a qualification a skill is seen by a cached qualification search on that skill', async () => {
  const skill = 'http://data.europa.eu/esco/skill/0e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b';
  const search = async () => {
    const response = await fetch(hub.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: `{ qualifications(filter: { escoSkill: "${skill}" }, first: 10) { totalCount } }`,
      }),
    });
    const body = (await response.json()) as GraphQLAnswer['body'];
    return {
      count: (body.data?.qualifications as { totalCount: number }).totalCount,
      cache: response.headers.get('x-hub-cache'),
    };
  };
  expect(await search()).toEqual({ count: 0, cache: 'miss' });
  expect(await search()).toEqual({ count: 0, cache: 'hit' });
  const written = await hub.request(
    `mutation($id: ID!) { updateUnit(id: $id, input: { learningOutcomes: [{ category: SKILLS, statements: [{ lang: "en", value: "Welds." }], escoSkills: ["${skill}"] }] }) { id } }`,
    { id: rvtUnit() },
    await token('rvt.lv', ['coordinator']),
  );
  expect(written.body.errors).toBeUndefined();
  expect((await search()).count).toBe(1);
});

test('a shard whose database was replaced (another feed history) costs its entries at once', async () => {
  await read(hub.url);
  expect((await read(hub.url)).cache).toBe('hit');
  // A restore from backup: other data, and a feed with another history, seen together (the other data's own
  // change row alone would drop the entry without the history's change).
  const db = hub.shards.get('rvt.lv')?.db;
  if (!db) throw new Error('in-process shard expected');
  const title = `Restored from a backup ${Date.now()}`;
  const unit = await db.dataSource.manager.findOneByOrFail(UnitRecord, { id: rvtUnit().split(':')[1] as string });
  await db.dataSource.transaction(async (manager) => {
    await manager.update(UnitRecord, { id: unit.id }, { titles: [{ lang: 'en', value: title }] });
    await manager.update(PublicChangeSequenceRecord, { id: 1 }, { feedId: `restored-${Date.now()}` });
  });
  const written = performance.now();
  while (titleOf((await read(hub.url)).answer) !== title) {
    if (performance.now() - written > 3_000) throw new Error('the cache kept answering from the replaced database');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const metrics = await (await fetch(new URL('/metrics', hub.url))).text();
  expect(metrics).toMatch(/hub_entity_cache_invalidations_total\{source="gap"\} [1-9]/);
});

test('an answer with a failed part is private, even when every part asked for public data', async () => {
  const query = `{ found: unit(id: "${rvtUnit()}") { id } missing: unit(id: "nowhere.example:X") { id } }`;
  const response = await fetch(hub.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });
  const body = (await response.json()) as GraphQLAnswer['body'];
  expect(body.data?.found).toEqual({ id: rvtUnit() });
  expect(body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  expect(response.headers.get('cache-control')).toBe('private, no-store');
});

test('/health/ready says, for each shard with public data, whether the cache follows its change feed', async () => {
  const ready = (await (await fetch(new URL('/health/ready', hub.url))).json()) as {
    shards: Array<{ institution: string; kind: string; cacheFeed?: string }>;
  };
  expect(ready.shards.filter((shard) => shard.kind === 'qualifications').map((shard) => shard.cacheFeed)).toEqual([
    'current',
    'current',
  ]);
  expect(
    ready.shards.filter((shard) => shard.kind === 'mobilities').every((shard) => shard.cacheFeed === undefined),
  ).toBe(true);
});

test('an operator flushes one institution; without the operator token the route refuses', async () => {
  await read(hub.url);
  const flushUrl = new URL('/cache/flush?institution=rvt.lv', hub.url);
  expect((await fetch(flushUrl, { method: 'POST' })).status).toBe(403);
  const flushed = await fetch(flushUrl, {
    method: 'POST',
    headers: { authorization: 'Bearer operator-token-for-tests' },
  });
  expect(flushed.status).toBe(200);
  expect(((await flushed.json()) as { dropped: number }).dropped).toBeGreaterThan(0);
  expect((await read(hub.url)).cache).toBe('miss');
});

test('answers that depend on the caller are never cached: a second caller without rights gets FORBIDDEN or nothing', async () => {
  const trail = `{ qualificationsAuditTrail(institution: "rvt.lv", first: 2) { edges { node { action } } } }`;
  const owner = await token('rvt.lv', ['coordinator']);
  const stranger = await token('cifp-aviles.es', ['coordinator']);
  const allowed = await fetch(hub.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${owner}` },
    body: JSON.stringify({ query: trail }),
  });
  expect(((await allowed.json()) as GraphQLAnswer['body']).errors).toBeUndefined();
  expect(allowed.headers.get('cache-control')).toBe('private, no-store');
  const refused = await hub.request(trail, {}, stranger);
  expect(refused.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

  // A learning agreement (personal data) read by its sending coordinator, then by a learner it is not about.
  const list = await hub.request('{ learningAgreements(first: 1) { edges { node { id } } } }', {}, owner);
  const id = (list.body.data?.learningAgreements as { edges: Array<{ node: { id: string } }> } | undefined)?.edges[0]
    ?.node.id;
  if (!id) throw new Error(`no demo agreement: ${JSON.stringify(list.body.errors)}`);
  const query = 'query($id: ID!) { learningAgreement(id: $id) { id learner { id } } }';
  const party = await fetch(hub.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${owner}` },
    body: JSON.stringify({ query, variables: { id } }),
  });
  expect(((await party.json()) as GraphQLAnswer['body']).errors).toBeUndefined();
  expect(party.headers.get('cache-control')).toBe('private, no-store');
  const outsider = await hub.request(query, { id }, await token('rvt.lv', ['learner'], 'rvt.lv:someone-else'));
  expect(outsider.body).toEqual({ data: { learningAgreement: null } });
});

test('a second gateway without the cache reads the same data (the cache changes speed, not answers)', async () => {
  const plain = await startGateway({
    supergraphSdl: readFileSync(join(ROOT, 'schema', 'supergraph.graphql'), 'utf8'),
    registry: hub.gateway.registry,
    hopKey: hub.hopKeys.key,
    demoTokenSecret: tokenSecret,
    entityCache: false,
    port: 0,
  });
  try {
    const cached = await read(hub.url);
    const direct = await postGraphQL(plain.url, READ, { id: rvtUnit() });
    expect(direct.body).toEqual(cached.answer.body);
  } finally {
    await plain.close();
  }
});
