import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { KEY_SET_FETCH_MS, MAX_KEY_SET_BYTES } from '../../platform/remote-key-set';
import { startTestHub, type TestHub } from '../harness/hub';
import { waitFor } from '../harness/wait';

/**
 * A member's token keys are fetched from its own server (`jwksUrl`), which the hub does not trust either: one that
 * answers without end, or one byte at a time, costs that member's tokens (UNAUTHENTICATED), never the hub's memory
 * nor its other callers' requests. An honest member's key server next to them works as before.
 */
const HONEST = 'rvt.lv';
const ENDLESS = 'omnia.fi';
const DRIPPING = 'bbs-hannover.de';
const KID = 'key-2026';

let hub: TestHub;
let server: Server;
let signingKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
/** Bytes written of each answer that did not end, by path, once its connection closed. */
const written: Record<string, number[]> = { '/endless': [], '/dripping': [] };

async function endlessly(response: ServerResponse): Promise<void> {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.write('{"keys":[');
  const chunk = Buffer.alloc(64 * 1024, ' ');
  let sent = 0;
  // Its own bound: a hub that never cut the answer would read this much.
  while (!response.destroyed && sent < 256 * 1024 * 1024) {
    sent += chunk.length;
    if (!response.write(chunk))
      await new Promise<void>((resolve) => {
        const go = () => {
          response.off('drain', go).off('close', go);
          resolve();
        };
        response.on('drain', go).on('close', go);
      });
  }
  written['/endless']?.push(sent);
  response.destroy();
}

async function drip(response: ServerResponse): Promise<void> {
  response.writeHead(200, { 'content-type': 'application/json' });
  let sent = 0;
  // A byte every 100 ms keeps the socket from ever being idle.
  while (!response.destroyed && sent < 1_000) {
    response.write(' ');
    sent += 1;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  written['/dripping']?.push(sent);
  response.destroy();
}

beforeAll(async () => {
  const pair = await generateKeyPair('ES256', { extractable: true });
  signingKey = pair.privateKey;
  const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: KID, alg: 'ES256', use: 'sig' }] });
  server = createServer((request, response) => {
    if (request.url === '/endless') void endlessly(response);
    else if (request.url === '/dripping') void drip(response);
    else response.writeHead(200, { 'content-type': 'application/json' }).end(jwks);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  hub = await startTestHub({
    institutions: [HONEST, ENDLESS, DRIPPING],
    shards: 'in-process',
    registryEntries: {
      [HONEST]: { issuer: `https://idp.${HONEST}`, jwksUrl: `${base}/honest` },
      [ENDLESS]: { issuer: `https://idp.${ENDLESS}`, jwksUrl: `${base}/endless` },
      [DRIPPING]: { issuer: `https://idp.${DRIPPING}`, jwksUrl: `${base}/dripping` },
    },
  });
}, 60_000);
afterAll(async () => {
  await hub?.dispose();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

const tokenOf = (institution: string) =>
  new SignJWT({ institution, roles: ['coordinator'] })
    .setProtectedHeader({ alg: 'ES256', kid: KID })
    .setIssuer(`https://idp.${institution}`)
    .setSubject(`coordinator@${institution}`)
    .setExpirationTime('10m')
    .sign(signingKey);

const QUERY = '{ institutions { id } }';

test("an honest member's remote key set verifies its tokens", async () => {
  const answer = await hub.request(QUERY, undefined, await tokenOf(HONEST));
  expect(answer.body.errors).toBeUndefined();
});

test('a key server answering without end is cut at 256 KiB: its tokens are refused, fast', async () => {
  const started = Date.now();
  const answer = await hub.request(QUERY, undefined, await tokenOf(ENDLESS));
  expect(Date.now() - started).toBeLessThan(KEY_SET_FETCH_MS);
  expect(answer.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  await waitFor('the endless answer was cut', () => (written['/endless']?.length ?? 0) > 0);
  // What the sockets' buffers held besides what the hub read: a few MiB at most on one machine.
  for (const sent of written['/endless'] ?? []) expect(sent).toBeLessThan(MAX_KEY_SET_BYTES + 16 * 1024 * 1024);
});

test("a key server answering a byte at a time is cut after 5 s: its tokens are refused, other members' requests go on", async () => {
  const refused = hub.request(QUERY, undefined, await tokenOf(DRIPPING));
  // Meanwhile another member's request is answered as usual.
  const other = await hub.request(QUERY, undefined, await tokenOf(HONEST));
  expect(other.body.errors).toBeUndefined();
  const started = Date.now();
  const answer = await refused;
  expect(Date.now() - started).toBeLessThan(KEY_SET_FETCH_MS + 1_000);
  expect(answer.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  await waitFor('the dripping answer was cut', () => (written['/dripping']?.length ?? 0) > 0);
  expect(written['/dripping']?.[0]).toBeLessThan(KEY_SET_FETCH_MS / 100 + 5);
}, 20_000);
