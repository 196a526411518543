import WebSocket from 'ws';
import { createDemoMobilities } from '../../scripts/demo-mobilities';
import { mintDemoToken } from '../../scripts/token';
import { startTestHub, type TestHub } from '../harness/hub';
import { correctDemoAssessment } from '../harness/demo-assessments';
import { waitFor } from '../harness/wait';

/**
 * The gateway's WebSocket as an attacker meets it: message size before sign-in, operation limits at subscribe
 * time, anonymous sockets per address and in all, a missing connection_init, a flood of subscribe messages, and
 * a token that expires under an open subscription. Raw sockets, so every close code and message is seen as sent.
 */
let hub: TestHub;
const probes: Probe[] = [];
const LIMITS = { maxAnonymousPerIp: 4, maxAnonymous: 6, initTimeoutMs: 1_000 };
const PER_IP = 1_000;
beforeAll(async () => {
  hub = await startTestHub({
    institutions: ['rvt.lv', 'cifp-aviles.es'],
    mobilities: true,
    gateway: { webSockets: LIMITS, rateLimit: { perIp: PER_IP } },
  });
  await createDemoMobilities(hub.url, false, hub.tokenSecret);
});
afterEach(async () => {
  await Promise.all(probes.splice(0).map((p) => p.close()));
});
afterAll(async () => {
  await hub?.dispose();
});

const SUBSCRIBE = `subscription($after: String) {
  assessmentRecorded(filter: { institution: "rvt.lv", role: SENDING }, after: $after) {
    cursor type assessment { grade unit { title } } learningAgreement { learner { name email } }
  }
}`;

interface Received {
  at: number;
  message: { type: string; id?: string; payload?: unknown };
}

interface Probe {
  socket: WebSocket;
  /** 101 once open, or the HTTP status that refused the upgrade. */
  status: Promise<number>;
  received: Received[];
  closed: Promise<{ code: number; reason: string; at: number }>;
  send(message: unknown): void;
  /** The first message (from now on or already received) that `match` accepts. */
  wait(match: (message: Received['message']) => boolean, timeoutMs?: number): Promise<Received['message']>;
  /** Opens and acknowledges a connection with this token (none: anonymous). */
  init(token?: string): Promise<void>;
  close(): Promise<void>;
}

function probe(localAddress?: string): Probe {
  const socket = new WebSocket(
    hub.url.replace(/^http/, 'ws'),
    'graphql-transport-ws',
    localAddress ? { localAddress } : {},
  );
  const received: Received[] = [];
  const listeners = new Set<() => void>();
  socket.on('message', (data) => {
    received.push({ at: Date.now(), message: JSON.parse((data as Buffer).toString()) as Received['message'] });
    for (const listener of listeners) listener();
  });
  socket.on('error', () => undefined);
  const status = new Promise<number>((resolve) => {
    socket.once('open', () => resolve(101));
    socket.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      response.resume();
    });
  });
  const closed = new Promise<{ code: number; reason: string; at: number }>((resolve) =>
    socket.once('close', (code, reason) => resolve({ code, reason: String(reason), at: Date.now() })),
  );
  const wait: Probe['wait'] = (match, timeoutMs = 10_000) =>
    new Promise((resolve, reject) => {
      const check = () => {
        const found = received.find((r) => match(r.message));
        if (!found) return;
        listeners.delete(check);
        clearTimeout(timer);
        resolve(found.message);
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(
          new Error(
            `no matching message in ${timeoutMs} ms; got ${JSON.stringify(received.map((r) => r.message)).slice(0, 500)}`,
          ),
        );
      }, timeoutMs);
      listeners.add(check);
      check();
    });
  const self: Probe = {
    socket,
    status,
    received,
    closed,
    send: (message) => socket.send(typeof message === 'string' ? message : JSON.stringify(message)),
    wait,
    init: async (token) => {
      await status;
      self.send({ type: 'connection_init', payload: token ? { authorization: `Bearer ${token}` } : {} });
      await wait((m) => m.type === 'connection_ack');
    },
    close: async () => {
      if (socket.readyState === WebSocket.CLOSED) return;
      socket.terminate();
      await closed;
    },
  };
  probes.push(self);
  return self;
}

const errorsOf = (message: Received['message']) =>
  message.payload as Array<{ message: string; extensions?: Record<string, unknown> }>;
const coordinator = () => hub.token('rvt.lv', ['coordinator']);
/** Anonymous sockets the hub counts open (its metric); NaN without the metric. */
const anonymousOpen = async () => {
  const metrics = await (await fetch(new URL('/metrics', hub.url))).text();
  return Number(/^hub_subscription_anonymous_sockets_open (\d+)$/m.exec(metrics)?.[1] ?? NaN);
};

const correctGrade = (grade: string) => correctDemoAssessment(hub, grade);

/** Sends a subscribe as a signed-in caller and returns the error message it gets. */
async function refused(query: string): Promise<Array<{ message: string; extensions?: Record<string, unknown> }>> {
  const p = probe();
  await p.init(await coordinator());
  const upstreams = hub.gateway.subscriptions.stats().upstreams;
  p.send({ id: 'refused', type: 'subscribe', payload: { query, variables: { after: null } } });
  const answer = await p.wait((m) => m.id === 'refused');
  expect(answer.type).toBe('error');
  expect(p.received.some((r) => r.message.type === 'next')).toBe(false);
  expect(hub.gateway.subscriptions.stats().upstreams).toBe(upstreams);
  return errorsOf(answer);
}

test('an anonymous 1 MB message closes the socket with 1009 before it is read; a signed-in socket may send more than the anonymous cap', async () => {
  const anonymous = probe();
  expect(await anonymous.status).toBe(101);
  anonymous.send({ type: 'connection_init', payload: { padding: 'x'.repeat(1_048_576) } });
  expect((await anonymous.closed).code).toBe(1009);
  expect(anonymous.received).toEqual([]);
  expect((await hub.request('{ __typename }')).status).toBe(200);

  const signedIn = probe();
  await signedIn.init(await coordinator());
  signedIn.send({
    id: 'large',
    type: 'subscribe',
    payload: { query: SUBSCRIBE, variables: { after: null, padding: 'x'.repeat(100_000) } },
  });
  expect((await signedIn.wait((m) => m.id === 'large')).type).toBe('next');
});

test('a subscription deeper than 12 is refused with OPERATION_LIMIT_EXCEEDED (depth), as over HTTP, and opens nothing upstream', async () => {
  let selection = '{ id }';
  for (let level = 0; level < 5; level += 1) selection = `{ qualification { units ${selection} } }`;
  const query = `subscription { assessmentRecorded { assessment { unit ${selection} } } }`;
  const errors = await refused(query);
  expect(errors.find((e) => e.extensions?.limit === 'depth')?.extensions).toEqual({
    code: 'OPERATION_LIMIT_EXCEEDED',
    limit: 'depth',
    max: 12,
    found: expect.any(Number),
  });
  const overHttp = await hub.request(query, undefined, await coordinator());
  expect(overHttp.body.errors?.find((e) => e.extensions?.limit === 'depth')?.extensions?.code).toBe(
    'OPERATION_LIMIT_EXCEEDED',
  );
  expect(overHttp.body.data ?? null).toBeNull();
});

test('too many aliases, directives or tokens are refused at subscribe time with the limit named', async () => {
  const aliases = Array.from({ length: 31 }, (_, i) => `t${i}: type`).join(' ');
  expect((await refused(`subscription { assessmentRecorded { ${aliases} } }`))[0]?.extensions).toEqual(
    expect.objectContaining({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'aliases', max: 30 }),
  );
  const typenames = Array.from({ length: 31 }, (_, i) => `t${i}: __typename`).join(' ');
  expect((await refused(`subscription { assessmentRecorded { ${typenames} } }`))[0]?.extensions).toEqual(
    expect.objectContaining({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'aliases', max: 30 }),
  );
  const directives = Array.from({ length: 51 }, () => '... @include(if: true) { type }').join(' ');
  expect((await refused(`subscription { assessmentRecorded { ${directives} } }`))[0]?.extensions).toEqual(
    expect.objectContaining({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'directives', max: 50 }),
  );
  // Unknown or repeated directives: one error however many, before validation work grows with them.
  const unknown = await refused(
    `subscription { assessmentRecorded { type ${Array.from({ length: 200 }, () => '@aa').join(' ')} } }`,
  );
  expect(unknown).toHaveLength(1);
  expect(unknown[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  const tokens = Array.from({ length: 2_100 }, () => 'type').join(' ');
  expect((await refused(`subscription { assessmentRecorded { ${tokens} } }`))[0]?.extensions).toEqual(
    expect.objectContaining({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'tokens', max: 2_000 }),
  );
  expect((await refused('{ __typename }'))[0]?.extensions?.code).toBe('BAD_USER_INPUT');
});

test('anonymous sockets are capped per client address (HTTP 429) and in all (HTTP 503); signing in frees the place', async () => {
  const first = Array.from({ length: LIMITS.maxAnonymousPerIp }, () => probe('127.0.0.2'));
  expect(await Promise.all(first.map((p) => p.status))).toEqual([101, 101, 101, 101]);
  expect(await probe('127.0.0.2').status).toBe(429);
  await first[0]?.init(await coordinator());
  const again = probe('127.0.0.2');
  expect(await again.status).toBe(101);
  // Four anonymous from .2, two from .3: the hub's limit of six.
  expect(await Promise.all([probe('127.0.0.3').status, probe('127.0.0.3').status])).toEqual([101, 101]);
  expect(await probe('127.0.0.4').status).toBe(503);
  await again.close();
  await waitFor('the hub has counted the closed socket out', async () => (await anonymousOpen()) < LIMITS.maxAnonymous);
  expect(await probe('127.0.0.4').status).toBe(101);
  await Promise.all(probes.splice(0).map((p) => p.close()));
  await waitFor('no anonymous socket is left open', async () => (await anonymousOpen()) === 0);
});

test('a socket that sends no connection_init is closed with 4408 once the init timeout passes', async () => {
  const p = probe();
  const opened = Date.now();
  expect(await p.status).toBe(101);
  const { code, at } = await p.closed;
  expect(code).toBe(4408);
  expect(at - opened).toBeGreaterThanOrEqual(LIMITS.initTimeoutMs - 50);
  expect(at - opened).toBeLessThan(LIMITS.initTimeoutMs + 2_000);
});

test('the upgrade and every subscribe message count against the HTTP rate limit of their address: past it, RATE_LIMITED with the wait', async () => {
  const p = probe('127.0.0.5');
  await p.init();
  const count = PER_IP + 50;
  for (let i = 0; i < count; i += 1)
    p.send({ id: `s${i}`, type: 'subscribe', payload: { query: 'subscription { assessmentRecorded { type } }' } });
  await waitFor('every subscribe is answered', () => p.received.length >= count, 30_000);
  const answers = p.received.filter((r) => r.message.type === 'error').map((r) => errorsOf(r.message)[0]?.extensions);
  const limited = answers.filter((e) => e?.code === 'RATE_LIMITED');
  // The upgrade request took one of the address's requests.
  expect(limited).toHaveLength(51);
  expect(limited[0]).toEqual({ code: 'RATE_LIMITED', limit: 'ip', retryAfterSeconds: expect.any(Number) });
  expect(answers.filter((e) => e?.code === 'UNAUTHENTICATED')).toHaveLength(PER_IP - 1);
  expect(p.received.some((r) => r.message.type === 'next')).toBe(false);
  expect(await probe('127.0.0.5').status).toBe(429);
});

test('a socket closes with 4403 "token expired" at the token\'s exp and delivers nothing after; a fresh token on a new socket resumes', async () => {
  const token = await mintDemoToken({
    institution: 'rvt.lv',
    roles: ['coordinator'],
    hours: 4 / 3_600,
    secret: hub.tokenSecret,
  });
  const exp =
    (JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as { exp: number }).exp * 1_000;
  const p = probe();
  await p.init(token);
  p.send({ id: 'live', type: 'subscribe', payload: { query: SUBSCRIBE, variables: { after: null } } });
  await p.wait((m) => m.id === 'live' && m.type === 'next');
  const { code, reason, at } = await p.closed;
  expect({ code, reason }).toEqual({ code: 4403, reason: 'token expired' });
  expect(at).toBeGreaterThanOrEqual(exp);
  expect(at).toBeLessThan(exp + 1_000);
  const events = p.received.filter((r) => r.message.type === 'next');
  expect(events.every((r) => r.at < exp)).toBe(true);
  const last = (events.at(-1)?.message.payload as { data: { assessmentRecorded: { cursor: string } } }).data
    .assessmentRecorded.cursor;

  await correctGrade('6/10');
  const renewed = probe();
  await renewed.init(await coordinator());
  renewed.send({ id: 'resumed', type: 'subscribe', payload: { query: SUBSCRIBE, variables: { after: last } } });
  await renewed.wait((m) => m.id === 'resumed' && m.type === 'next' && JSON.stringify(m.payload).includes('"6/10"'));
  // The event is out (the renewed socket has it); the expired socket got nothing of it.
  expect(p.received.filter((r) => r.message.type === 'next')).toHaveLength(events.length);
});

test('a signed-in subscriber still gets its events, live ones included, with fields from both kinds', async () => {
  const p = probe();
  await p.init(await coordinator());
  p.send({ id: 'normal', type: 'subscribe', payload: { query: SUBSCRIBE, variables: { after: null } } });
  const first = await p.wait((m) => m.id === 'normal' && m.type === 'next');
  expect(
    (first.payload as { data: { assessmentRecorded: { assessment: { unit: { title: string } } } } }).data
      .assessmentRecorded.assessment.unit.title,
  ).toMatch(/welding/);
  await correctGrade('8/10');
  await p.wait((m) => m.id === 'normal' && m.type === 'next' && JSON.stringify(m.payload).includes('"8/10"'));
});
