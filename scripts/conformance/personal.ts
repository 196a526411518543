import { commonRequirements, errorCodesRequirement } from './common';
import type { Requirement } from './kit';
import { check, codesOf, dataOf } from './probe';

/** A kind that keeps personal data: what an anonymous call must not see, and a write it must refuse. */
interface PersonalKind {
  kind: 'mobilities' | 'recognition';
  /** A public query of the institution that must succeed anonymously. */
  sample: (code: string) => string;
  /** A by-ID read of personal data and its entity type. */
  byId: { query: string; field: string; typename: string; localId: string };
  /** A list of personal data: empty to an anonymous call. */
  list?: { query: string; field: string };
  /** A subscription of the kind's outbox, for the institution's own events. */
  subscription: (code: string) => string;
  /** A mutation an anonymous call must be refused. */
  mutation: (code: string) => { query: string; variables: Record<string, unknown> };
}

const KINDS: Record<PersonalKind['kind'], PersonalKind> = {
  mobilities: {
    kind: 'mobilities',
    sample: (code) => `{ mobilitiesSigningKeys(institution: "${code}") }`,
    byId: {
      query: 'query($id: ID!) { learningAgreement(id: $id) { id } }',
      field: 'learningAgreement',
      typename: 'LearningAgreement',
      localId: 'LA-2026-001',
    },
    list: { query: '{ learningAgreements(first: 5) { totalCount nodes { id } } }', field: 'learningAgreements' },
    subscription: (code) => `subscription { assessmentRecorded(filter: { institution: "${code}" }) { cursor } }`,
    mutation: (code) => ({
      query: 'mutation($id: ID!) { cancelLearningAgreement(id: $id, reason: "conformance") { id } }',
      variables: { id: `${code}:LA-2026-001` },
    }),
  },
  recognition: {
    kind: 'recognition',
    sample: (code) => `{ recognitionSigningKeys(institution: "${code}") }`,
    byId: {
      query: 'query($id: ID!) { recognitionDecision(id: $id) { id } }',
      field: 'recognitionDecision',
      typename: 'RecognitionDecision',
      localId: 'RD-1',
    },
    subscription: (code) => `subscription { recognitionDecided(filter: { institution: "${code}" }) { cursor } }`,
    mutation: (code) => ({
      query: 'mutation($c: String!) { revokeCertificate(code: $c, reason: "conformance") { code } }',
      variables: { c: `${code}:AAAA-BBBB-CCCC` },
    }),
  },
};

const ENTITIES = (typename: string) =>
  `query($r: [_Any!]!) { _entities(representations: $r) { __typename ... on ${typename} { id } } }`;

export function personalRequirements(kind: 'mobilities' | 'recognition', institution: string): Requirement[] {
  const spec = KINDS[kind];
  return [
    ...commonRequirements(kind, spec.sample(institution)),
    {
      id: 'personal-needs-hop',
      title: `an anonymous ${spec.byId.field} and _entities(${spec.byId.typename}) answer null (UNAUTHENTICATED at most)`,
      run: async (probe) => {
        const id = `${probe.options.institution}:${spec.byId.localId}`;
        const read = await probe.graphql(spec.byId.query, { id });
        check(!read.body.data?.[spec.byId.field], `an unsigned ${spec.byId.field}(id: "${id}") answered data`);
        const answer = await probe.graphql(ENTITIES(spec.byId.typename), {
          r: [
            { __typename: spec.byId.typename, id },
            { __typename: spec.byId.typename, id: 'other-school.example:X-1' },
          ],
        });
        const codes = codesOf(answer);
        check(
          codes.every((c) => c === 'UNAUTHENTICATED'),
          `unsigned _entities may be refused with UNAUTHENTICATED only, got ${codes.join(', ')}`,
        );
        const entities = answer.body.data?._entities;
        check(
          entities === null || entities === undefined || (Array.isArray(entities) && entities.every((e) => e === null)),
          `unsigned _entities must answer no record, got ${JSON.stringify(entities)}`,
        );
      },
    },
    {
      id: 'entities-unknown',
      title: `to a signed-in non-party, ${spec.byId.field} and _entities answer null as for an unknown ID, without errors`,
      run: async (probe) => {
        probe.requireHopKey();
        const caller = {
          institution: 'other-school.example',
          roles: ['coordinator' as const],
          learnerId: null,
          subject: 'conformance',
        };
        const id = `${probe.options.institution}:${spec.byId.localId}`;
        const read = dataOf(await probe.graphql(spec.byId.query, { id }, { as: 'hub', caller }), spec.byId.field);
        check(
          read[spec.byId.field] === null,
          `${spec.byId.field}(id: "${id}") must be null, got ${JSON.stringify(read[spec.byId.field])}`,
        );
        const unknown = `${probe.options.institution}:NO-SUCH-RECORD-0`;
        const answer = await probe.graphql(
          ENTITIES(spec.byId.typename),
          {
            r: [
              { __typename: spec.byId.typename, id },
              { __typename: spec.byId.typename, id: unknown },
            ],
          },
          { as: 'hub', caller },
        );
        const entities = answer.body.data?._entities;
        check(
          Array.isArray(entities) && entities.length === 2 && entities.every((e) => e === null),
          `_entities must be [null, null], got ${JSON.stringify(entities)}`,
        );
        const errors = answer.body.errors ?? [];
        check(
          errors.every((e) => e.extensions?.code === 'NOT_FOUND'),
          `_entities may name each missing record NOT_FOUND only, got ${codesOf(answer).join(', ')}`,
        );
        // Whatever is said about the record that exists must be what is said about one that does not.
        const said = (index: number, recordId: string) =>
          errors
            .filter((e) => e.path?.[1] === index)
            .map((e) => e.message.replace(recordId, '<id>'))
            .join('|');
        check(
          said(0, id) === said(1, unknown),
          `a record the caller may not see must answer as an unknown one: "${said(0, id)}" vs "${said(1, unknown)}"`,
        );
      },
    },
    ...(spec.list
      ? [
          {
            id: 'personal-needs-hop',
            title: `an anonymous ${spec.list.field} is empty`,
            run: async (probe) => {
              const answer = await probe.graphql(spec.list?.query ?? '');
              const list = answer.body.data?.[spec.list?.field ?? ''] as
                { totalCount: number; nodes: unknown[] } | null | undefined;
              check(
                !list || (list.totalCount === 0 && list.nodes.length === 0),
                `an unsigned ${spec.list?.field ?? ''} must be empty, got ${JSON.stringify(list)}`,
              );
            },
          } satisfies Requirement,
        ]
      : []),
    ...(spec.list
      ? [
          {
            id: 'paging-bounds',
            title: `${spec.list.field}: first outside 1-100 and a foreign cursor are BAD_USER_INPUT naming the argument`,
            run: async (probe) => {
              probe.requireHopKey();
              const caller = {
                institution: probe.options.institution,
                roles: ['coordinator' as const],
                learnerId: null,
                subject: 'conformance',
              };
              const field = spec.list?.field ?? '';
              const cases: Array<[Record<string, unknown>, string]> = [
                [{ first: 0 }, 'first'],
                [{ first: 101 }, 'first'],
                [{ first: 2, after: 'not-a-cursor' }, 'after'],
              ];
              for (const [variables, name] of cases) {
                const answer = await probe.graphql(
                  `query($first: Int!, $after: String) { ${field}(first: $first, after: $after) { totalCount } }`,
                  variables,
                  { as: 'hub', caller },
                );
                const error = answer.body.errors?.[0];
                check(
                  error?.extensions?.code === 'BAD_USER_INPUT' && error.extensions.field === name,
                  `${JSON.stringify(variables)}: expected BAD_USER_INPUT with extensions.field "${name}", got ${JSON.stringify(error ?? null)}`,
                );
              }
            },
          } satisfies Requirement,
        ]
      : []),
    {
      id: 'writes-refused',
      title: 'an unsigned mutation is refused',
      run: async (probe) => {
        const { query, variables } = spec.mutation(probe.options.institution);
        const codes = codesOf(await probe.graphql(query, variables));
        check(
          codes.some((c) => c === 'UNAUTHENTICATED' || c === 'FORBIDDEN' || c === 'NOT_FOUND'),
          `an unsigned mutation must be UNAUTHENTICATED, FORBIDDEN or NOT_FOUND, got ${codes.join(', ') || 'no error'}`,
        );
      },
    },
    {
      id: 'outbox',
      title: "a subscription connection signed with a stranger's key is closed and sees no event",
      run: async (probe) => {
        const outcome = await probe.subscribe(spec.subscription(probe.options.institution), { as: 'stranger' });
        check(
          outcome.events.length === 0 && outcome.closeCode !== null && outcome.closeCode >= 4400,
          `expected the connection closed with a 44xx code and no event, got close ${String(outcome.closeCode)} and ${outcome.events.length} event(s)`,
        );
      },
    },
    {
      id: 'outbox',
      title: "a subscription connection signed by the hub for the institution's coordinator is accepted",
      run: async (probe) => {
        probe.requireHopKey();
        const caller = {
          institution: probe.options.institution,
          roles: ['coordinator' as const],
          learnerId: null,
          subject: 'conformance',
        };
        const outcome = await probe.subscribe(spec.subscription(probe.options.institution), { as: 'hub', caller });
        check(
          outcome.errors.length === 0 && outcome.closeCode === null,
          `expected the subscription to stay open, got close ${String(outcome.closeCode)} and errors ${JSON.stringify(outcome.errors)}`,
        );
      },
    },
    errorCodesRequirement,
  ];
}
