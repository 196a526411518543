import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startGateway, type RunningGateway } from '../gateway';
import { catalogueReady, testCatalogue, type TestCatalogue } from './harness/catalogue';
import { renameUnitAtShard } from './harness/cache';
import { postGraphQL, ROOT, startTestHub, type GraphQLAnswer, type TestHub } from './harness/hub';
import { openOtherProgram } from './harness/other-program';
import { waitFor } from './harness/wait';
import { encodeShardCursor, foldText } from '../schema/cursor';
import { encodeHubCursor } from '../gateway/routing/cursor';
import { seedUnits } from './seeds';

/**
 * The hub's catalogue answers lists and searches; a second gateway over the same shards, without it, fans them out.
 * Every answer must be the same, cursors included. Engine: SQLite, or PostgreSQL with TEST_CATALOG_URL.
 */
const OPERATOR = 'operator-token-for-tests';
let hub: TestHub;
let engine: TestCatalogue;
let fanOut: RunningGateway;

beforeAll(async () => {
  engine = await testCatalogue();
  hub = await startTestHub({
    gateway: {
      catalogue: { url: engine.url, feedWaitMs: 300, feedGraceMs: 2_000, operatorToken: OPERATOR },
    },
  });
  fanOut = await startGateway({
    supergraphSdl: readFileSync(join(ROOT, 'schema', 'supergraph.graphql'), 'utf8'),
    registry: hub.gateway.registry,
    hopKey: hub.hopKeys.key,
    demoTokenSecret: hub.tokenSecret,
    port: 0,
    entityCache: false,
  });
  await catalogueReady(hub.gateway);
}, 60_000);
afterAll(async () => {
  await fanOut?.close();
  await hub?.dispose();
  await engine?.dispose();
});

const ask = (url: string, query: string, variables?: Record<string, unknown>) => postGraphQL(url, query, variables);

const UNITS = `query($filter: UnitFilter, $first: Int!, $after: String) {
  units(filter: $filter, first: $first, after: $after) {
    __typename totalCount pageInfo { hasNextPage endCursor }
    edges { __typename cursor node { id title(lang: "en") eqfLevel qualification { id } } }
    nodes { id ecvetPoints }
  }
}`;
const QUALIFICATIONS = `query($filter: QualificationFilter, $first: Int!, $after: String) {
  qualifications(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id title(lang: "lv") status } }
  }
}`;

/** An answer without the catalogue's suggestions for a text that finds nothing: they are its own. */
function withoutSuggestions(body: GraphQLAnswer['body']): GraphQLAnswer['body'] {
  const { extensions, ...rest } = body;
  const { catalogue, ...others } = extensions ?? {};
  const { suggestions: _suggestions, ...kept } = (catalogue ?? {}) as Record<string, unknown>;
  const left = { ...others, ...(Object.keys(kept).length > 0 ? { catalogue: kept } : {}) };
  return Object.keys(left).length > 0 ? { ...rest, extensions: left } : rest;
}

/** Every page of a list, as one gateway answers it (without the catalogue's suggestions). */
async function allPages(url: string, query: string, filter: Record<string, unknown>, first: number) {
  const pages: GraphQLAnswer['body'][] = [];
  let after: string | null = null;
  for (;;) {
    const answer = await ask(url, query, { filter, first, after });
    pages.push(withoutSuggestions(answer.body));
    const list = Object.values(answer.body.data ?? {})[0] as { pageInfo?: { hasNextPage: boolean; endCursor: string } };
    if (!list?.pageInfo?.hasNextPage || pages.length > 40) return pages;
    after = list.pageInfo.endCursor;
  }
}

const units = seedUnits();
const skill = units.flatMap((u) => u.skills).find((s, _, all) => all.filter((x) => x === s).length > 1) as string;
const occupation = JSON.parse(readFileSync(join(ROOT, 'demo', 'institutions', 'rvt.lv.json'), 'utf8')).qualifications[0]
  .escoOccupation as string;

const UNIT_FILTERS: Array<Record<string, unknown>> = [
  {},
  { eqfLevel: 4 },
  { eqfLevel: 5, country: 'FI' },
  { country: 'LV' },
  { country: 'SE' },
  { institution: 'omnia.fi' },
  { institution: 'rvt.lv:WELD' },
  { iscedField: '07' },
  { iscedField: '0715' },
  { ecvetPoints: { min: 20, max: 30 } },
  { ecvetPoints: { min: 15 } },
  { escoSkills: [skill] },
  // A single value where a list is expected: GraphQL reads it as a list of one.
  { escoSkills: skill },
  // Without words, by skills (or by status, counted), SQLite reads the units from its word index's facet words.
  { escoSkills: [skill], eqfLevel: 4 },
  { escoSkills: [skill], status: 'ACTIVE', country: 'LV' },
  { escoSkills: [skill], qualification: units[0]?.qualificationId },
  { status: 'ACTIVE', ecvetPoints: { min: 15 } },
  { escoOccupation: occupation },
  // By occupation without words, an engine reads the units from its word index when the other filters are there too.
  { escoOccupation: occupation, eqfLevel: 4 },
  { escoOccupation: occupation, country: 'LV', status: 'ACTIVE' },
  { escoOccupation: occupation, qualification: units[0]?.qualificationId },
  { qualification: units[0]?.qualificationId },
  { status: 'ACTIVE' },
  { status: 'RETIRED' },
  { text: 'weld' },
  { text: 'METINĀ' },
  { text: 'Schweißen' },
  { text: 'soldadura' },
  { text: 'hitsaus' },
  { text: 'safety work' },
  { text: '%' },
  { text: '   ' },
  { text: 'no-such-word-anywhere' },
  { text: 'a', eqfLevel: 4, country: 'DE' },
  // The words beside each other filter: an engine reads some with the words, others from the units' own rows.
  { text: 'a', iscedField: '0715', ecvetPoints: { min: 20 } },
  { text: 'a', status: 'RETIRED' },
  { text: 'a', escoSkills: [skill] },
  { text: 'a', escoOccupation: occupation, institution: 'rvt.lv' },
  { text: 'a', qualification: units[0]?.qualificationId },
  { text: 'elektr', textLang: 'de' },
];
const QUALIFICATION_FILTERS: Array<Record<string, unknown>> = [
  {},
  { eqfLevel: 4 },
  { country: 'ES' },
  { institution: 'rvt.lv' },
  { iscedField: '07' },
  { ecvetPoints: { max: 120 } },
  { escoOccupation: occupation },
  { escoSkill: skill },
  { status: 'ACTIVE' },
  { text: 'mechatronik' },
  { text: 'ūdens' },
  { text: 'mechatronik', textLang: 'de-AT' },
];

test('catalogue answers equal fan-out answers for every unit filter, page by page, cursors included', async () => {
  for (const filter of UNIT_FILTERS)
    for (const first of [3, 100]) {
      const expected = await allPages(fanOut.url, UNITS, filter, first);
      const actual = await allPages(hub.url, UNITS, filter, first);
      expect({ filter, first, pages: actual }).toEqual({ filter, first, pages: expected });
    }
});

test('without totalCount, catalogue answers to a text search still equal fan-out answers, page by page', async () => {
  // No total asked: the catalogue counts the matches only as far as its choice of how to read the page.
  const uncounted = UNITS.replace('__typename totalCount pageInfo', '__typename pageInfo');
  expect(uncounted).not.toContain('totalCount');
  for (const filter of UNIT_FILTERS.filter((one) => 'text' in one))
    for (const first of [3, 100]) {
      const expected = await allPages(fanOut.url, uncounted, filter, first);
      const actual = await allPages(hub.url, uncounted, filter, first);
      expect({ filter, first, pages: actual }).toEqual({ filter, first, pages: expected });
    }
});

test('catalogue answers equal fan-out answers for every qualification filter and for institutions', async () => {
  for (const filter of QUALIFICATION_FILTERS)
    for (const first of [1, 100]) {
      const expected = await allPages(fanOut.url, QUALIFICATIONS, filter, first);
      const actual = await allPages(hub.url, QUALIFICATIONS, filter, first);
      expect({ filter, first, pages: actual }).toEqual({ filter, first, pages: expected });
    }
  const institutions = '{ institutions { id country name(lang: "de") } }';
  expect((await ask(hub.url, institutions)).body).toEqual((await ask(fanOut.url, institutions)).body);
});

test('a cursor handed out by the fan-out reads on in the catalogue, and the reverse', async () => {
  const first = await ask(fanOut.url, UNITS, { filter: { eqfLevel: 4 }, first: 2 });
  const after = (first.body.data?.units as { pageInfo: { endCursor: string } }).pageInfo.endCursor;
  const fromFanOut = await ask(fanOut.url, UNITS, { filter: { eqfLevel: 4 }, first: 3, after });
  const fromCatalogue = await ask(hub.url, UNITS, { filter: { eqfLevel: 4 }, first: 3, after });
  expect(fromCatalogue.body).toEqual(fromFanOut.body);
});

test("a cursor padded with thousands of made-up institutions' positions reads on as the real one: none is handed back", async () => {
  const first = await ask(hub.url, UNITS, { filter: { eqfLevel: 4 }, first: 2 });
  const after = (first.body.data?.units as { pageInfo: { endCursor: string } }).pageInfo.endCursor;
  const positions = JSON.parse(Buffer.from(after.split('.')[2] as string, 'base64url').toString('utf8')) as Record<
    string,
    string
  >;
  const smallest = encodeShardCursor({ sortKey: '', id: '' });
  for (let n = 0; n < 20_000; n += 1) positions[`x${n.toString(36)}.example`] = smallest;
  const padded = encodeHubCursor(positions, 'units');
  expect(padded.length).toBeGreaterThan(500_000);
  for (const url of [hub.url, fanOut.url]) {
    const real = await ask(url, UNITS, { filter: { eqfLevel: 4 }, first: 3, after });
    const answer = await ask(url, UNITS, { filter: { eqfLevel: 4 }, first: 3, after: padded });
    expect(answer.body).toEqual(real.body);
  }
});

test('a position longer than any shard cursor is not a cursor the hub issued', async () => {
  // A well-formed shard cursor, but no sort key is this long: each position is handed back in every edge's cursor.
  const position = encodeShardCursor({ sortKey: 'a'.repeat(800), id: 'U1' });
  expect(position.length).toBeGreaterThan(1_000);
  const after = encodeHubCursor({ 'rvt.lv': position }, 'units');
  for (const url of [hub.url, fanOut.url]) {
    const answer = await ask(url, UNITS, { first: 3, after });
    expect(answer.body.errors?.map((error) => error.extensions?.code)).toEqual(['BAD_USER_INPUT']);
  }
});

test('inputs the shards refuse are refused in their words', async () => {
  for (const [query, variables] of [
    [UNITS, { filter: { text: 'x'.repeat(201) }, first: 5 }],
    [UNITS, { filter: { ecvetPoints: { min: 9, max: 1 } }, first: 5 }],
    [UNITS, { filter: { qualification: 'not an id' }, first: 5 }],
    [UNITS, { first: 0 }],
    [UNITS, { first: 5, after: 'garbage' }],
    [UNITS, { filter: { text: 'weld', textLang: 'xx-NOT-A-TAG' }, first: 5 }],
    [QUALIFICATIONS, { filter: { text: 'weld', textLang: 'klingon' }, first: 5 }],
    // Custom scalars: the gateway's schema lets any value through, the shards parse them.
    [UNITS, { filter: { escoOccupation: 'welder' }, first: 5 }],
    [UNITS, { filter: { text: 'weld', escoSkills: ['welding'] }, first: 5 }],
    [UNITS, { filter: { escoSkills: 'welding' }, first: 5 }],
    [UNITS, { filter: { country: 'XX' }, first: 5 }],
    [UNITS, { filter: { iscedField: 'zz' }, first: 5 }],
    [UNITS, { filter: { ecvetPoints: { min: -5 } }, first: 5 }],
    [QUALIFICATIONS, { filter: { escoSkill: 'welding' }, first: 5 }],
  ] as const) {
    const expected = await ask(fanOut.url, query, variables);
    const actual = await ask(hub.url, query, variables);
    expect(actual.body.errors?.map((e) => [e.message, e.extensions?.code])).toEqual(
      expected.body.errors?.map((e) => [e.message, e.extensions?.code]),
    );
    expect(actual.body.errors?.length).toBeGreaterThan(0);
  }
});

const search = async (text: string) => {
  const answer = await ask(
    hub.url,
    'query($text: String) { units(filter: { text: $text }, first: 100) { nodes { id } } }',
    {
      text,
    },
  );
  expect(answer.body.errors).toBeUndefined();
  return (answer.body.data?.units as { nodes: Array<{ id: string }> }).nodes.map((n) => n.id);
};

test('a write through the hub is in the catalogue before its answer returns', async () => {
  const id = units.find((u) => u.institution === 'omnia.fi')?.id as string;
  const token = await hub.token('omnia.fi', ['coordinator']);
  const written = await postGraphQL(
    hub.url,
    'mutation($id: ID!) { updateUnit(id: $id, input: { titles: [{ lang: "en", value: "Zeppelinwerkstatt through the hub" }] }) { id } }',
    { id },
    token,
  );
  expect(written.body.errors).toBeUndefined();
  expect(await search('zeppelinwerkstatt')).toEqual([id]);
});

test('mixed writes and reads: no answer is older than the last write acknowledged through the hub', async () => {
  const id = units.find((u) => u.institution === 'rvt.lv')?.id as string;
  const token = await hub.token('rvt.lv', ['coordinator']);
  for (let round = 1; round <= 8; round += 1) {
    const title = `Freshness probe round${round}x`;
    const written = await postGraphQL(
      hub.url,
      'mutation($id: ID!, $title: String!) { updateUnit(id: $id, input: { titles: [{ lang: "en", value: $title }] }) { id } }',
      { id, title },
      token,
    );
    expect(written.body.errors).toBeUndefined();
    // The acknowledged title is found at once, the one before it no longer.
    expect(await search(`round${round}x`)).toEqual([id]);
    if (round > 1) expect(await search(`round${round - 1}x`)).toEqual([]);
  }
});

test('concurrent writes to one unit: once all are acknowledged, the catalogue holds what its owner holds', async () => {
  const id = units.find((u) => u.institution === 'bbs-hannover.de')?.id as string;
  const tokens = await Promise.all([1, 2, 3].map(() => hub.token('bbs-hannover.de', ['coordinator'])));
  for (let round = 1; round <= 12; round += 1) {
    const words = ['a', 'b', 'c'].map((letter) => `race${round}${letter}x`);
    // Each write's answer waits for the catalogue to read the unit again; the reads of all three overlap.
    const written = await Promise.all(
      words.map((word, i) =>
        postGraphQL(
          hub.url,
          'mutation($id: ID!, $title: String!) { updateUnit(id: $id, input: { titles: [{ lang: "en", value: $title }] }) { id } }',
          { id, title: `Concurrent ${word}` },
          tokens[i],
        ),
      ),
    );
    for (const answer of written) expect(answer.body.errors).toBeUndefined();
    const held = await ask(hub.url, 'query($id: ID!) { unit(id: $id) { title(lang: "en") } }', { id });
    const title = (held.body.data?.unit as { title: string }).title;
    const found = await Promise.all(words.map(async (word) => [word, await search(word)] as const));
    expect(found).toEqual(words.map((word) => [word, title === `Concurrent ${word}` ? [id] : []]));
  }
});

test('a change by another writer reaches the catalogue through the feed', async () => {
  const id = units.find((u) => u.institution === 'cifp-aviles.es')?.id as string;
  await renameUnitAtShard(hub, id, 'Quetzalcoatl made elsewhere');
  await waitFor('the feed brings the change', async () => (await search('quetzalcoatl')).includes(id));
});

test('a burst of changes by another writer is read again in one go, not one read per change', async () => {
  const institution = 'omnia.fi';
  const seed = JSON.parse(readFileSync(join(ROOT, 'demo', 'institutions', `${institution}.json`), 'utf8')) as {
    qualifications: Array<{ units: Array<{ localId: string; titles: Array<{ lang: string; value: string }> }> }>;
  };
  const own = seed.qualifications.flatMap((qualification) => qualification.units);
  await catalogueReady(hub.gateway);
  const other = await openOtherProgram(hub.shards.get(institution)?.databaseUrl as string);
  const refreshes = () => metric('hub_catalogue_updates_total', `institution="${institution}",kind="refresh"`);
  const before = await refreshes();
  try {
    // One statement each, so one change each on the feed; the shard finds them all at its next look. The titles in
    // other languages stay, for the tests after this one.
    for (const [i, unit] of own.entries()) {
      const titles = [
        ...unit.titles.filter((title) => title.lang !== 'en'),
        { lang: 'en', value: `Burst${i}q renamed elsewhere` },
      ];
      await other.run('UPDATE unit SET titles = ? WHERE id = ?', [JSON.stringify(titles), unit.localId]);
    }
  } finally {
    await other.close();
  }
  await waitFor('every renamed unit is found', async () => {
    const found = await Promise.all(
      own.map(async (unit, i) => (await search(`burst${i}q`)).includes(`${institution}:${unit.localId}`)),
    );
    return found.every(Boolean);
  });
  expect(own.length).toBeGreaterThan(5);
  // One read per change before; now one per page of the feed (more than one where the shard looked amid them).
  expect((await refreshes()) - before).toBeLessThanOrEqual(own.length / 2);
});

test('a lost feed marks its institution stale in answers; it heals when the shard is back', async () => {
  const shard = hub.shards.get('bbs-hannover.de');
  shard?.pause();
  try {
    await waitFor('answers name the stale institution', async () => {
      const answer = await ask(hub.url, '{ units(first: 1) { totalCount } }');
      const stale = (answer.body as { extensions?: { catalogue?: { stale: Array<{ institution: string }> } } })
        .extensions?.catalogue?.stale;
      return stale?.some((entry) => entry.institution === 'bbs-hannover.de') ?? false;
    });
    const answer = await ask(hub.url, '{ units(first: 1) { totalCount } }');
    const [entry] = (answer.body as { extensions: { catalogue: { stale: Array<Record<string, unknown>> } } }).extensions
      .catalogue.stale;
    expect(entry).toEqual({
      institution: 'bbs-hannover.de',
      reason: 'BEHIND',
      since: expect.any(String),
      ageSeconds: expect.any(Number),
    });
    // Its units are still counted: the catalogue holds them, and says how old they are.
    expect((answer.body.data?.units as { totalCount: number }).totalCount).toBe(units.length);
  } finally {
    shard?.resume();
  }
  await catalogueReady(hub.gateway);
  const healed = await ask(hub.url, '{ units(first: 1) { totalCount } }');
  expect((healed.body as { extensions?: unknown }).extensions).toBeUndefined();
});

test('an operator rebuilds one institution; others may not', async () => {
  const url = `${hub.url.replace(/\/graphql$/, '')}/catalogue/rebuild?institution=rvt.lv`;
  const refused = await fetch(url, { method: 'POST', headers: { authorization: 'Bearer wrong' } });
  expect(refused.status).toBe(403);
  const rebuilt = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${OPERATOR}` } });
  expect(rebuilt.status).toBe(200);
  expect(hub.gateway.catalogue?.states().find((state) => state.institution === 'rvt.lv')).toMatchObject({
    built: true,
    current: true,
  });
});

const RANKED = `query($text: String, $first: Int!, $after: String) {
  units(filter: { text: $text }, orderBy: RELEVANCE, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } nodes { id titles { value } }
  }
}`;
interface RankedPage {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: Array<{ id: string; titles: Array<{ value: string }> }>;
}

test('orderBy RELEVANCE puts title matches first, pages in that order, and finds what the title order finds', async () => {
  const word = 'safety';
  const ranked = (await ask(hub.url, RANKED, { text: word, first: 100 })).body.data?.units as RankedPage;
  const inTitle = ranked.nodes.map((node) => node.titles.some((title) => foldText(title.value).includes(word)));
  expect(inTitle).toContain(true);
  expect(inTitle).toContain(false);
  // Every title match before every other match.
  expect(inTitle.lastIndexOf(true)).toBeLessThan(inTitle.indexOf(false));
  const byTitle = await search(word);
  expect([...ranked.nodes.map((node) => node.id)].sort()).toEqual([...byTitle].sort());
  expect(ranked.totalCount).toBe(byTitle.length);
  const paged: string[] = [];
  let after: string | null = null;
  for (let page = 0; page < 20; page += 1) {
    const answer = (await ask(hub.url, RANKED, { text: word, first: 2, after })).body.data?.units as RankedPage;
    paged.push(...answer.nodes.map((node) => node.id));
    if (!answer.pageInfo.hasNextPage) break;
    after = answer.pageInfo.endCursor;
  }
  expect(paged).toEqual(ranked.nodes.map((node) => node.id));
});

test('RELEVANCE with textLang ranks first the units whose texts in that language hold the words', async () => {
  const query = `query($lang: LanguageCode) {
    units(filter: { text: "elektr", textLang: $lang }, orderBy: RELEVANCE, first: 20) {
      totalCount nodes { id titles { lang value } learningOutcomes { statements { lang value } }
        assessmentCriteria { texts { lang value } } }
    }
  }`;
  type Text = { lang: string; value: string };
  type Node = {
    id: string;
    titles: Text[];
    learningOutcomes: Array<{ statements: Text[] }>;
    assessmentCriteria: Array<{ texts: Text[] }>;
  };
  const ranked = async (lang: string | null) => {
    const answer = await ask(hub.url, query, { lang });
    expect(answer.body.errors).toBeUndefined();
    return (answer.body.data?.units as { nodes: Node[] }).nodes;
  };
  const german = await ranked('de');
  const inGerman = german.map((node) =>
    [
      ...node.titles,
      ...node.learningOutcomes.flatMap((o) => o.statements),
      ...node.assessmentCriteria.flatMap((c) => c.texts),
    ].some((text) => text.lang.startsWith('de') && foldText(text.value).includes('elektr')),
  );
  expect(inGerman).toContain(true);
  expect(inGerman).toContain(false);
  expect(inGerman.lastIndexOf(true)).toBeLessThan(inGerman.indexOf(false));
  // The language moves matches up; it finds the same units; a region picks its language.
  const plain = await ranked(null);
  expect(german.map((node) => node.id)).not.toEqual(plain.map((node) => node.id));
  expect(german.map((node) => node.id).sort()).toEqual(plain.map((node) => node.id).sort());
  expect((await ranked('de-AT')).map((node) => node.id)).toEqual(german.map((node) => node.id));
});

test('RELEVANCE with textLang pages by cursor as it ranks in one page, and a language whose texts hold no word weighs nothing', async () => {
  const query = `query($lang: LanguageCode, $first: Int!, $after: String) {
    units(filter: { text: "welding", textLang: $lang }, orderBy: RELEVANCE, first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } nodes { id titles { value } }
    }
  }`;
  const ranked = async (lang: string | null) => {
    const answer = await ask(hub.url, query, { lang, first: 100 });
    expect(answer.body.errors).toBeUndefined();
    return (answer.body.data?.units as RankedPage).nodes.map((node) => node.id);
  };
  // Pages of two start with the units whose title holds the word whole (its English texts hold it too): Avilés's
  // three and Riga's six, read in title order, not scored.
  const paged = async (lang: string) => {
    const ids: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 20; page += 1) {
      const answer = await ask(hub.url, query, { lang, first: 2, after });
      expect(answer.body.errors).toBeUndefined();
      const units = answer.body.data?.units as RankedPage;
      ids.push(...units.nodes.map((node) => node.id));
      if (!units.pageInfo.hasNextPage) break;
      after = units.pageInfo.endCursor;
    }
    return ids;
  };
  const english = await ranked('en');
  expect(english.length).toBeGreaterThan(9);
  expect(await paged('en')).toEqual(english);
  const latvian = await ranked('lv');
  expect(latvian).toEqual(await ranked(null));
  expect(await paged('lv')).toEqual(latvian);
});

test('RELEVANCE without words is refused, as a shard refuses it', async () => {
  const query = '{ units(orderBy: RELEVANCE, first: 2) { totalCount } }';
  const [actual, expected] = [await ask(hub.url, query), await ask(fanOut.url, query)];
  expect(actual.body.errors?.[0]?.message).toBe(expected.body.errors?.[0]?.message);
  expect(actual.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
});

test('RELEVANCE for a text of punctuation alone finds nothing, as the shards find nothing', async () => {
  const query = '{ units(filter: { text: "!!! %" }, orderBy: RELEVANCE, first: 2) { totalCount nodes { id } } }';
  const [actual, expected] = [await ask(hub.url, query), await ask(fanOut.url, query)];
  expect(actual.body.errors).toBeUndefined();
  expect(actual.body.data).toEqual(expected.body.data);
  expect(actual.body.data).toEqual({ units: { totalCount: 0, nodes: [] } });
});

test('a text search that finds nothing names the words no item holds and the words most like them', async () => {
  const query = `{
    typo: units(filter: { text: "Weldng SAFTY" }, first: 5) { totalCount nodes { id } }
    held: units(filter: { text: "welding safety" }, first: 1) { totalCount }
    qualifications(filter: { text: "xqzvw" }) { totalCount }
  }`;
  const [actual, expected] = [await ask(hub.url, query), await ask(fanOut.url, query)];
  expect(actual.body.errors).toBeUndefined();
  // What is found never depends on them: the same (nothing) as the shards find.
  expect(actual.body.data).toEqual(expected.body.data);
  expect(actual.body.data).toMatchObject({ typo: { totalCount: 0, nodes: [] }, qualifications: { totalCount: 0 } });
  const { suggestions } = (actual.body.extensions?.catalogue ?? {}) as { suggestions?: unknown[] };
  expect(suggestions).toEqual([
    {
      path: ['typo'],
      words: [
        { word: 'weldng', similar: expect.arrayContaining(['welding']) },
        { word: 'safty', similar: expect.arrayContaining(['safety']) },
      ],
      text: 'welding safety',
    },
    { path: ['qualifications'], words: [{ word: 'xqzvw', similar: [] }] },
  ]);
  expect(expected.body.extensions?.catalogue).toBeUndefined();
  // The text suggested finds units, and an answer that finds some suggests nothing.
  const held = (actual.body.data as { held: { totalCount: number } }).held;
  expect(held.totalCount).toBeGreaterThan(0);
  const again = await ask(hub.url, '{ units(filter: { text: "welding safety" }, first: 1) { totalCount } }');
  expect(again.body.extensions?.catalogue).toBeUndefined();
});

test('accents and case are ignored in every language of the demo', async () => {
  const all = (await ask(hub.url, '{ units(first: 100) { nodes { id titles { lang value } } } }')).body.data?.units as {
    nodes: Array<{ id: string; titles: Array<{ lang: string; value: string }> }>;
  };
  for (const lang of ['lv', 'de', 'es', 'fi', 'en']) {
    const node = all.nodes.find((n) => n.titles.some((t) => t.lang === lang && /[^ -~]|\w{5}/.test(t.value)));
    const word = node?.titles
      .find((t) => t.lang === lang)
      ?.value.split(/\s+/)
      .sort((a, b) => b.length - a.length)[0] as string;
    const shouted = word.toLocaleUpperCase(lang);
    const plain = word.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
    for (const text of [shouted, plain]) {
      const ranked = (await ask(hub.url, RANKED, { text, first: 100 })).body.data?.units as RankedPage;
      expect({ lang, text, found: ranked.nodes.some((n) => n.id === node?.id) }).toEqual({ lang, text, found: true });
    }
  }
});

test('an answer from the catalogue says so; one from the fan-out does not', async () => {
  const headerOf = async (url: string) =>
    (
      await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ units(first: 1) { totalCount } }' }),
      })
    ).headers.get('x-hub-catalogue');
  expect(await headerOf(hub.url)).toBe('current');
  expect(await headerOf(fanOut.url)).toBeNull();
});

test("a repeated search calls no shard: the page from the catalogue, the items' data from the entity cache", async () => {
  const headers = async () => {
    const answer = await fetch(hub.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: UNITS, variables: { filter: { eqfLevel: 4 }, first: 5 } }),
    });
    await answer.arrayBuffer();
    return [answer.headers.get('x-hub-catalogue'), answer.headers.get('x-hub-cache')];
  };
  await headers();
  expect(await headers()).toEqual(['current', 'hit']);
});

const base = () => hub.url.replace(/\/graphql$/, '');
interface CatalogueReadiness {
  engine: string;
  institutions: { current: number; stale: number; notRead: number };
  maxAgeSeconds: number | null;
  parts: Array<{ institution: string; state: string; feed: boolean; ageSeconds: number | null }>;
}
const readiness = async () =>
  ((await (await fetch(`${base()}/health/ready`)).json()) as { catalogue: CatalogueReadiness }).catalogue;
/** One sample of a metric, from GET /metrics (the sum of the samples whose labels include `labels`). */
const metric = async (name: string, labels = '') => {
  const text = await (await fetch(`${base()}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .filter((line) => labels.split(',').every((label) => line.includes(label)))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
};

test('readiness names the catalogue state; metrics count its rows, updates and searches', async () => {
  const institutions = new Set(units.map((unit) => unit.institution));
  const health = await readiness();
  expect(health).toMatchObject({
    engine: engine.url ? 'postgres' : 'sqlite',
    institutions: { current: hub.gateway.registry.shards('qualifications').length, stale: 0, notRead: 0 },
    maxAgeSeconds: 0,
  });
  expect(health.parts.every((part) => part.state === 'current' && part.feed && part.ageSeconds === 0)).toBe(true);
  for (const institution of institutions)
    expect(await metric('hub_catalogue_rows', `institution="${institution}",list="units"`)).toBe(
      units.filter((unit) => unit.institution === institution).length,
    );
  expect(await metric('hub_catalogue_stale_institutions')).toBe(0);
  expect(await metric('hub_catalogue_updates_total', 'kind="rebuild",outcome="ok"')).toBeGreaterThanOrEqual(
    institutions.size,
  );
  // Earlier tests wrote through the hub: the records they named were read again.
  expect(await metric('hub_catalogue_updates_total', 'kind="refresh",outcome="ok"')).toBeGreaterThan(0);
  expect(await metric('hub_catalogue_update_duration_seconds_count', 'kind="rebuild"')).toBeGreaterThan(0);
  const searches = await metric('hub_catalogue_search_duration_seconds_count', 'list="units"');
  await ask(hub.url, '{ units(first: 1) { totalCount } }');
  expect(await metric('hub_catalogue_search_duration_seconds_count', `engine="${health.engine}",list="units"`)).toBe(
    searches + 1,
  );
});

test("a stopped owner's items stand in their places, null with an error naming it; the page and cursors stay", async () => {
  const institution = 'omnia.fi';
  const before = `query($first: Int!) { units(first: $first) { pageInfo { hasNextPage endCursor } edges { cursor node { id } } } }`;
  const during = `query($first: Int!) {
    units(first: $first) { pageInfo { hasNextPage endCursor } edges { cursor node { id localId status } } nodes { localId } }
  }`;
  interface Page {
    pageInfo: { hasNextPage: boolean; endCursor: string };
    edges: Array<{ cursor: string; node: { id: string } | null }>;
    nodes?: Array<{ localId: string } | null>;
  }
  const first = 30;
  const expected = (await ask(hub.url, before, { first })).body.data?.units as Page;
  const owned = expected.edges.flatMap((edge, index) => (edge.node?.id.startsWith(`${institution}:`) ? [index] : []));
  expect(owned.length).toBeGreaterThan(0);
  const shard = hub.shards.get(institution);
  await shard?.stop();
  try {
    const answer = await ask(hub.url, during, { first });
    const page = answer.body.data?.units as Page;
    expect(page.edges.map((edge) => edge.cursor)).toEqual(expected.edges.map((edge) => edge.cursor));
    expect(page.pageInfo).toEqual(expected.pageInfo);
    page.edges.forEach((edge, index) => {
      const id = expected.edges[index]?.node?.id as string;
      if (owned.includes(index)) {
        expect(edge.node).toBeNull();
        expect(page.nodes?.[index]).toBeNull();
      } else expect(edge.node?.id).toBe(id);
    });
    for (const index of owned)
      for (const path of [
        ['units', 'edges', index, 'node'],
        ['units', 'nodes', index],
      ])
        expect(answer.body.errors).toContainEqual(
          expect.objectContaining({
            path,
            message: expect.stringContaining(institution),
            extensions: expect.objectContaining({ institution, id: expected.edges[index]?.node?.id }),
          }),
        );
    // Readiness and metrics say the part is behind (its feed is lost, its read fails).
    await waitFor('readiness names the stale part', async () => (await readiness()).institutions.stale === 1);
    const health = await readiness();
    expect(health.parts.find((part) => part.institution === institution)).toMatchObject({
      state: 'stale',
      feed: true,
      ageSeconds: expect.any(Number),
    });
    expect(await metric('hub_catalogue_stale_institutions')).toBe(1);
  } finally {
    await shard?.restart();
  }
  await catalogueReady(hub.gateway);
  expect(await metric('hub_catalogue_stale_institutions')).toBe(0);
}, 30_000);
