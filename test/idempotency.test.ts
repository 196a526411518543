import { createHash } from 'node:crypto';
import type { GraphQLAnswer } from './harness/hub';
import { openShardDatabase, startKillableHub, type KillableHub, type ShardDatabase } from './harness/killable-hub';
import { seedUnits } from './seeds';

/** Idempotency-Key on mutations, through the gateway to shard processes: a retry is answered, not run again. */
let hub: KillableHub;
let db: ShardDatabase;
let coordinator: string;
beforeAll(async () => {
  hub = await startKillableHub({ institutions: ['rvt.lv', 'omnia.fi'] });
  db = await openShardDatabase(hub.shards.get('rvt.lv')?.databaseUrl as string);
  coordinator = await hub.token('rvt.lv', ['coordinator']);
  const raised = await hub.request(
    'mutation($id: ID!) { updateQualification(id: $id, input: { ecvetPoints: 900 }) { ecvetPoints } }',
    { id: qualificationId() },
    coordinator,
  );
  expect(raised.body.errors).toBeUndefined();
});
afterAll(async () => {
  await db?.close();
  await hub?.dispose();
});

const qualificationId = () => seedUnits(['rvt.lv'])[0]?.qualificationId as string;
const CREATE = 'mutation($input: CreateUnitInput!) { createUnit(input: $input) { id title ecvetPoints } }';
const unitInput = (localId: string, title = `Orbital welding ${localId}`) => ({
  qualificationId: qualificationId(),
  localId,
  titles: [{ lang: 'en', value: title }],
  eqfLevel: 4,
  ecvetPoints: 1,
  learningOutcomes: [
    {
      category: 'SKILLS',
      statements: [{ lang: 'en', value: 'The learner sets up an orbital welding head.' }],
      escoSkills: [],
    },
  ],
  validFrom: '2026-09-01',
});
const key = (name: string) => ({ 'Idempotency-Key': `${name}-${Date.now()}` });

async function rowsOf(localId: string): Promise<{ units: number; audits: number }> {
  const [units] = await db.query<{ n: number | string }>('SELECT COUNT(*) AS n FROM unit WHERE id = ?', [localId]);
  const [audits] = await db.query<{ n: number | string }>('SELECT COUNT(*) AS n FROM audit_entry WHERE entityId = ?', [
    `rvt.lv:${localId}`,
  ]);
  return { units: Number(units?.n), audits: Number(audits?.n) };
}

async function claims(idempotencyKey: string): Promise<Array<{ scope: string; response: string | null }>> {
  return db.query('SELECT scope, response FROM idempotency_record WHERE idempotencyKey = ?', [idempotencyKey]);
}

test('a retry with the same key gets the byte-identical answer and the write happens once', async () => {
  const headers = key('create');
  const first = await hub.request(CREATE, { input: unitInput('IDEM-1') }, coordinator, headers);
  expect(first.body).toEqual({
    data: { createUnit: { id: 'rvt.lv:IDEM-1', title: 'Orbital welding IDEM-1', ecvetPoints: 1 } },
  });
  for (let retry = 0; retry < 3; retry += 1) {
    const again = await hub.request(CREATE, { input: unitInput('IDEM-1') }, coordinator, headers);
    expect(again.status).toBe(200);
    expect(again.text).toBe(first.text);
  }
  expect(await rowsOf('IDEM-1')).toEqual({ units: 1, audits: 1 });
  expect(await claims(headers['Idempotency-Key'])).toEqual([
    { scope: 'rvt.lv demo:coordinator@rvt.lv', response: expect.stringContaining('IDEM-1') },
  ]);
});

test('the same key with another operation or other variables is refused with CONFLICT naming the header', async () => {
  const headers = key('reuse');
  expect((await hub.request(CREATE, { input: unitInput('IDEM-2') }, coordinator, headers)).body.errors).toBeUndefined();
  const other = await hub.request(CREATE, { input: unitInput('IDEM-3') }, coordinator, headers);
  expect(other.body.errors?.[0]).toEqual(
    expect.objectContaining({
      message: expect.stringMatching(/Idempotency-Key .* was used for a different request/),
      extensions: expect.objectContaining({ code: 'CONFLICT', institution: 'rvt.lv' }),
    }),
  );
  const update = await hub.request(
    'mutation { updateUnit(id: "rvt.lv:IDEM-2", input: { eqfLevel: 5 }) { id eqfLevel } }',
    undefined,
    coordinator,
    headers,
  );
  expect(update.body.errors?.[0]?.extensions?.code).toBe('CONFLICT');
  expect(await rowsOf('IDEM-3')).toEqual({ units: 0, audits: 0 });
  expect(await rowsOf('IDEM-2')).toEqual({ units: 1, audits: 1 });
});

test('without a key a mutation runs as before: a repeated create is a duplicate', async () => {
  expect((await hub.request(CREATE, { input: unitInput('IDEM-4') }, coordinator)).body.errors).toBeUndefined();
  const again = await hub.request(CREATE, { input: unitInput('IDEM-4') }, coordinator);
  expect(again.body.errors?.[0]).toEqual(
    expect.objectContaining({
      message: expect.stringMatching(/exists already/),
      extensions: expect.objectContaining({ code: 'CONFLICT' }),
    }),
  );
  expect(await rowsOf('IDEM-4')).toEqual({ units: 1, audits: 1 });
});

test.each([
  ['empty', ''],
  ['too long', 'k'.repeat(201)],
  ['with a space', 'two words'],
  ['not ASCII', 'clé-1'],
])(
  'a key that is %s is refused with 400 BAD_USER_INPUT naming the header and the rule; nothing is written',
  async (_name, value) => {
    const answer = await hub.request(CREATE, { input: unitInput('IDEM-BAD') }, coordinator, {
      'Idempotency-Key': value,
    });
    expect(answer.status).toBe(400);
    expect(answer.body.errors?.[0]).toEqual(
      expect.objectContaining({
        message: 'The Idempotency-Key header must be 1 to 200 visible ASCII characters (no spaces)',
        extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'Idempotency-Key' }),
      }),
    );
    expect(await rowsOf('IDEM-BAD')).toEqual({ units: 0, audits: 0 });
  },
);

test('a query ignores the header, even a malformed one', async () => {
  const answer = await hub.request('{ unit(id: "rvt.lv:IDEM-1") { id } }', undefined, coordinator, {
    'Idempotency-Key': 'two words',
  });
  expect(answer.body).toEqual({ data: { unit: { id: 'rvt.lv:IDEM-1' } } });
});

test("a key another caller used is that caller's: it neither answers nor blocks this one", async () => {
  const headers = key('shared');
  const colleague = await hub.token('rvt.lv', ['coordinator'], 'maris@rvt.lv');
  const mine = await hub.request(CREATE, { input: unitInput('IDEM-5') }, coordinator, headers);
  const theirs = await hub.request(CREATE, { input: unitInput('IDEM-6') }, colleague, headers);
  expect(mine.body.data).toEqual({ createUnit: expect.objectContaining({ id: 'rvt.lv:IDEM-5' }) });
  expect(theirs.body.data).toEqual({ createUnit: expect.objectContaining({ id: 'rvt.lv:IDEM-6' }) });
  const omnia = await hub.token('omnia.fi', ['coordinator']);
  const elsewhere = await hub.request(
    'mutation { updateUnit(id: "rvt.lv:IDEM-5", input: { eqfLevel: 5 }) { id } }',
    undefined,
    omnia,
    headers,
  );
  expect(elsewhere.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  expect((await claims(headers['Idempotency-Key'])).map((claim) => claim.scope).sort()).toEqual([
    'rvt.lv demo:coordinator@rvt.lv',
    'rvt.lv maris@rvt.lv',
  ]);
});

test('a refused mutation leaves no claim, so its retry runs afresh', async () => {
  const headers = key('refused');
  const taken = await hub.request(CREATE, { input: unitInput('IDEM-1', 'Another title') }, coordinator, headers);
  expect(taken.body.errors?.[0]?.extensions?.code).toBe('CONFLICT');
  expect(await claims(headers['Idempotency-Key'])).toEqual([]);
  const update = 'mutation { updateUnit(id: "rvt.lv:IDEM-4", input: { eqfLevel: 6 }) { id eqfLevel } }';
  const forbidden = await hub.request(update, undefined, await hub.token('rvt.lv', ['viewer']), headers);
  expect(forbidden.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  expect(await claims(headers['Idempotency-Key'])).toEqual([]);
});

test('a key whose write committed but whose answer was not stored gets CONFLICT with committed: true', async () => {
  const headers = key('unanswered');
  const update = 'mutation { updateUnit(id: "rvt.lv:IDEM-4", input: { eqfLevel: 5 }) { id eqfLevel } }';
  expect((await hub.request(update, undefined, coordinator, headers)).body.errors).toBeUndefined();
  // As if the shard had stopped between its commit and storing the answer.
  await db.query('UPDATE idempotency_record SET response = NULL WHERE idempotencyKey = ?', [
    headers['Idempotency-Key'],
  ]);
  const retry = await hub.request(update, undefined, coordinator, headers);
  expect(retry.body.errors?.[0]).toEqual(
    expect.objectContaining({
      message: expect.stringMatching(/was committed, but its answer is not recorded/),
      extensions: expect.objectContaining({ code: 'CONFLICT', committed: true, institution: 'rvt.lv' }),
    }),
  );
  expect(await rowsOf('IDEM-4')).toEqual({ units: 1, audits: 2 });
});

test('each root mutation of one operation is remembered on its own, and a retry of the whole operation repeats none', async () => {
  const headers = key('two');
  const both = `mutation { a: createUnit(input: ${literal(unitInput('IDEM-7'))}) { id } b: updateUnit(id: "rvt.lv:IDEM-7", input: { eqfLevel: 6 }) { id eqfLevel } }`;
  const first = await hub.request(both, undefined, coordinator, headers);
  expect(first.body).toEqual({ data: { a: { id: 'rvt.lv:IDEM-7' }, b: { id: 'rvt.lv:IDEM-7', eqfLevel: 6 } } });
  const again = await hub.request(both, undefined, coordinator, headers);
  expect(again.text).toBe(first.text);
  expect(await rowsOf('IDEM-7')).toEqual({ units: 1, audits: 2 });
});

/** Automatic persisted queries (on in Apollo Server): a client may send the text with its hash, then the hash alone. */
const persisted = (query: string) => ({
  persistedQuery: { version: 1, sha256Hash: createHash('sha256').update(query).digest('hex') },
});

async function post(
  body: Record<string, unknown>,
  token: string,
  headers: Record<string, string>,
): Promise<GraphQLAnswer & { text: string }> {
  const response = await fetch(hub.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, text, body: JSON.parse(text) as GraphQLAnswer['body'] };
}

test('a mutation retried as its persisted-query hash alone is answered, not run again, and so the other way round', async () => {
  const headers = key('apq');
  const variables = { input: unitInput('IDEM-APQ-1') };
  const first = await post({ query: CREATE, variables, extensions: persisted(CREATE) }, coordinator, headers);
  expect(first.body).toEqual({
    data: { createUnit: { id: 'rvt.lv:IDEM-APQ-1', title: 'Orbital welding IDEM-APQ-1', ecvetPoints: 1 } },
  });
  const hashOnly = await post({ variables, extensions: persisted(CREATE) }, coordinator, headers);
  expect(hashOnly.status).toBe(200);
  expect(hashOnly.text).toBe(first.text);
  expect(await rowsOf('IDEM-APQ-1')).toEqual({ units: 1, audits: 1 });
  // The hash alone names the same operation: other variables under the key are another request.
  const other = await post(
    { variables: { input: unitInput('IDEM-APQ-2') }, extensions: persisted(CREATE) },
    coordinator,
    headers,
  );
  expect(other.body.errors?.[0]).toEqual(
    expect.objectContaining({
      message: expect.stringMatching(/was used for a different request/),
      extensions: expect.objectContaining({ code: 'CONFLICT' }),
    }),
  );
  expect(await rowsOf('IDEM-APQ-2')).toEqual({ units: 0, audits: 0 });

  // A first attempt sent as the hash alone (known to the hub by now) and its retry sent as text.
  const second = key('apq-text');
  const next = { input: unitInput('IDEM-APQ-3') };
  const byHash = await post({ variables: next, extensions: persisted(CREATE) }, coordinator, second);
  expect(byHash.body.data).toEqual({ createUnit: expect.objectContaining({ id: 'rvt.lv:IDEM-APQ-3' }) });
  const byText = await hub.request(CREATE, next, coordinator, second);
  expect(byText.text).toBe(byHash.text);
  expect(await rowsOf('IDEM-APQ-3')).toEqual({ units: 1, audits: 1 });
});

test('a malformed key on a mutation sent as its persisted-query hash is refused with 400; a query sent so ignores it', async () => {
  const query = '{ unit(id: "rvt.lv:IDEM-1") { id } }';
  expect((await post({ query, extensions: persisted(query) }, coordinator, {})).body.errors).toBeUndefined();
  const read = await post({ extensions: persisted(query) }, coordinator, { 'Idempotency-Key': 'two words' });
  expect(read.body).toEqual({ data: { unit: { id: 'rvt.lv:IDEM-1' } } });
  const write = await post(
    { variables: { input: unitInput('IDEM-APQ-BAD') }, extensions: persisted(CREATE) },
    coordinator,
    { 'Idempotency-Key': 'two words' },
  );
  expect(write.status).toBe(400);
  expect(write.body.errors?.[0]).toEqual(
    expect.objectContaining({
      message: 'The Idempotency-Key header must be 1 to 200 visible ASCII characters (no spaces)',
      extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'Idempotency-Key' }),
    }),
  );
  expect(await rowsOf('IDEM-APQ-BAD')).toEqual({ units: 0, audits: 0 });
});

/** A GraphQL input literal of a plain value (enum values are the upper-case strings). */
function literal(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(literal).join(', ')}]`;
  if (typeof value === 'object' && value !== null)
    return `{ ${Object.entries(value)
      .map(([name, item]) => `${name}: ${literal(item)}`)
      .join(', ')} }`;
  if (typeof value === 'string' && /^[A-Z_]+$/.test(value)) return value;
  return JSON.stringify(value);
}
