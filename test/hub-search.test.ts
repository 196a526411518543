import { startTestHub, type TestHub } from './harness/hub';
import { hubOrder, seedUnits } from './seeds';

/** Cross-border search through the gateway over real shard processes, one per demo institution. */
let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(async () => hub?.dispose());

const PAGE = `
  query Page($filter: UnitFilter, $first: Int!, $after: String) {
    units(filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node { id eqfLevel ecvetPoints institution { id country } } }
    }
  }`;

interface UnitPage {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: Array<{
    cursor: string;
    node: { id: string; eqfLevel: number; ecvetPoints: number; institution: { id: string; country: string } };
  }>;
}

async function readAll(
  filter: Record<string, unknown>,
  first: number,
): Promise<{ ids: string[]; pages: number; totalCount: number }> {
  const ids: string[] = [];
  let after: string | null = null;
  let pages = 0;
  let totalCount = 0;
  for (;;) {
    const answer = await hub.request(PAGE, { filter, first, after });
    expect(answer.body.errors).toBeUndefined();
    const page = answer.body.data?.units as UnitPage;
    totalCount = page.totalCount;
    ids.push(...page.edges.map((edge) => edge.node.id));
    pages += 1;
    if (!page.pageInfo.hasNextPage) return { ids, pages, totalCount };
    after = page.pageInfo.endCursor;
    expect(pages).toBeLessThan(100);
  }
}

test('EQF level 4 units come from every partner country, with their learning outcomes', async () => {
  const answer = await hub.request(`{
    units(filter: { eqfLevel: 4 }, first: 100) {
      nodes { id title(lang: "en") institution { country } learningOutcomes { category statement(lang: "en") escoSkills } }
    }
  }`);
  expect(answer.body.errors).toBeUndefined();
  const nodes = (
    answer.body.data?.units as {
      nodes: Array<{ institution: { country: string }; learningOutcomes: unknown[]; title: string }>;
    }
  ).nodes;
  const countries = new Set(nodes.map((n) => n.institution.country));
  expect(countries.size).toBeGreaterThanOrEqual(3);
  expect(nodes.every((n) => n.learningOutcomes.length > 0 && n.title.length > 0)).toBe(true);
});

test('paging across shards visits every unit once, in the hub order, whatever the page size', async () => {
  const expected = seedUnits()
    .sort(hubOrder)
    .map((u) => u.id);
  for (const first of [1, 3, 7, 100]) {
    const { ids, totalCount } = await readAll({}, first);
    expect(totalCount).toBe(expected.length);
    expect(ids).toEqual(expected);
  }
});

test('filters narrow the merged list exactly as the seeds say', async () => {
  const units = seedUnits();
  const skill = units.flatMap((u) => u.skills).find((s, _, all) => all.filter((x) => x === s).length > 1) as string;
  const cases: Array<[Record<string, unknown>, (u: (typeof units)[number]) => boolean]> = [
    [{ eqfLevel: 4 }, (u) => u.eqfLevel === 4],
    [{ country: 'LV' }, (u) => u.country === 'LV'],
    [{ institution: 'omnia.fi' }, (u) => u.institution === 'omnia.fi'],
    [{ iscedField: '07' }, (u) => u.iscedCode.startsWith('07')],
    [{ iscedField: '0715' }, (u) => u.iscedCode === '0715'],
    [{ ecvetPoints: { min: 20, max: 30 } }, (u) => u.ecvetPoints >= 20 && u.ecvetPoints <= 30],
    [{ escoSkills: [skill] }, (u) => u.skills.includes(skill)],
    [{ qualification: units[0]?.qualificationId }, (u) => u.qualificationId === units[0]?.qualificationId],
  ];
  for (const [filter, keep] of cases) {
    const expected = units
      .filter(keep)
      .sort(hubOrder)
      .map((u) => u.id);
    expect(expected.length).toBeGreaterThan(0);
    const { ids, totalCount } = await readAll(filter, 5);
    expect({ filter, ids }).toEqual({ filter, ids: expected });
    expect(totalCount).toBe(expected.length);
  }
});

test('text search matches words in any language, ignoring accents and case', async () => {
  const all = await hub.request('{ units(first: 100) { nodes { id titles { lang value } } } }');
  const nodes = (
    all.body.data?.units as { nodes: Array<{ id: string; titles: Array<{ lang: string; value: string }> }> }
  ).nodes;
  const latvian = nodes.find((n) => n.id.startsWith('rvt.lv:') && n.titles.some((t) => t.lang === 'lv'));
  const word = latvian?.titles
    .find((t) => t.lang === 'lv')
    ?.value.split(/\s+/)
    .find((w) => w.length > 4) as string;
  const folded = word
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase();
  const answer = await hub.request(
    'query($text: String) { units(filter: { text: $text }, first: 100) { nodes { id } } }',
    { text: folded },
  );
  expect(answer.body.errors).toBeUndefined();
  expect((answer.body.data?.units as { nodes: Array<{ id: string }> }).nodes.map((n) => n.id)).toContain(latvian?.id);
});

test('institutions and qualifications fan out too', async () => {
  const answer = await hub.request(
    '{ institutions { id country name(lang: "en") } qualifications(first: 100) { totalCount nodes { id ecvetPoints units { ecvetPoints } } } }',
  );
  expect(answer.body.errors).toBeUndefined();
  const institutions = answer.body.data?.institutions as Array<{ id: string }>;
  expect(institutions.map((i) => i.id)).toEqual(['bbs-hannover.de', 'cifp-aviles.es', 'omnia.fi', 'rvt.lv']);
  const qualifications = (
    answer.body.data?.qualifications as { nodes: Array<{ ecvetPoints: number; units: Array<{ ecvetPoints: number }> }> }
  ).nodes;
  for (const q of qualifications) expect(q.units.reduce((sum, u) => sum + u.ecvetPoints, 0)).toBeCloseTo(q.ecvetPoints);
});
