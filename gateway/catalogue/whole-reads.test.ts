import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { moduleLogger } from '../../platform/logger';
import { Registry } from '../registry/registry';
import { createCatalogue, type Catalogue } from './catalogue';
import { createSqliteEngine } from './sqlite-engine';

/**
 * The catalogue reads at most 4 institutions whole at a time (WHOLE_READS_AT_ONCE, settings.ts). Nine schools' qualifications shards
 * are one stand-in that serves no change feed (so the catalogue reads each part whole at once) and holds every read
 * of a school until the test lets that school answer, counting the schools whose reads are in flight.
 */
const SCHOOLS = Array.from({ length: 9 }, (_, index) => `school-${index + 1}.lv`);

type Json = Record<string, unknown>;

const qualification = (school: string): Json => ({
  localId: 'WELD',
  titles: [{ lang: 'en', value: `Welder at ${school}` }],
  descriptions: [],
  eqfLevel: 4,
  ecvetPoints: 120,
  iscedCode: '0715',
  escoOccupation: null,
  status: 'ACTIVE',
});
const unit = (school: string): Json => ({
  localId: 'WELD-U1',
  titles: [{ lang: 'en', value: `Fillet welds at ${school}` }],
  eqfLevel: 4,
  ecvetPoints: 10,
  status: 'ACTIVE',
  assessmentCriteria: [{ texts: [{ lang: 'en', value: 'Welds a fillet joint' }] }],
  learningOutcomes: [{ statements: [{ lang: 'en', value: 'Welds fillet joints' }], escoSkills: [] }],
  qualification: { localId: 'WELD' },
});

/** What a school's shard answers to one of the catalogue's reads (shard-reader.ts): its institution, one page each. */
function answerOf(school: string, query: string): Json {
  const page = (node: Json) => ({ page: { edges: [{ cursor: 'c1', node }], pageInfo: { hasNextPage: false } } });
  if (query.includes('CatalogueInstitution')) return { institution: { id: school, country: 'LV' } };
  return query.includes('page: qualifications') ? page(qualification(school)) : page(unit(school));
}

async function bodyOf(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Schools whose reads have reached the stand-in, in the order they did. */
const started: string[] = [];
/** Schools let answer: their held reads were answered, later ones are answered at once. */
const released = new Set<string>();
const held = new Map<string, Array<() => void>>();
let feedPolls = 0;
/** The most schools whose reads were in flight (started, not let answer) at one time. */
let mostInFlight = 0;
const inFlight = () => started.filter((school) => !released.has(school)).length;

function release(school: string): void {
  released.add(school);
  for (const answer of held.get(school) ?? []) answer();
  held.delete(school);
}

const server = createServer((request, response: ServerResponse) => {
  void (async () => {
    const body = await bodyOf(request);
    const path = request.url ?? '';
    if (request.method === 'GET' && path.startsWith('/changes')) {
      feedPolls += 1;
      response.writeHead(404).end();
      return;
    }
    const school = path.split('/')[1] ?? '';
    const { query } = JSON.parse(body) as { query: string };
    const answer = () =>
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ data: answerOf(school, query) }));
    if (!started.includes(school)) {
      started.push(school);
      mostInFlight = Math.max(mostInFlight, inFlight());
    }
    if (released.has(school)) answer();
    else held.set(school, [...(held.get(school) ?? []), answer]);
  })().catch(() => response.destroy());
});

let catalogue: Catalogue | undefined;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  for (const school of SCHOOLS) release(school);
  await catalogue?.stop?.();
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
});

async function until(what: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test('reads at most 4 institutions whole at a time, the others waiting their turn, until every one is current', async () => {
  const { port } = server.address() as AddressInfo;
  const registry = new Registry(
    SCHOOLS.map((code) => ({
      code,
      names: [{ lang: 'en', value: `Vocational school ${code}` }],
      country: 'LV',
      shards: { qualifications: `http://127.0.0.1:${port}/${code}/graphql` },
    })),
  );
  catalogue = createCatalogue({
    registry,
    hopKey: null,
    log: moduleLogger('catalogue-test'),
    engine: createSqliteEngine(),
    readTimeoutMs: 60_000,
    // Checked every second: every school's part is handed to the reads within a second of its feed's 404.
    unfollowedRefreshMs: 60_000,
  });
  await catalogue.start?.();

  await until('every feed is found missing and 4 reads are held', () => feedPolls >= SCHOOLS.length && inFlight() >= 4);
  // Past another check of the unread parts: all nine are asked for, and five wait while four reads are held.
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  expect(started).toHaveLength(4);
  expect(catalogue.health().institutions).toEqual({ current: 0, stale: 0, notRead: SCHOOLS.length });

  // Each read that ends lets one waiting school's start, never more.
  while (started.length < SCHOOLS.length) {
    const before = started.length;
    const oldest = started.find((school) => !released.has(school));
    if (oldest === undefined) throw new Error('no read in flight');
    release(oldest);
    await until(`a school's read follows the ${before}th`, () => started.length > before);
    expect(inFlight()).toBe(4);
  }
  for (const school of started) release(school);
  await until('every part is current', () => catalogue?.health().institutions.current === SCHOOLS.length);

  expect(mostInFlight).toBe(4);
  // SCHOOLS are in code order, as the engine lists them.
  expect([...started].sort()).toEqual(SCHOOLS);
  expect(await catalogue.engine.institutions()).toEqual(SCHOOLS);
});
