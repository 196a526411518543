import type { Context } from 'graphql-ws';
import type { Caller } from '../../platform/caller';
import { moduleLogger } from '../../platform/logger';
import { createAdmission } from './connection';
import type { SocketExtra } from './sockets';

const coordinator: Caller = { institution: 'rvt.lv', roles: ['coordinator'], subject: 'demo' } as Caller;

/** A socket at connection_init: what it was closed with, whether it left the anonymous count, its message cap. */
function socketAt(headers: Record<string, string>, authorization?: string) {
  const seen: { closed?: [number, string]; released: boolean; receiver: { _maxPayload: number } } = {
    released: false,
    receiver: { _maxPayload: 65_536 },
  };
  const extra = {
    socket: { close: (code: number, reason: string) => (seen.closed = [code, reason]), _receiver: seen.receiver },
    request: { headers: { host: 'hub.example', ...headers } },
    ticket: { release: () => (seen.released = true) },
    address: '127.0.0.1',
  } as unknown as SocketExtra;
  const ctx = { extra, connectionParams: authorization ? { authorization, padding: 'x' } : {} } as unknown as Context<
    Record<string, unknown>,
    SocketExtra
  >;
  return { ctx, seen };
}

/** A token the fake authenticator below accepts; only its claims are read here (its expiry). */
const token = (claims: Record<string, unknown>) =>
  `Bearer ${[{ alg: 'none' }, claims].map((part) => Buffer.from(JSON.stringify(part)).toString('base64url')).join('.')}.`;
const GOOD = token({ sub: 'demo' });

const admission = (allowedOrigins: readonly string[] | null = []) =>
  createAdmission({
    authenticate: async (authorization) => {
      if (authorization === 'Bearer bad') throw new Error('bad token');
      return authorization ? coordinator : null;
    },
    allowedOrigins,
    maxPerInstitution: 1,
    maxBodyBytes: 1_000_000,
    log: moduleLogger('test'),
  });

test("an anonymous socket from the hub's own page is admitted and stays anonymous; a foreign origin is refused", async () => {
  const { admit } = admission();
  const own = socketAt({ origin: 'https://hub.example' });
  await expect(admit(own.ctx)).resolves.toMatchObject({ context: { caller: null }, expiresAt: null, subscriptions: 0 });
  expect(own.seen.released).toBe(false);
  await expect(admit(socketAt({ origin: 'https://elsewhere.example' }).ctx)).resolves.toBeNull();
  await expect(
    admission(['https://elsewhere.example']).admit(socketAt({ origin: 'https://elsewhere.example' }).ctx),
  ).resolves.not.toBeNull();
});

test('a bad token closes with 4401; a signed-in socket leaves the anonymous count, keeps no other params, and holds its place until released', async () => {
  const { admit, release } = admission();
  const bad = socketAt({}, 'Bearer bad');
  await expect(admit(bad.ctx)).resolves.toBeNull();
  expect(bad.seen.closed).toEqual([4401, 'Unauthorized']);

  const first = socketAt({ 'x-request-id': 'ws-1' }, GOOD);
  const connection = await admit(first.ctx);
  expect(connection?.context).toMatchObject({ requestId: 'ws-1', caller: coordinator });
  expect(first.seen.released).toBe(true);
  expect(first.seen.receiver._maxPayload).toBe(1_000_000);
  expect(first.ctx.connectionParams).toBeUndefined();

  const second = socketAt({}, GOOD);
  await expect(admit(second.ctx)).resolves.toBeNull();
  expect(second.seen.closed).toEqual([4403, 'Too many connections for rvt.lv']);
  if (connection) release(connection);
  await expect(admit(socketAt({}, GOOD).ctx)).resolves.not.toBeNull();
});

test('a token already past its exp by the hub\'s clock closes with 4403 "token expired"; one still valid carries its expiry', async () => {
  const { admit } = admission();
  const expired = socketAt({}, token({ exp: Math.floor(Date.now() / 1_000) - 1 }));
  await expect(admit(expired.ctx)).resolves.toBeNull();
  expect(expired.seen.closed).toEqual([4403, 'token expired']);
  const exp = Math.floor(Date.now() / 1_000) + 3_600;
  const valid = await admit(socketAt({}, token({ exp })).ctx);
  expect(valid?.expiresAt).toBe(exp * 1_000);
  valid?.cancelExpiry?.();
});
