import type { RunningGateway } from '../gateway';
import { startCatalogueOverStandIns, type StandInRequest } from './harness/stand-in-shards';
import { waitFor } from './harness/wait';

/**
 * The catalogue pages the lists itself and asks each item's data of its owner: an owner that answers for its own
 * item as another member's (another ID, another institution) must not pass it off so, as in a fan-out, where the
 * hub drops such a shard's share. Each shard here is a stand-in on 127.0.0.1 serving the catalogue's reads and
 * the items' data.
 */
const HONEST = 'bbs-hannover.de';
const IMPOSTOR = 'rvt.lv';
const COUNTRY: Record<string, string> = { [HONEST]: 'DE', [IMPOSTOR]: 'LV' };
const unit = (localId: string) => ({
  localId,
  titles: [{ lang: 'en', value: `Welding ${localId}` }],
  eqfLevel: 4,
  ecvetPoints: 10,
  status: 'ACTIVE',
  assessmentCriteria: [],
  learningOutcomes: [],
  qualification: { localId: 'Q1' },
});
const UNITS: Record<string, string[]> = { [HONEST]: ['H1'], [IMPOSTOR]: ['U1', 'U2', 'U3'] };

interface Representation {
  __typename: string;
  id: string;
}

/** What each shard answers for one of its items: the impostor passes its items off as the honest member's. */
function entityOf(code: string, { __typename, id }: Representation): Record<string, unknown> {
  if (__typename === 'Institution')
    return code === IMPOSTOR
      ? { __typename, id: HONEST, name: `${HONEST} (answered by ${IMPOSTOR})` }
      : { __typename, id, name: code };
  const title = `Welding ${id}`;
  if (code !== IMPOSTOR) return { __typename, id, title, institution: { id: code } };
  if (id === `${IMPOSTOR}:U1`) return { __typename, id: `${HONEST}:H9`, title, institution: { id: code } };
  if (id === `${IMPOSTOR}:U2`) return { __typename, id, title, institution: { id: HONEST } };
  // Its own, as it is: it stays.
  return { __typename, id, title, institution: { id: code } };
}

let standIns: Awaited<ReturnType<typeof startCatalogueOverStandIns>>;
let gateway: RunningGateway;

/** What the stand-in of `code` answers: the catalogue's reads, and the items' data (`_entities`) as entityOf says. */
function answerOf(code: string) {
  return ({ query, variables }: StandInRequest) => {
    const page = (edges: unknown[]) => ({ page: { edges, pageInfo: { hasNextPage: false } } });
    // The hub's own name for the representations.
    const representations = (variables.__hubRepresentations ?? []) as Representation[];
    return query.includes('_entities')
      ? { _entities: representations.map((one) => entityOf(code, one)) }
      : query.includes('CatalogueInstitution')
        ? { institution: { id: code, country: COUNTRY[code] } }
        : query.includes('page: qualifications')
          ? page([])
          : page((UNITS[code] ?? []).map((localId) => ({ cursor: localId, node: unit(localId) })));
  };
}

beforeAll(async () => {
  standIns = await startCatalogueOverStandIns(
    [HONEST, IMPOSTOR].map((code) => ({ code, country: COUNTRY[code] as string, answer: answerOf(code) })),
  );
  gateway = standIns.gateway;
  await waitFor(
    'the catalogue holds both members',
    async () => {
      const response = await fetch(new URL('/health/ready', gateway.url));
      const body = (await response.json()) as { catalogue: { parts: Array<{ readAt: string | null }> } };
      return body.catalogue.parts.length === 2 && body.catalogue.parts.every((part) => part.readAt !== null);
    },
    20_000,
  );
}, 60_000);
afterAll(async () => standIns?.close());

interface Answer {
  data: Record<string, unknown> | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>;
}

async function query(text: string): Promise<Answer> {
  const response = await fetch(new URL('/graphql', gateway.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: text }),
  });
  return (await response.json()) as Answer;
}

test("an owner's answer that names another item or another member stands as failed in a catalogue page, named", async () => {
  const answer = await query('{ units(first: 10) { totalCount edges { node { id title institution { id } } } } }');
  const units = answer.data?.units as { totalCount: number; edges: Array<{ node: unknown }> };
  // The page keeps its size: the impostor's two items stand in their places, null.
  expect(units.totalCount).toBe(4);
  expect(units.edges.map((edge) => edge.node)).toEqual([
    { id: `${HONEST}:H1`, title: `Welding ${HONEST}:H1`, institution: { id: HONEST } },
    null,
    null,
    { id: `${IMPOSTOR}:U3`, title: `Welding ${IMPOSTOR}:U3`, institution: { id: IMPOSTOR } },
  ]);
  expect(answer.errors?.map((error) => ({ path: error.path, ...error.extensions }))).toEqual(
    [1, 2].map((index) =>
      expect.objectContaining({
        path: ['units', 'edges', index, 'node'],
        code: 'SHARD_UNAVAILABLE',
        cause: 'foreign-items',
        institution: IMPOSTOR,
        kind: 'qualifications',
        id: `${IMPOSTOR}:U${index}`,
      }),
    ),
  );
  expect(answer.errors?.[0]?.message).toBe(
    `The qualifications shard of ${IMPOSTOR} answered items that are not its own (another institution's ID or name, or no ID; a shard answers for its own only); its data is missing from this answer`,
  );
});

test("an institution's answer that names another member is left out of the catalogue's list of institutions", async () => {
  const answer = await query('{ institutions { id name } }');
  expect(answer.data?.institutions).toEqual([{ id: HONEST, name: HONEST }]);
  expect(answer.errors?.map((error) => ({ path: error.path, ...error.extensions }))).toEqual([
    expect.objectContaining({
      path: ['institutions'],
      code: 'SHARD_UNAVAILABLE',
      cause: 'foreign-items',
      institution: IMPOSTOR,
      kind: 'qualifications',
      id: IMPOSTOR,
    }),
  ]);
});
