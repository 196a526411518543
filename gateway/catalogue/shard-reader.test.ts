import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Shard } from '../registry/registry';
import { MAX_ITEM_TEXT_CHARS } from './settings';
import { createShardReader, MAX_ANSWER_BYTES, MAX_ANSWER_VALUES, MAX_READ_BYTES_PER_INSTITUTION } from './shard-reader';

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

/** What the stand-in answers to a page of at most `first` `units` after `after` (null: the first page). */
type UnitPages = (
  after: string | null,
  first: number,
) => { edges: Array<{ cursor: string; node: unknown }>; hasNextPage: boolean };
/** What the stand-in answers to the records a change names, by their keys in the answer (`u0`: `rvt.lv:U1`, …). */
type Changed = (ids: Record<string, string>) => Json;

/** How the stand-in sends an answer's JSON to a query. */
type Send = (response: ServerResponse, json: string, query: string) => void;
const atOnce: Send = (response, json) => response.writeHead(200, { 'content-type': 'application/json' }).end(json);
/** As a slow but honest shard: the answer in three pieces, `gapMs` apart. */
const inThirds =
  (gapMs: number): Send =>
  (response, json) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    const third = Math.ceil(json.length / 3);
    const pieces = [json.slice(0, third), json.slice(third, 2 * third), json.slice(2 * third)];
    const next = () => {
      const piece = pieces.shift() ?? '';
      if (pieces.length === 0) response.end(piece);
      else {
        response.write(piece);
        setTimeout(next, gapMs);
      }
    };
    next();
  };
/** As a hostile shard holding the read open: a space every `gapMs`, well inside undici's wait between two chunks. */
const dripping =
  (gapMs: number): Send =>
  (response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    const drip = setInterval(() => response.write(' '), gapMs);
    response.on('close', () => clearInterval(drip));
  };

/**
 * A qualifications shard on 127.0.0.1 that answers the catalogue's reads: its institution, one qualification (as
 * given), units as told.
 */
async function startShard(
  units: UnitPages,
  qualificationNode: unknown = qualification,
  send: Send = atOnce,
  changed: Changed = () => ({ u0: unit('U1', { eqfLevel: 0 }) }),
): Promise<{ shard: Shard; calls: () => number; close: () => Promise<void> }> {
  let calls = 0;
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      calls += 1;
      const { query, variables } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        query: string;
        variables: { after?: string | null } & Record<string, string>;
      };
      const page = (edges: unknown[], hasNextPage: boolean) => ({ page: { edges, pageInfo: { hasNextPage } } });
      const data = query.includes('CatalogueChanges')
        ? changed(variables)
        : query.includes('CatalogueInstitution')
          ? { institution: { id: 'rvt.lv', country: 'LV' } }
          : query.includes('page: qualifications')
            ? page([{ cursor: 'q1', node: qualificationNode }], false)
            : (() => {
                const answer = units(variables.after ?? null, Number(/first: (\d+)/.exec(query)?.[1]));
                return page(answer.edges, answer.hasNextPage);
              })();
      send(response, JSON.stringify({ data }), query);
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

const reader = (maxItems?: number, maxReadBytes?: number) =>
  createShardReader({ hopKey: null, timeoutMs: 5_000, maxItems, maxReadBytes });
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

/** `count` units of `chars` characters of title each, on pages of 100 with cursors that move on. */
const longUnitPages =
  (count: number, chars: number): UnitPages =>
  (after) => {
    const from = after === null ? 0 : Number(after.slice(1));
    const edges = Array.from({ length: Math.min(100, count - from) }, (_, i) => ({
      cursor: `c${from + i + 1}`,
      node: unit(`U${from + i + 1}`, { titles: [{ lang: 'en', value: 'x'.repeat(chars) }] }),
    }));
    return { edges, hasNextPage: from + edges.length < count };
  };

test("fails a whole read once the shard's answers pass the read's byte budget, naming the shard, the budget and the bytes read", async () => {
  // 20 pages of some 230 KB each; the read may take 1 MB.
  stub = await startShard(longUnitPages(2_000, 2_000));
  await expect(reader(undefined, 1_000_000).readInstitution(stub.shard)).rejects.toThrow(
    /^the qualifications shard of rvt\.lv answered more than 1000000 bytes to one whole read \(\d+ so far\), the most the catalogue reads of one institution$/,
  );
  // Its own record, its qualifications, and the pages of units up to the one that crossed the budget.
  expect(stub.calls()).toBeLessThanOrEqual(2 + 5);
});

test('reads whole an institution whose answers stay within the byte budget', async () => {
  // 3 pages of some 230 KB each.
  stub = await startShard(longUnitPages(300, 2_000));
  const part = await reader(undefined, 1_000_000).readInstitution(stub.shard);
  expect(part.units).toHaveLength(300);
});

test('25,000 units with long texts in three languages fit the byte budget of a whole read', async () => {
  // A unit with its title, six outcomes (two skills each) and six criteria in three languages of 200 characters.
  const texts = (what: string) =>
    ['en', 'de', 'lv'].map((lang) => ({ lang, value: `${what} `.repeat(40).slice(0, 200) }));
  const multilingual = (localId: string) =>
    unit(localId, {
      titles: texts('Title'),
      learningOutcomes: Array.from({ length: 6 }, () => ({ statements: texts('Outcome'), escoSkills: [SKILL, SKILL] })),
      assessmentCriteria: Array.from({ length: 6 }, () => ({ texts: texts('Criterion') })),
    });
  // A page of 100 such units fits a 250th of the budget: 25,000 of them fit the budget.
  stub = await startShard((after) => ({
    edges:
      after === null ? Array.from({ length: 100 }, (_, i) => ({ cursor: `c${i}`, node: multilingual(`U${i}`) })) : [],
    hasNextPage: false,
  }));
  const part = await reader(undefined, MAX_READ_BYTES_PER_INSTITUTION / 250).readInstitution(stub.shard);
  expect(part.units).toHaveLength(100);
});

test.each<[string, Json, string]>([
  [
    'titles in more languages than there are',
    unit('U1', { titles: Array.from({ length: 101 }, (_, i) => ({ lang: `x${i}`, value: '' })) }),
    'units[0].titles must hold at most 100 texts, one per language (answered 101)',
  ],
  [
    'outcomes of no text, more than an item holds',
    unit('U1', { learningOutcomes: Array.from({ length: 10_001 }, () => ({ statements: [], escoSkills: [] })) }),
    "units[0].learningOutcomes brings the item's text over 200,000 characters (a list entry counts as 20)",
  ],
  [
    'criteria of empty texts, more than an item holds',
    unit('U1', { assessmentCriteria: Array.from({ length: 5_000 }, () => ({ texts: [{ lang: '', value: '' }] })) }),
    "units[0].assessmentCriteria[4998].texts brings the item's text over 200,000 characters (a list entry counts as 20)",
  ],
])('fails the read of a shard answering a unit with %s: list entries count against the item', async (_, node, rule) => {
  stub = await startShard(() => ({ edges: [{ cursor: 'c1', node }], hasNextPage: false }));
  await expect(reader().readInstitution(stub.shard)).rejects.toThrow(`the qualifications shard of rvt.lv: ${rule}`);
});

test('fails, at its deadline, the read of a shard that sends its answer a byte at a time', async () => {
  stub = await startShard(() => ({ edges: [], hasNextPage: false }), qualification, dripping(200));
  const started = Date.now();
  const outcome = await Promise.race([
    createShardReader({ hopKey: null, timeoutMs: 1_000 })
      .readInstitution(stub.shard)
      .then(
        () => 'read',
        (error: Error) => error.message,
      ),
    sleep(4_000, 'still pending', { ref: false }),
  ]);
  expect(outcome).toBe('the qualifications shard of rvt.lv did not answer whole within 1000 ms');
  // Close to the deadline, with room for a busy machine.
  expect(Date.now() - started).toBeLessThan(1_800);
});

test('reads a slow shard whose every answer arrives whole within the deadline, though the whole read takes longer', async () => {
  // Each answer takes some 600 ms, in three pieces; the units come on three pages.
  stub = await startShard(
    (after) =>
      after === null
        ? { edges: [{ cursor: 'c1', node: unit('U1') }], hasNextPage: true }
        : after === 'c1'
          ? { edges: [{ cursor: 'c2', node: unit('U2') }], hasNextPage: true }
          : { edges: [{ cursor: 'c3', node: unit('U3') }], hasNextPage: false },
    qualification,
    inThirds(300),
  );
  const started = Date.now();
  const part = await createShardReader({ hopKey: null, timeoutMs: 1_000 }).readInstitution(stub.shard);
  expect(part.units.map((u) => u.localId)).toEqual(['U1', 'U2', 'U3']);
  expect(Date.now() - started).toBeGreaterThan(1_000);
});

test("once one list of a whole read fails, the other lists' requests end with it", async () => {
  let qualificationsEnded: number | null = null;
  // The qualifications trickle in; the units are malformed at once.
  const send: Send = (response, json, query) => {
    if (!query.includes('page: qualifications')) return atOnce(response, json, query);
    dripping(100)(response, json, query);
    response.on('close', () => (qualificationsEnded = Date.now()));
  };
  stub = await startShard(
    () => ({ edges: [{ cursor: 'c1', node: unit('U1', { eqfLevel: 0 }) }], hasNextPage: false }),
    qualification,
    send,
  );
  await expect(reader().readInstitution(stub.shard)).rejects.toThrow('units[0].eqfLevel must be a valid EqfLevel');
  const failed = Date.now();
  while (qualificationsEnded === null && Date.now() - failed < 2_000) await sleep(10);
  // Well before the reader's deadline (5 s).
  expect(qualificationsEnded).not.toBeNull();
});

test('asks a page again with a quarter as many items when its answer would pass the most one answer may hold, then as many as fill a quarter of it', async () => {
  // 60 units of some 50 KB each: a page of 100 would be 5 MB.
  const asked: number[] = [];
  const pages = longUnitPages(60, 50_000);
  stub = await startShard((after, first) => {
    asked.push(first);
    const page = pages(after, first);
    return { edges: page.edges.slice(0, first), hasNextPage: page.hasNextPage || page.edges.length > first };
  });
  const part = await reader().readInstitution(stub.shard);
  expect(part.units.map((u) => u.localId)).toEqual(Array.from({ length: 60 }, (_, i) => `U${i + 1}`));
  // 100 (past 2 MiB, left unread), 25 (1.25 MB), then ten at a time (half a MB each).
  expect(asked).toEqual([100, 25, 10, 10, 10, 10]);
});

test('fails the read of a shard answering more than the most one answer may hold to a page of one item, reading no answer past it', async () => {
  // Whatever it is asked, one item of 5 MB.
  const asked: number[] = [];
  const huge = { edges: [{ cursor: 'c1', node: unit('U1', { titles: [{ lang: 'en', value: 'x'.repeat(5e6) }] }) }] };
  stub = await startShard((_after, first) => {
    asked.push(first);
    return { ...huge, hasNextPage: false };
  });
  let bytes = 0;
  const bounded = createShardReader({ hopKey: null, timeoutMs: 5_000, onBytes: (_shard, more) => (bytes += more) });
  await expect(bounded.readInstitution(stub.shard)).rejects.toThrow(
    `the qualifications shard of rvt.lv (units) answered more than ${MAX_ANSWER_BYTES} bytes to a page of one item, more than any item may hold`,
  );
  expect(asked).toEqual([100, 25, 6, 1]);
  // Four answers of 5 MB, each read no further than one chunk past 2 MiB (and its own record, its qualifications).
  expect(bytes).toBeLessThan(4 * (MAX_ANSWER_BYTES + 1024 * 1024));
});

test('asks for fewer items when a page holds many JSON values in few bytes, as many as fill a quarter of the most one answer may hold', async () => {
  // 60 units of 300 outcomes each: some 2,100 values and 18 KB a unit, so a page of 100 holds 210,000 values in 1.8 MB.
  const outcomes = Array.from({ length: 300 }, () => ({ statements: [{ lang: 'en', value: 'a' }], escoSkills: [] }));
  const asked: number[] = [];
  stub = await startShard((after, first) => {
    asked.push(first);
    const from = after === null ? 0 : Number(after.slice(1));
    const edges = Array.from({ length: Math.min(first, 60 - from) }, (_, i) => ({
      cursor: `c${from + i + 1}`,
      node: unit(`U${from + i + 1}`, { learningOutcomes: outcomes }),
    }));
    return { edges, hasNextPage: from + edges.length < 60 };
  });
  const part = await reader().readInstitution(stub.shard);
  expect(part.units).toHaveLength(60);
  // 100 (past MAX_ANSWER_VALUES, left unparsed), 25 (53,000 values), then 11 at a time (some 23,000 values each).
  expect(asked).toEqual([100, 25, 11, 11, 11, 11]);
});

test('fails the read of a shard answering more JSON values than one answer may hold to a page of one item, parsing none of them', async () => {
  // Whatever it is asked, one item with 200,000 empty objects the hub did not ask for: 600 KB, within the bytes.
  const asked: number[] = [];
  const dense = {
    edges: [{ cursor: 'c1', node: unit('U1', { padding: Array.from({ length: 200_000 }, () => ({})) }) }],
  };
  stub = await startShard((_after, first) => {
    asked.push(first);
    return { ...dense, hasNextPage: false };
  });
  await expect(reader().readInstitution(stub.shard)).rejects.toThrow(
    `the qualifications shard of rvt.lv (units) answered more than ${MAX_ANSWER_VALUES} JSON values to a page of one item, more than any item may hold`,
  );
  expect(asked).toEqual([100, 25, 6, 1]);
});

test('reads the records a change names in halves when their answer would pass the most one answer may hold', async () => {
  // 30 units of some 100 KB each: 3 MB in one answer, 1.5 MB in each half.
  const asked: number[] = [];
  stub = await startShard(
    () => ({ edges: [], hasNextPage: false }),
    qualification,
    atOnce,
    (ids) => {
      asked.push(Object.keys(ids).length);
      return Object.fromEntries(
        Object.entries(ids).map(([key, id]) => [
          key,
          unit(id.slice('rvt.lv:'.length), { titles: [{ lang: 'en', value: 'x'.repeat(100_000) }] }),
        ]),
      );
    },
  );
  const tags = Array.from({ length: 30 }, (_, i) => `Unit:U${i + 1}`);
  const changes = await reader().readChanged(stub.shard, tags);
  expect(changes.units?.map((one) => one.doc?.localId)).toEqual(tags.map((tag) => tag.slice('Unit:'.length)));
  expect(asked).toEqual([30, 15, 15]);
});

test('fails the read of a record a change names whose answer alone passes the most one answer may hold', async () => {
  stub = await startShard(
    () => ({ edges: [], hasNextPage: false }),
    qualification,
    atOnce,
    () => ({ u0: unit('U1', { titles: [{ lang: 'en', value: 'x'.repeat(5e6) }] }) }),
  );
  await expect(reader().readChanged(stub.shard, ['Unit:U1'])).rejects.toThrow(
    `the qualifications shard of rvt.lv answered more than ${MAX_ANSWER_BYTES} bytes to one record (rvt.lv:U1), more than any item may hold`,
  );
});
