import { randomUUID } from 'node:crypto';
import { decodeShardCursor, compareShardPositions, foldText } from '../../schema/cursor';
import { LOCAL_ID_PATTERN } from '../../schema/ids';
import { commonRequirements, errorCodesRequirement } from './common';
import type { Requirement } from './kit';
import { check, codesOf, dataOf, Skipped, Violation, type Answer, type Probe } from './probe';

interface SampleUnit {
  id: string;
  localId: string;
  validUntil: string | null;
  updatedAt: string;
  qualification: { id: string };
  learningOutcomes: Array<{ id: string }>;
}

const SAMPLE_QUERY = `{ units(first: 5) { totalCount edges { cursor node { id localId validUntil updatedAt qualification { id } learningOutcomes { id } } } } }`;

/** A few of the shard's units, read once per run: the checks that follow use their IDs. */
const samples = new WeakMap<Probe, SampleUnit[]>();
async function sampleUnits(probe: Probe): Promise<SampleUnit[]> {
  const known = samples.get(probe);
  if (known) return known;
  const data = dataOf(await probe.graphql(SAMPLE_QUERY), 'units(first: 5)');
  const units = (data.units as { edges: Array<{ node: SampleUnit }> }).edges.map((edge) => edge.node);
  if (units.length === 0) throw new Violation('the shard lists no units: the kit needs at least one to check');
  samples.set(probe, units);
  return units;
}

function unitAt(units: SampleUnit[], index: number): SampleUnit {
  return units[Math.min(index, units.length - 1)] as SampleUnit;
}

/** The connections the hub merges from every shard, each node with what says whose it is. */
const OWN_CONNECTIONS = `query($q: ID!) {
  units(first: 100) { edges { node { id institution { id } } } }
  ofQualification: units(first: 100, filter: { qualification: $q }) { nodes { id institution { id } } }
  qualifications(first: 100) { nodes { id institution { id } } } }`;

interface OwnedNode {
  id: string;
  institution: { id: string };
}
interface OwnedNodes {
  nodes: Array<OwnedNode | null>;
}

const ENTITIES = `query($r: [_Any!]!) { _entities(representations: $r) {
  __typename ... on Unit { id } ... on Qualification { id } ... on Institution { id } ... on LearningOutcome { id } } }`;

function entitiesOf(answer: Answer): Array<{ __typename: string; id: string } | null> {
  const data = dataOf(answer, '_entities');
  const list = data._entities;
  check(Array.isArray(list), '_entities is not a list');
  return list as Array<{ __typename: string; id: string } | null>;
}

/** Tags an answer names in `extensions.cache`; a violation when it has none. */
function cacheOf(answer: Answer, what: string): { scope: unknown; tags: string[] } {
  const cache = answer.body.extensions?.cache as { scope?: unknown; tags?: unknown } | undefined;
  check(cache, `${what}: the answer has no extensions.cache (scope and tags)`);
  check(
    Array.isArray(cache.tags) && cache.tags.every((tag) => typeof tag === 'string'),
    `${what}: extensions.cache.tags is not a list of strings`,
  );
  return { scope: cache.scope, tags: cache.tags };
}

interface FeedPage {
  kind?: unknown;
  institution?: unknown;
  first?: unknown;
  last?: unknown;
  feedId?: unknown;
  changes?: Array<{ seq: number; tags: string[]; occurredAt: string }>;
}

const TAG_FORM =
  /^(Institution|UnitList|QualificationList|(Unit|Qualification|LearningOutcome):[A-Za-z0-9][A-Za-z0-9._-]*)$/;

async function readFeed(probe: Probe, after: number | null): Promise<FeedPage> {
  const path = after === null ? '/changes' : `/changes?after=${after}`;
  let answer = await probe.get(path);
  if (answer.status === 401 && probe.options.hopKey) answer = await probe.get(path, true);
  if (answer.status === 401) throw new Skipped('the feed answers signed calls only: give the hub hop key (--hop-key)');
  check(answer.status === 200, `GET ${path}: expected HTTP 200, got ${answer.status}`);
  return answer.json as FeedPage;
}

export function qualificationsRequirements(): Requirement[] {
  return [
    ...commonRequirements('qualifications', '{ institutions { id } }'),
    {
      id: 'id-form',
      title: 'IDs are "<code>:<local id>" of this institution; the institution is its code',
      run: async (probe) => {
        const code = probe.options.institution;
        const institutions = dataOf(await probe.graphql('{ institutions { id } }'), 'institutions')
          .institutions as Array<{ id: string }>;
        check(
          institutions.length === 1 && institutions[0]?.id === code,
          `institutions must be exactly [{ id: "${code}" }], got ${JSON.stringify(institutions)}`,
        );
        for (const unit of await sampleUnits(probe)) {
          const ids = [unit.id, unit.qualification.id, ...unit.learningOutcomes.map((o) => o.id)];
          for (const id of ids) {
            const [owner, local] = [id.slice(0, id.indexOf(':')), id.slice(id.indexOf(':') + 1)];
            check(owner === code && LOCAL_ID_PATTERN.test(local), `ID "${id}" is not "${code}:<local id>"`);
          }
          check(unit.id === `${code}:${unit.localId}`, `unit ${unit.id} has localId "${unit.localId}"`);
        }
      },
    },
    {
      id: 'foreign-ids',
      title: "another institution's ID or a malformed one answers null",
      run: async (probe) => {
        for (const id of ['other-school.example:X-1', `${probe.options.institution}:NO-SUCH-UNIT-0`, 'not an id']) {
          const answer = await probe.graphql('query($id: ID!) { unit(id: $id) { id } }', { id });
          const codes = codesOf(answer);
          check(
            codes.every((c) => c === 'BAD_USER_INPUT'),
            `unit(id: "${id}") must be null (or BAD_USER_INPUT), got errors ${codes.join(', ')}`,
          );
          check(
            !answer.body.data?.unit,
            `unit(id: "${id}") must be null, got ${JSON.stringify(answer.body.data?.unit)}`,
          );
        }
      },
    },
    {
      id: 'own-items',
      title: "similarLearningOutcomes lists the shard's own institution's outcomes only",
      run: async (probe) => {
        const units = await sampleUnits(probe);
        const own = probe.options.institution;
        const unit = unitAt(units, 0);
        const read = dataOf(
          await probe.graphql('query($id: ID!) { unit(id: $id) { learningOutcomes { statement } } }', { id: unit.id }),
          'unit(id) { learningOutcomes }',
        );
        const outcomes = (read.unit as { learningOutcomes?: Array<{ statement?: string }> } | null)?.learningOutcomes;
        const statement = outcomes?.[0]?.statement;
        if (!statement) throw new Skipped(`unit ${unit.id} has no learning outcome to take a statement from`);
        const data = dataOf(
          await probe.graphql(
            'query($s: String!) { similarLearningOutcomes(statement: $s, lang: en, first: 5) { unitId institution } }',
            { s: statement },
          ),
          'similarLearningOutcomes',
        );
        const items = data.similarLearningOutcomes as Array<{ unitId: string; institution: string }>;
        check(items.length > 0, 'one of its own outcomes, given as the statement, must find at least itself');
        for (const item of items) {
          check(
            item.institution === own && item.unitId.startsWith(`${own}:`),
            `every item must be ${own}'s own, got institution ${item.institution}, unit ${item.unitId}`,
          );
        }
      },
    },
    {
      id: 'own-items',
      title: "units (as edges, and filtered) and qualifications list the shard's own institution's items only",
      run: async (probe) => {
        const own = probe.options.institution;
        const unit = unitAt(await sampleUnits(probe), 0);
        const data = dataOf(
          await probe.graphql(OWN_CONNECTIONS, { q: unit.qualification.id }),
          'units, units(filter) and qualifications',
        );
        const connections: Array<[string, Array<OwnedNode | null>]> = [
          ['units(first: 100)', (data.units as { edges: Array<{ node: OwnedNode | null }> }).edges.map((e) => e.node)],
          [`units(filter: { qualification: "${unit.qualification.id}" })`, (data.ofQualification as OwnedNodes).nodes],
          ['qualifications(first: 100)', (data.qualifications as OwnedNodes).nodes],
        ];
        for (const [where, nodes] of connections) {
          check(nodes.length > 0, `${where} lists nothing: the kit needs the shard's own items to check`);
          for (const node of nodes) {
            check(
              node?.id.startsWith(`${own}:`) && node.institution.id === own,
              `${where}: every node must be ${own}'s own (its ID and its institution), got ${node?.id ?? 'null'} of institution ${JSON.stringify(node?.institution.id ?? null)}`,
            );
          }
        }
      },
    },
    {
      id: 'entities-order',
      title: '_entities answers one entry per representation, at its index, across types',
      run: async (probe) => {
        const units = await sampleUnits(probe);
        const [a, b] = [unitAt(units, 1), unitAt(units, 0)];
        const representations = [
          { __typename: 'Unit', id: a.id },
          { __typename: 'Institution', id: probe.options.institution },
          { __typename: 'Unit', id: b.id },
          { __typename: 'Qualification', id: b.qualification.id },
          ...(b.learningOutcomes[0] ? [{ __typename: 'LearningOutcome', id: b.learningOutcomes[0].id }] : []),
        ];
        const got = entitiesOf(await probe.graphql(ENTITIES, { r: representations }));
        check(
          got.length === representations.length,
          `sent ${representations.length} representations, got ${got.length} entries`,
        );
        representations.forEach((sent, index) => {
          const entry = got[index];
          check(
            entry?.id === sent.id && entry.__typename === sent.__typename,
            `entry ${index} must be ${sent.__typename} ${sent.id}, got ${JSON.stringify(entry)}: _entities must keep the representations' order`,
          );
        });
      },
    },
    {
      id: 'entities-unknown',
      title: '_entities answers null at the index of an unknown or foreign ID, without failing the batch',
      run: async (probe) => {
        const unit = unitAt(await sampleUnits(probe), 0);
        const representations = [
          { __typename: 'Unit', id: `${probe.options.institution}:NO-SUCH-UNIT-0` },
          { __typename: 'Unit', id: unit.id },
          { __typename: 'Unit', id: 'other-school.example:X-1' },
        ];
        const got = entitiesOf(await probe.graphql(ENTITIES, { r: representations }));
        check(got.length === 3, `sent 3 representations, got ${got.length} entries`);
        check(got[0] === null, `entry 0 (an unknown unit) must be null, got ${JSON.stringify(got[0])}`);
        check(got[1]?.id === unit.id, `entry 1 must be ${unit.id}, got ${JSON.stringify(got[1])}`);
        check(got[2] === null, `entry 2 (another institution's unit) must be null, got ${JSON.stringify(got[2])}`);
      },
    },
    {
      id: 'paging-cursor',
      title: 'units page to the end with endCursor: each once, in (folded title, local ID) order, k1 cursors',
      run: async (probe) => {
        const seen = new Set<string>();
        let after: string | null = null;
        let total = -1;
        let previous: { sortKey: string; id: string } | null = null;
        for (let page = 0; page < 200; page += 1) {
          const answer = await probe.graphql(
            'query($after: String) { units(first: 3, after: $after) { totalCount edges { cursor node { id localId } } pageInfo { hasNextPage endCursor } } }',
            { after },
          );
          const units = dataOf(answer, `units(first: 3, after: ${JSON.stringify(after)})`).units as {
            totalCount: number;
            edges: Array<{ cursor: string; node: { id: string; localId: string } }>;
            pageInfo: { hasNextPage: boolean; endCursor: string | null };
          };
          total = units.totalCount;
          for (const edge of units.edges) {
            const position = decodeShardCursor(edge.cursor);
            check(position, `cursor "${edge.cursor}" is not k1.<base64url JSON [sortKey, localId]>`);
            check(position.id === edge.node.localId, `cursor of ${edge.node.id} names local ID "${position.id}"`);
            check(
              position.sortKey === foldText(position.sortKey),
              `cursor sort key "${position.sortKey}" is not folded text`,
            );
            check(
              !previous || compareShardPositions(previous, position) < 0,
              `${edge.node.id} (${JSON.stringify(position)}) comes after ${JSON.stringify(previous)}: not in (sortKey, localId) order`,
            );
            check(!seen.has(edge.node.id), `${edge.node.id} was listed twice while paging`);
            seen.add(edge.node.id);
            previous = position;
          }
          check(
            units.pageInfo.endCursor === (units.edges.at(-1)?.cursor ?? null),
            `pageInfo.endCursor must be the last edge's cursor (null on an empty page), got ${JSON.stringify(units.pageInfo.endCursor)}`,
          );
          if (!units.pageInfo.hasNextPage) break;
          check(units.edges.length > 0, 'hasNextPage is true on an empty page');
          after = units.pageInfo.endCursor;
        }
        check(seen.size === total, `paging to the end gave ${seen.size} units, totalCount says ${total}`);
      },
    },
    {
      id: 'paging-bounds',
      title: 'first outside 1-100 and a foreign cursor are BAD_USER_INPUT naming the argument',
      run: async (probe) => {
        const cases: Array<[Record<string, unknown>, string]> = [
          [{ first: 0 }, 'first'],
          [{ first: 101 }, 'first'],
          [{ first: 2, after: 'not-a-cursor' }, 'after'],
        ];
        for (const [variables, field] of cases) {
          const answer = await probe.graphql(
            'query($first: Int!, $after: String) { units(first: $first, after: $after) { totalCount } }',
            variables,
          );
          const error = answer.body.errors?.[0];
          check(
            error?.extensions?.code === 'BAD_USER_INPUT' && error.extensions.field === field,
            `${JSON.stringify(variables)}: expected BAD_USER_INPUT with extensions.field "${field}", got ${JSON.stringify(error ?? null)}`,
          );
        }
      },
    },
    {
      id: 'scalar-values',
      title: "a value the contract's scalars refuse, in a variable or the query, is BAD_USER_INPUT naming the argument",
      run: async (probe) => {
        const cases: Array<[string, Record<string, unknown> | null, string, string]> = [
          [
            'query($f: UnitFilter) { units(filter: $f, first: 1) { totalCount } }',
            { f: { eqfLevel: 99 } },
            'EqfLevel',
            'filter.eqfLevel',
          ],
          ['{ units(filter: { eqfLevel: 99 }, first: 1) { totalCount } }', null, 'EqfLevel', 'filter.eqfLevel'],
          [
            '{ units(filter: { escoOccupation: "welder" }, first: 1) { totalCount } }',
            null,
            'EscoOccupationUri',
            'filter.escoOccupation',
          ],
        ];
        for (const [query, variables, scalar, field] of cases) {
          const error = (await probe.graphql(query, variables)).body.errors?.[0];
          check(
            error?.extensions?.code === 'BAD_USER_INPUT' &&
              error.extensions.field === field &&
              error.message.includes(scalar),
            `${query} ${JSON.stringify(variables ?? {})}: expected BAD_USER_INPUT naming ${scalar} with extensions.field "${field}", got ${JSON.stringify(error ?? null)}`,
          );
        }
      },
    },
    {
      id: 'search',
      title: 'filters: institution, a title word, punctuation alone',
      run: async (probe) => {
        const count = async (filter: Record<string, unknown>) => {
          const data = dataOf(
            await probe.graphql('query($f: UnitFilter) { units(first: 1, filter: $f) { totalCount } }', { f: filter }),
            `units(filter: ${JSON.stringify(filter)})`,
          );
          return (data.units as { totalCount: number }).totalCount;
        };
        const all = await count({});
        check(
          (await count({ institution: probe.options.institution })) === all,
          'filter institution: own code must find every unit',
        );
        check(
          (await count({ institution: 'other-school.example' })) === 0,
          'filter institution: another code must find none',
        );
        check((await count({ text: '%_' })) === 0, 'filter text "%_" (punctuation alone) must find nothing');
        const unit = unitAt(await sampleUnits(probe), 0);
        const title = dataOf(
          await probe.graphql('query($id: ID!) { unit(id: $id) { title(lang: "en") } }', { id: unit.id }),
          'unit',
        ).unit as { title: string | null } | null;
        const word = foldText(title?.title ?? '')
          .split(' ')
          .find((w) => w.length > 3);
        if (!word) return;
        const found = dataOf(
          await probe.graphql('query($f: UnitFilter) { units(first: 100, filter: $f) { nodes { id } } }', {
            f: { text: word.toUpperCase() },
          }),
          'text search',
        ).units as { nodes: Array<{ id: string }> };
        check(
          found.nodes.some((n) => n.id === unit.id),
          `text "${word.toUpperCase()}" (a word of its English title, upper case) must find ${unit.id}`,
        );
      },
    },
    {
      id: 'personal-needs-hop',
      title: 'the audit trail is refused to an anonymous call',
      run: async (probe) => {
        const answer = await probe.graphql(
          'query($i: ID!) { qualificationsAuditTrail(institution: $i, first: 5) { totalCount nodes { id } } }',
          { i: probe.options.institution },
        );
        const codes = codesOf(answer);
        check(
          codes.some((c) => c === 'UNAUTHENTICATED' || c === 'FORBIDDEN'),
          `an unsigned qualificationsAuditTrail must be UNAUTHENTICATED or FORBIDDEN, got ${codes.join(', ') || 'no error'}`,
        );
        check(!answer.body.data?.qualificationsAuditTrail, 'an unsigned qualificationsAuditTrail answered data');
      },
    },
    {
      id: 'personal-needs-hop',
      title: "the audit trail is answered to the institution's coordinator only",
      run: async (probe) => {
        probe.requireHopKey();
        const query = 'query($i: ID!) { qualificationsAuditTrail(institution: $i, first: 5) { totalCount } }';
        const variables = { i: probe.options.institution };
        const own = {
          institution: probe.options.institution,
          roles: ['coordinator' as const],
          learnerId: null,
          subject: 'conformance',
        };
        dataOf(await probe.graphql(query, variables, { as: 'hub', caller: own }), "the institution's coordinator");
        const other = await probe.graphql(query, variables, {
          as: 'hub',
          caller: { ...own, institution: 'other-school.example' },
        });
        check(
          codesOf(other).includes('FORBIDDEN'),
          `another institution's coordinator must get FORBIDDEN, got ${codesOf(other).join(', ') || 'no error'}`,
        );
      },
    },
    {
      id: 'writes-refused',
      title: 'an unsigned mutation is refused and changes nothing',
      run: async (probe) => {
        const unit = unitAt(await sampleUnits(probe), 0);
        const answer = await probe.graphql(
          'mutation($id: ID!) { updateUnit(id: $id, input: { validUntil: "2099-12-31" }) { id validUntil } }',
          { id: unit.id },
        );
        const codes = codesOf(answer);
        check(
          codes.some((c) => c === 'UNAUTHENTICATED' || c === 'FORBIDDEN'),
          `an unsigned updateUnit must be UNAUTHENTICATED or FORBIDDEN, got ${codes.join(', ') || 'no error'}`,
        );
        const after = dataOf(
          await probe.graphql('query($id: ID!) { unit(id: $id) { validUntil updatedAt } }', { id: unit.id }),
          'unit',
        ).unit as { validUntil: string | null; updatedAt: string };
        check(
          after.validUntil === unit.validUntil && after.updatedAt === unit.updatedAt,
          `the refused updateUnit changed ${unit.id}: ${JSON.stringify(after)}`,
        );
      },
    },
    {
      id: 'cache-hints',
      title: 'public answers carry extensions.cache: scope public and the tags of what they read',
      run: async (probe) => {
        const unit = unitAt(await sampleUnits(probe), 0);
        const local = unit.localId;
        const byId = cacheOf(
          await probe.graphql('query($id: ID!) { unit(id: $id) { id learningOutcomes { id } } }', { id: unit.id }),
          `unit(id: "${unit.id}")`,
        );
        check(byId.scope === 'public', `unit(id) must be scope "public", got ${JSON.stringify(byId.scope)}`);
        check(
          byId.tags.includes(`Unit:${local}`),
          `unit(id: "${unit.id}") must be tagged Unit:${local}, got [${byId.tags.join(', ')}]`,
        );
        const qualificationLocal = unit.qualification.id.slice(unit.qualification.id.indexOf(':') + 1);
        const withQualification = cacheOf(
          await probe.graphql('query($id: ID!) { unit(id: $id) { qualification { id title } } }', { id: unit.id }),
          'unit { qualification }',
        );
        check(
          withQualification.tags.includes(`Qualification:${qualificationLocal}`),
          `unit { qualification } must be tagged Qualification:${qualificationLocal}, got [${withQualification.tags.join(', ')}]`,
        );
        const list = cacheOf(await probe.graphql('{ units(first: 1) { totalCount } }'), 'units(first: 1)');
        check(list.tags.includes('UnitList'), `units(...) must be tagged UnitList, got [${list.tags.join(', ')}]`);
      },
    },
    {
      id: 'change-feed',
      title: 'GET /changes: position, pages after a cursor, tags of the contract; unsigned refused when keyed',
      run: async (probe) => {
        if (probe.options.hopKey) {
          const unsigned = await probe.get('/changes');
          check(
            unsigned.status === 401,
            `an unsigned GET /changes must be 401 for a shard that trusts the hub's keys, got ${unsigned.status}`,
          );
        }
        const position = await readFeed(probe, null);
        check(
          position.kind === 'qualifications',
          `the feed must name kind "qualifications", got ${JSON.stringify(position.kind)}`,
        );
        check(
          position.institution === probe.options.institution,
          `the feed must name institution "${probe.options.institution}"`,
        );
        check(typeof position.feedId === 'string' && position.feedId.length > 0, 'the feed must name its feedId');
        check(
          typeof position.last === 'number' && Number.isSafeInteger(position.last),
          'the feed must give "last", a sequence number',
        );
        const after = Math.max(position.last - 20, 0);
        const page = await readFeed(probe, after);
        check(Array.isArray(page.changes), 'the feed page has no "changes" list');
        let previous = after;
        for (const change of page.changes) {
          check(change.seq > previous, `change ${change.seq} follows ${previous}: seq must grow, after the cursor`);
          previous = change.seq;
          check(Array.isArray(change.tags) && change.tags.length > 0, `change ${change.seq} names no tags`);
          const odd = change.tags.filter((tag) => !TAG_FORM.test(tag));
          check(odd.length === 0, `change ${change.seq} names tags outside the contract: ${odd.join(', ')}`);
          check(!Number.isNaN(Date.parse(change.occurredAt)), `change ${change.seq} has no occurredAt instant`);
        }
      },
    },
    {
      id: 'change-tags',
      title: "a write names the unit's tags in its answer and on the feed (--write)",
      writes: true,
      run: async (probe) => {
        probe.requireHopKey();
        const unit = unitAt(await sampleUnits(probe), 0);
        const before = await readFeed(probe, null);
        const caller = {
          institution: probe.options.institution,
          roles: ['coordinator' as const],
          learnerId: null,
          subject: 'conformance',
        };
        // The unit's own value written back: a change the feed must record, and nothing to clean up.
        const answer = await probe.graphql(
          'mutation($id: ID!, $v: LocalDate) { updateUnit(id: $id, input: { validUntil: $v }) { id } }',
          { id: unit.id, v: unit.validUntil },
          { as: 'hub', caller },
        );
        if (codesOf(answer).includes('FORBIDDEN'))
          throw new Skipped(
            "the shard refuses writes through the hub (FORBIDDEN): its records change in the school's own system",
          );
        dataOf(answer, 'updateUnit as coordinator');
        const wanted = [`Unit:${unit.localId}`, 'UnitList'];
        const named = (answer.body.extensions?.changes ?? []) as string[];
        for (const tag of wanted)
          check(named.includes(tag), `the write's extensions.changes must name ${tag}, got [${named.join(', ')}]`);
        const page = await readFeed(probe, before.last as number);
        const onFeed = new Set((page.changes ?? []).flatMap((change) => change.tags));
        for (const tag of wanted)
          check(
            onFeed.has(tag),
            `the feed after ${String(before.last)} must name ${tag}, got [${[...onFeed].join(', ')}]`,
          );
      },
    },
    {
      id: 'idempotency',
      title:
        'a retried write with the same Idempotency-Key gets the first answer; another operation under it CONFLICT (--write)',
      writes: true,
      run: async (probe) => {
        probe.requireHopKey();
        const unit = unitAt(await sampleUnits(probe), 0);
        const caller = {
          institution: probe.options.institution,
          roles: ['coordinator' as const],
          learnerId: null,
          subject: 'conformance',
        };
        const key = `conformance-${randomUUID()}`;
        const write = (digest: string) =>
          probe.graphql(
            'mutation($id: ID!, $v: LocalDate) { updateUnit(id: $id, input: { validUntil: $v }) { id validUntil updatedAt } }',
            { id: unit.id, v: unit.validUntil },
            { as: 'hub', caller, idempotency: { key, digest } },
          );
        const first = await write('operation-a');
        if (codesOf(first).includes('FORBIDDEN'))
          throw new Skipped('the shard refuses writes through the hub (FORBIDDEN): no write to repeat');
        const answer = dataOf(first, 'the first write');
        const retry = dataOf(await write('operation-a'), 'its retry with the same key');
        check(
          JSON.stringify(retry) === JSON.stringify(answer),
          `the retry must get the first answer ${JSON.stringify(answer)}, got ${JSON.stringify(retry)}`,
        );
        const other = await write('operation-b');
        const error = other.body.errors?.[0];
        check(
          error?.extensions?.code === 'CONFLICT' && error.message.includes('Idempotency-Key'),
          `another operation under the same key must be CONFLICT naming Idempotency-Key, got ${JSON.stringify(error ?? other.body.data)}`,
        );
      },
    },
    errorCodesRequirement,
  ];
}
