import type { Client } from 'graphql-ws';
import { ANNA, expectNothingPersonal, MOU, startHostileHub, type HostileHub } from './hostile-hub';
import { socketClient } from '../harness/socket-client';

/**
 * Personal data through the gateway, for anonymous callers, non-parties and other learners. Whoever is not a
 * party gets exactly what an unknown ID gets (null, an empty list, NOT_FOUND), never an error that confirms the
 * record or names its learner; anonymous callers get UNAUTHENTICATED whether the record exists or not.
 */
let h: HostileHub;
const clients: Client[] = [];
const ids = { assessment: '', decision: '' };
const tokens: Record<'anna' | 'rvt' | 'host' | 'nonParty' | 'otherLearner', string> = {
  anna: '',
  rvt: '',
  host: '',
  nonParty: '',
  otherLearner: '',
};
beforeAll(async () => {
  h = await startHostileHub();
  tokens.anna = await h.token('rvt.lv', ['learner'], ANNA.learnerId);
  tokens.rvt = await h.token('rvt.lv', ['coordinator']);
  tokens.host = await h.token('cifp-aviles.es', ['coordinator']);
  tokens.nonParty = await h.memberToken('omnia.fi');
  tokens.otherLearner = await h.token('rvt.lv', ['learner'], 'rvt.lv:L-18');
  const seen = (
    await h.ok(
      'query($id: ID!) { learningAgreement(id: $id) { assessments { id } recognition { decisions { id } } } }',
      { id: ANNA.agreement },
      tokens.rvt,
    )
  ).learningAgreement as { assessments: Array<{ id: string }>; recognition: { decisions: Array<{ id: string }> } };
  ids.assessment = seen.assessments[0]?.id ?? '';
  ids.decision = seen.recognition.decisions[0]?.id ?? '';
}, 120_000);
afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  await h?.hub.dispose();
});

/** Each personal root field: a real ID of Anna's mobility, and an unknown one of the same owner. */
const ROOTS: Array<{
  field: string;
  query: string;
  real: () => Record<string, unknown>;
  unknown: Record<string, unknown>;
}> = [
  {
    field: 'learningAgreement',
    query: 'query($id: ID!) { learningAgreement(id: $id) { id learner { name email dateOfBirth } } }',
    real: () => ({ id: ANNA.agreement }),
    unknown: { id: 'rvt.lv:LA-NONE' },
  },
  {
    field: 'assessment',
    query: 'query($id: ID!) { assessment(id: $id) { id grade } }',
    real: () => ({ id: ids.assessment }),
    unknown: { id: 'rvt.lv:AS-NONE' },
  },
  {
    field: 'transcript',
    query: 'query($id: ID!) { transcript(learningAgreementId: $id) { entries { grade } } }',
    real: () => ({ id: ANNA.agreement }),
    unknown: { id: 'rvt.lv:LA-NONE' },
  },
  {
    field: 'transcriptDocument',
    query: 'query($id: ID!) { transcriptDocument(id: $id, format: ELMO) { content } }',
    real: () => ({ id: ANNA.transcript }),
    unknown: { id: 'rvt.lv:T-NONE-1' },
  },
  {
    field: 'memorandum',
    query: 'query($id: ID!) { memorandum(id: $id) { id contentHash } }',
    real: () => ({ id: MOU }),
    unknown: { id: 'rvt.lv:MOU-NONE' },
  },
  {
    field: 'recognitionDecision',
    query: 'query($id: ID!) { recognitionDecision(id: $id) { id decision } }',
    real: () => ({ id: ids.decision }),
    unknown: { id: 'rvt.lv:NONE' },
  },
];

const errorCodes = (body: { errors?: Array<{ extensions?: Record<string, unknown> }> }) =>
  (body.errors ?? []).map((error) => error.extensions?.code);

test('the parties see the record (the fixture is what the other tests say it is)', async () => {
  for (const root of ROOTS.filter((r) => r.field !== 'memorandum' && r.field !== 'recognitionDecision')) {
    const answer = await h.request(root.query, root.real(), tokens.anna);
    expect({ field: root.field, errors: answer.body.errors, found: answer.body.data?.[root.field] !== null }).toEqual({
      field: root.field,
      errors: undefined,
      found: true,
    });
  }
  expect((await h.request(ROOTS[4]?.query as string, { id: MOU }, tokens.host)).body.data?.memorandum).not.toBeNull();
  expect(
    (await h.request(ROOTS[5]?.query as string, { id: ids.decision }, tokens.anna)).body.data?.recognitionDecision,
  ).not.toBeNull();
});

test('anonymous callers get UNAUTHENTICATED on every personal root field, whether the record exists or not', async () => {
  for (const root of ROOTS) {
    for (const variables of [root.real(), root.unknown]) {
      const answer = await h.request(root.query, variables);
      expect({
        field: root.field,
        variables,
        codes: errorCodes(answer.body),
        data: answer.body.data?.[root.field] ?? null,
      }).toEqual({
        field: root.field,
        variables,
        codes: ['UNAUTHENTICATED'],
        data: null,
      });
      expectNothingPersonal(answer.body);
    }
  }
});

test('a non-party member and another learner get exactly what an unknown ID gets', async () => {
  for (const [who, token] of [
    ['non-party', tokens.nonParty],
    ['other learner', tokens.otherLearner],
  ] as const) {
    for (const root of ROOTS) {
      const real = await h.request(root.query, root.real(), token);
      const unknown = await h.request(root.query, root.unknown, token);
      expect({ who, field: root.field, answer: real.body }).toEqual({ who, field: root.field, answer: unknown.body });
      expect({ who, field: root.field, answer: real.body }).toEqual({
        who,
        field: root.field,
        answer: { data: { [root.field]: null } },
      });
      expectNothingPersonal(real.body);
    }
  }
});

test('a learner record is for its learner and the sending institution; others are refused whether it exists or not', async () => {
  const query =
    'query($l: ID!) { learnerRecord(learnerId: $l) { learnerId decisions { decision } certificates { code } } }';
  expect((await h.ok(query, { l: ANNA.learnerId }, tokens.anna)).learnerRecord).toEqual(
    expect.objectContaining({ learnerId: ANNA.learnerId }),
  );
  for (const [who, token, code] of [
    ['anonymous', undefined, 'UNAUTHENTICATED'],
    ['non-party', tokens.nonParty, 'FORBIDDEN'],
    ['host', tokens.host, 'FORBIDDEN'],
    ['other learner', tokens.otherLearner, 'FORBIDDEN'],
  ] as const) {
    const real = await h.request(query, { l: ANNA.learnerId }, token);
    const unknown = await h.request(query, { l: 'rvt.lv:L-NONE' }, token);
    expect({ who, codes: errorCodes(real.body), data: real.body.data ?? null }).toEqual({
      who,
      codes: [code],
      data: null,
    });
    expect({ who, codes: errorCodes(unknown.body) }).toEqual({ who, codes: [code] });
    expectNothingPersonal(real.body, [ANNA.learnerId]);
  }
});

test('lists hold only what the caller is party to', async () => {
  const query = '{ learningAgreements { totalCount nodes { learner { name } } } memoranda { totalCount } }';
  for (const [who, token] of [
    ['non-party', tokens.nonParty],
    ['other learner', tokens.otherLearner],
  ] as const) {
    const answer = await h.request(query, {}, token);
    expect({ who, answer: answer.body }).toEqual({
      who,
      answer: { data: { learningAgreements: { totalCount: 0, nodes: [] }, memoranda: { totalCount: 0 } } },
    });
  }
  expect((await h.request(query, {})).body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
});

test('Unit.learningAgreements and Unit.recognitions are empty for anyone but the parties', async () => {
  const query =
    '{ unit(id: "rvt.lv:WELD-U4") { id learningAgreements { id learner { name } } recognitions { id decision } } }';
  const rvt = (await h.ok(query, {}, tokens.rvt)).unit as { learningAgreements: unknown[]; recognitions: unknown[] };
  expect([rvt.learningAgreements.length, rvt.recognitions.length]).toEqual([1, 1]);
  expect(((await h.ok(query, {}, tokens.anna)).unit as { recognitions: unknown[] }).recognitions).toHaveLength(1);
  for (const [who, token] of [
    ['anonymous', undefined],
    ['non-party', tokens.nonParty],
    ['other learner', tokens.otherLearner],
  ] as const) {
    const answer = await h.request(query, {}, token);
    expect({ who, answer: answer.body }).toEqual({
      who,
      answer: { data: { unit: { id: 'rvt.lv:WELD-U4', learningAgreements: [], recognitions: [] } } },
    });
  }
});

test("the host sees the agreement, not the home institution's recognition of it", async () => {
  const answer = await h.request(
    'query($id: ID!) { learningAgreement(id: $id) { learner { name } recognition { decisions { decision } } } }',
    { id: ANNA.agreement },
    tokens.host,
  );
  expect(answer.body).toEqual({
    data: { learningAgreement: { learner: { name: 'Anna Bērziņa' }, recognition: null } },
  });
});

test("audit trails are their institution's coordinators' only", async () => {
  for (const kind of ['mobilities', 'recognition'] as const) {
    const query = `{ trail: ${kind}AuditTrail(institution: "rvt.lv", first: 50) { nodes { input subject } } }`;
    expect(JSON.stringify(await h.ok(query, {}, tokens.rvt))).toContain(ANNA.agreement);
    for (const [who, token, code] of [
      ['anonymous', undefined, 'UNAUTHENTICATED'],
      ['non-party', tokens.nonParty, 'FORBIDDEN'],
      ['host', tokens.host, 'FORBIDDEN'],
      ['learner', tokens.anna, 'FORBIDDEN'],
    ] as const) {
      const answer = await h.request(query, {}, token);
      expect({ kind, who, codes: errorCodes(answer.body), data: answer.body.data ?? null }).toEqual({
        kind,
        who,
        codes: [code],
        data: null,
      });
      expectNothingPersonal(answer.body);
    }
  }
});

test('the transcript download: 401 without a token, and for a non-party the 404 an unknown transcript gets', async () => {
  const base = h.hub.url.replace(/\/graphql$/, '');
  const download = (id: string, token?: string) =>
    fetch(`${base}/documents/transcript/${id}.xml`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  expect((await download(ANNA.transcript, tokens.anna)).status).toBe(200);
  expect((await download(ANNA.transcript)).status).toBe(401);
  for (const token of [tokens.nonParty, tokens.otherLearner]) {
    const real = await download(ANNA.transcript, token);
    const unknown = await download('rvt.lv:T-NONE-1', token);
    expect([real.status, unknown.status]).toEqual([404, 404]);
    expectNothingPersonal(await real.text());
    await unknown.text();
  }
  const forged = await download(
    ANNA.transcript,
    await h.memberToken('omnia.fi', { roles: ['learner'], learner_id: ANNA.learnerId }),
  );
  expect(forged.status).toBe(401);
  expectNothingPersonal(await forged.text(), [ANNA.learnerId]);
});

const SUBSCRIBE =
  'subscription { assessmentRecorded { type assessment { grade } learningAgreement { learner { name email } } } }';

/** Subscribes from the start of the feed; the events delivered within `waitMs`, or how the socket was closed. */
async function subscribe(
  token: string,
  waitMs: number,
): Promise<{ events: unknown[]; closed: { code: number; reason: string } | null; errors: unknown[] }> {
  const client = socketClient(h.hub.url, token, { lazy: true });
  clients.push(client);
  const events: unknown[] = [];
  const errors: unknown[] = [];
  let closed: { code: number; reason: string } | null = null;
  const iterator = client.iterate({ query: SUBSCRIBE });
  const timer = setTimeout(() => void iterator.return?.(), waitMs);
  try {
    for await (const result of iterator) {
      if (result.errors) errors.push(...result.errors);
      if (result.data) events.push(result.data);
    }
  } catch (error) {
    const event = error as { code?: number; reason?: string };
    if (typeof event.code === 'number') closed = { code: event.code, reason: event.reason ?? '' };
    else errors.push(error);
  } finally {
    clearTimeout(timer);
  }
  return { events, closed, errors };
}

test('assessmentRecorded: a forged learner claim is refused at connection_init; another learner sees none of Anna’s events', async () => {
  const anna = await subscribe(tokens.anna, 3_000);
  expect(anna.events.length).toBeGreaterThan(0);
  const forged = await subscribe(
    await h.memberToken('omnia.fi', { roles: ['learner'], learner_id: ANNA.learnerId }),
    3_000,
  );
  expect({ events: forged.events, closed: forged.closed?.code }).toEqual({ events: [], closed: 4401 });
  const other = await subscribe(tokens.otherLearner, 2_000);
  expect({ events: other.events, errors: other.errors, closed: other.closed }).toEqual({
    events: [],
    errors: [],
    closed: null,
  });
});

test('writes by a non-party get the NOT_FOUND an unknown ID gets, and change nothing', async () => {
  const state = async () =>
    h.ok(
      `query($id: ID!) { learningAgreement(id: $id) { status assessments { grade } current { signatures { party } } }
         mobilitiesAuditTrail(institution: "rvt.lv", first: 100) { totalCount } }`,
      { id: ANNA.agreement },
      tokens.rvt,
    );
  const writes: Array<{ query: string; real: () => Record<string, unknown>; unknown: Record<string, unknown> }> = [
    {
      query:
        'mutation($id: ID!) { signLearningAgreement(id: $id, signature: { signerName: "M", signerPosition: "Director" }) { status } }',
      real: () => ({ id: ANNA.agreement }),
      unknown: { id: 'rvt.lv:LA-NONE' },
    },
    {
      query:
        'mutation($id: ID!) { correctAssessment(id: $id, input: { result: NOT_ACHIEVED, grade: "1/10", assessedOn: "2026-01-05", reason: "x" }) { id } }',
      real: () => ({ id: ids.assessment }),
      unknown: { id: 'rvt.lv:AS-NONE' },
    },
    {
      query:
        'mutation($id: ID!) { signMemorandum(id: $id, contentHash: "x", signature: { signerName: "M", signerPosition: "Director" }) { status } }',
      real: () => ({ id: MOU }),
      unknown: { id: 'rvt.lv:MOU-NONE' },
    },
  ];
  const before = await state();
  for (const write of writes) {
    const real = await h.request(write.query, write.real(), tokens.nonParty);
    const unknown = await h.request(write.query, write.unknown, tokens.nonParty);
    expect(errorCodes(real.body)).toEqual(['NOT_FOUND']);
    const message = (answer: typeof real) =>
      answer.body.errors?.[0]?.message
        .replace(String(Object.values(write.real())[0]), '<id>')
        .replace(String(Object.values(write.unknown)[0]), '<id>');
    expect({ query: write.query, message: message(real) }).toEqual({ query: write.query, message: message(unknown) });
    expectNothingPersonal(real.body);
  }
  expect(await state()).toEqual(before);
});
