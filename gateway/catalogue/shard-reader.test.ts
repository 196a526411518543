import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Shard } from '../registry/registry';
import { MAX_ITEM_TEXT_CHARS } from './settings';
import { createShardReader } from './shard-reader';

type Json = Record<string, unknown>;

const SKILL = 'http://data.europa.eu/esco/skill/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

const unit = (localId: string, extra: Json = {}): Json => ({
  localId,
  titles: [{ lang: 'en', value: `Unit ${localId}` }],
  eqfLevel: 4,
  ecvetPoints: 10,
  status: 'ACTIVE',
  assessmentCriteria: [{ texts: [{ lang: 'en', value: 'Welds a joint' }] }],
  learningOutcomes: [{ statements: [{ lang: 'en', value: 'Welds' }], escoSkills: [SKILL] }],
  qualification: { localId: 'Q1' },
  ...extra,
});
const qualification = {
  localId: 'Q1',
  titles: [{ lang: 'en', value: 'Welder' }],
  descriptions: [],
  eqfLevel: 4,
  ecvetPoints: 120,
  iscedCode: '0715',
  escoOccupation: null,
  status: 'ACTIVE',
};

/** What the stand-in answers to a page of `units` after `after` (null: the first page). */
type UnitPages = (after: string | null) => { edges: Array<{ cursor: string; node: unknown }>; hasNextPage: boolean };

/**
 * A qualifications shard on 127.0.0.1 that answers the catalogue's reads: its institution, one qualification (as
 * given), units as told.
 */
async function startShard(
  units: UnitPages,
  qualificationNode: unknown = qualification,
): Promise<{ shard: Shard; calls: () => number; close: () => Promise<void> }> {
  let calls = 0;
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      calls += 1;
      const { query, variables } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        query: string;
        variables: { after?: string | null };
      };
      const page = (edges: unknown[], hasNextPage: boolean) => ({ page: { edges, pageInfo: { hasNextPage } } });
      const data = query.includes('CatalogueChanges')
        ? { u0: unit('U1', { eqfLevel: 0 }) }
        : query.includes('CatalogueInstitution')
          ? { institution: { id: 'rvt.lv', country: 'LV' } }
          : query.includes('page: qualifications')
            ? page([{ cursor: 'q1', node: qualificationNode }], false)
            : (() => {
                const answer = units(variables.after ?? null);
                return page(answer.edges, answer.hasNextPage);
              })();
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    shard: { institution: 'rvt.lv', kind: 'qualifications', url: `http://127.0.0.1:${port}/graphql` },
    calls: () => calls,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        // Connections the reader still holds (its other reads, when one failed) end with the stand-in.
        server.closeAllConnections();
      }),
  };
}

const reader = (maxItems?: number) => createShardReader({ hopKey: null, timeoutMs: 5_000, maxItems });
let stub: Awaited<ReturnType<typeof startShard>> | undefined;
afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

test("reads an institution's part page by page", async () => {
  stub = await startShard((after) =>
    after === null
      ? { edges: [{ cursor: 'c1', node: unit('U1') }], hasNextPage: true }
      : { edges: [{ cursor: 'c2', node: unit('U2') }], hasNextPage: false },
  );
  const part = await reader().readInstitution(stub.shard);
  expect(part.institution).toEqual({ code: 'rvt.lv', country: 'LV' });
  expect(part.qualifications.map((q) => q.localId)).toEqual(['Q1']);
  expect(part.units.map((u) => u.localId)).toEqual(['U1', 'U2']);
});

test('fails the read of a shard whose pages never move on: a cursor it answered before is an error', async () => {
  stub = await startShard(() => ({ edges: [{ cursor: 'same', node: unit('U1') }], hasNextPage: true }));
  await expect(reader().readInstitution(stub.shard)).rejects.toThrow(
    'the qualifications shard of rvt.lv (units) answered the cursor "same" twice: its pages do not move on',
  );
  expect(stub.calls()).toBeLessThanOrEqual(4);
});

test('fails the read of a shard that answers new pages without end, once it passes the most items read', async () => {
  let n = 0;
  stub = await startShard(() => {
    const edges = Array.from({ length: 100 }, () => {
      n += 1;
      return { cursor: `c${n}`, node: unit(`U${n}`) };
    });
    return { edges, hasNextPage: true };
  });
  await expect(reader(250).readInstitution(stub.shard)).rejects.toThrow(
    'the qualifications shard of rvt.lv (units) answered more than 250 items, the most the catalogue reads of one institution',
  );
  expect(n).toBe(300);
});

test('fails the read of a shard that answers more items than a page holds', async () => {
  const edges = Array.from({ length: 101 }, (_, i) => ({ cursor: `c${i}`, node: unit(`U${i}`) }));
  stub = await startShard(() => ({ edges, hasNextPage: false }));
  await expect(reader().readInstitution(stub.shard)).rejects.toThrow('answered 101 items to a page of at most 100');
});

test.each<[string, Json, string]>([
  ['an EQF level that is text', unit('U1', { eqfLevel: 'high' }), 'units[0].eqfLevel must be a valid EqfLevel'],
  ['points out of range', unit('U1', { ecvetPoints: 1e9 }), 'units[0].ecvetPoints must be a valid EcvetPoints'],
  ['an unknown status', unit('U1', { status: 'DELETED' }), 'units[0].status must be one of ACTIVE, RETIRED'],
  ['a local ID that is a number', unit('U1', { localId: 42 }), 'units[0].localId must be a string'],
  ['a malformed local ID', unit('U1', { localId: 'a b' }), 'units[0].localId must be a local ID'],
  ['titles that are not a list', unit('U1', { titles: 'Welding' }), 'units[0].titles must be a list'],
  [
    'a skill that is not text',
    unit('U1', { learningOutcomes: [{ statements: [], escoSkills: [7] }] }),
    'units[0].learningOutcomes[0].escoSkills[0] must be a string',
  ],
  [
    'a skill that is no ESCO skill URI',
    unit('U1', { learningOutcomes: [{ statements: [], escoSkills: [`${SKILL}/${'x'.repeat(5_000)}`] }] }),
    'units[0].learningOutcomes[0].escoSkills[0] must be a valid EscoSkillUri',
  ],
  ['no qualification', unit('U1', { qualification: null }), 'units[0].qualification must be an object'],
  [
    'text larger than an item may hold',
    unit('U1', { titles: [{ lang: 'en', value: 'x'.repeat(MAX_ITEM_TEXT_CHARS) }] }),
    "units[0].titles[0].value brings the item's text over 200,000 characters",
  ],
])(
  'fails the read of a shard answering a unit with %s, naming the shard, the item and the rule',
  async (_, node, rule) => {
    stub = await startShard(() => ({ edges: [{ cursor: 'c1', node }], hasNextPage: false }));
    await expect(reader().readInstitution(stub.shard)).rejects.toThrow(`the qualifications shard of rvt.lv: ${rule}`);
  },
);

test.each<[string, unknown, string]>([
  [
    'an occupation that is no ESCO occupation URI',
    'http://data.europa.eu/esco/occupation/welder',
    'qualifications[0].escoOccupation must be a valid EscoOccupationUri',
  ],
  ['an occupation that is not text', 7, 'qualifications[0].escoOccupation must be a string'],
])(
  'fails the read of a shard answering a qualification with %s, naming the shard, the item and the rule',
  async (_, escoOccupation, rule) => {
    stub = await startShard(() => ({ edges: [], hasNextPage: false }), { ...qualification, escoOccupation });
    await expect(reader().readInstitution(stub.shard)).rejects.toThrow(`the qualifications shard of rvt.lv: ${rule}`);
  },
);

test('reads a qualification with an ESCO occupation', async () => {
  const escoOccupation = 'http://data.europa.eu/esco/occupation/6e1f3a2b-1c4d-4e5f-9a8b-7c6d5e4f3a2b';
  stub = await startShard(() => ({ edges: [], hasNextPage: false }), { ...qualification, escoOccupation });
  const part = await reader().readInstitution(stub.shard);
  expect(part.qualifications.map((q) => q.escoOccupation)).toEqual([escoOccupation]);
});

test('fails the read of the records a change names when one is malformed', async () => {
  stub = await startShard(() => ({ edges: [], hasNextPage: false }));
  await expect(reader().readChanged(stub.shard, ['Unit:U1'])).rejects.toThrow(
    'the qualifications shard of rvt.lv: unit U1.eqfLevel must be a valid EqfLevel',
  );
});
