import type { RunningGateway } from '../gateway';
import { startCatalogueOverStandIns, type StandInRequest } from './harness/stand-in-shards';
import { waitFor } from './harness/wait';

/**
 * A member's shard is hostile by assumption, to the catalogue's reads too: one that pages without end, or answers
 * items of the wrong shape (a level that is no EQF level, an occupation that is no ESCO URI), fails the read of
 * its own institution, which /health/ready's catalogue entry shows as not read, with the rule broken; the hub
 * stays ready. Each shard here is a stand-in on 127.0.0.1.
 */
const LOOPING = 'rvt.lv';
const MALFORMED = 'omnia.fi';
const NOT_ESCO = 'cifp.es';
const COUNTRY: Record<string, string> = { [LOOPING]: 'LV', [MALFORMED]: 'FI', [NOT_ESCO]: 'ES' };
const unit = (localId: string, eqfLevel: unknown) => ({
  localId,
  titles: [{ lang: 'en', value: `Unit ${localId}` }],
  eqfLevel,
  ecvetPoints: 10,
  status: 'ACTIVE',
  assessmentCriteria: [],
  learningOutcomes: [],
  qualification: { localId: 'Q1' },
});
const UNITS: Record<string, () => { edges: unknown[]; hasNextPage: boolean }> = {
  // The same cursor on every page, with more to come: a hub that trusted it would read for ever.
  [LOOPING]: () => ({ edges: [{ cursor: 'again', node: unit('U1', 4) }], hasNextPage: true }),
  [MALFORMED]: () => ({ edges: [{ cursor: 'c1', node: unit('U1', 'very high') }], hasNextPage: false }),
};
// An occupation of free text: the engines would index it whole, as a key.
const qualification = (escoOccupation: unknown) => ({
  localId: 'Q1',
  titles: [{ lang: 'es', value: 'Soldadura' }],
  descriptions: [],
  eqfLevel: 4,
  ecvetPoints: 120,
  status: 'ACTIVE',
  iscedCode: '0715',
  escoOccupation,
});
const QUALIFICATIONS: Record<string, () => { edges: unknown[]; hasNextPage: boolean }> = {
  [NOT_ESCO]: () => ({
    edges: [{ cursor: 'q1', node: qualification('soldador; '.repeat(1_000)) }],
    hasNextPage: false,
  }),
};
const calls: Record<string, number> = {};
let standIns: Awaited<ReturnType<typeof startCatalogueOverStandIns>>;
let gateway: RunningGateway;

/** What the stand-in of `code` answers: no change feed, and the catalogue's reads as UNITS and QUALIFICATIONS say. */
function answerOf(code: string) {
  calls[code] = 0;
  return ({ query }: StandInRequest) => {
    calls[code] = (calls[code] ?? 0) + 1;
    const page = ({ edges, hasNextPage }: { edges: unknown[]; hasNextPage: boolean }) => ({
      page: { edges, pageInfo: { hasNextPage } },
    });
    return query.includes('CatalogueInstitution')
      ? { institution: { id: code, country: COUNTRY[code] } }
      : query.includes('page: qualifications')
        ? page(QUALIFICATIONS[code]?.() ?? { edges: [], hasNextPage: false })
        : page(UNITS[code]?.() ?? { edges: [], hasNextPage: false });
  };
}

beforeAll(async () => {
  standIns = await startCatalogueOverStandIns(
    [LOOPING, MALFORMED, NOT_ESCO].map((code) => ({ code, country: COUNTRY[code] as string, answer: answerOf(code) })),
  );
  gateway = standIns.gateway;
}, 60_000);
afterAll(async () => standIns?.close());

interface Ready {
  status: string;
  catalogue: { parts: Array<{ institution: string; state: string; error: string | null }> };
}

test("a shard that pages without end, or answers malformed units or qualifications, fails its institution's read: /health/ready says so", async () => {
  const ready = async () => {
    const response = await fetch(new URL('/health/ready', gateway.url));
    return { status: response.status, body: (await response.json()) as Ready };
  };
  const failed = (body: Ready) => body.catalogue.parts.every((part) => part.error !== null);
  await waitFor('every read has failed', async () => failed((await ready()).body), 20_000);
  const { status, body } = await ready();
  expect(status).toBe(200);
  expect(body.status).toBe('ready');
  expect(body.catalogue.parts).toEqual([
    {
      institution: NOT_ESCO,
      state: 'not-read',
      error: `the qualifications shard of ${NOT_ESCO}: qualifications[0].escoOccupation must be a valid EscoOccupationUri`,
      feed: false,
      ageSeconds: null,
      readAt: null,
      deferredUntil: null,
    },
    {
      institution: MALFORMED,
      state: 'not-read',
      error: `the qualifications shard of ${MALFORMED}: units[0].eqfLevel must be a valid EqfLevel`,
      feed: false,
      ageSeconds: null,
      readAt: null,
      deferredUntil: null,
    },
    {
      institution: LOOPING,
      state: 'not-read',
      error: `the qualifications shard of ${LOOPING} (units) answered the cursor "again" twice: its pages do not move on`,
      feed: false,
      ageSeconds: null,
      readAt: null,
      deferredUntil: null,
    },
  ]);
  // Each read of the looping shard stops at its second page: a handful of calls per attempt, not an endless read.
  const before = calls[LOOPING] ?? 0;
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  expect((calls[LOOPING] ?? 0) - before).toBeLessThan(20);
});
