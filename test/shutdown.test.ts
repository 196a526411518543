import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startGatewayProcess } from '../scripts/processes';
import { startFaultyShard, startGatewayOver, type FaultyShard } from './faults';
import { postGraphQL, startTestHub, type TestHub } from './harness/hub';
import { waitFor } from './harness/wait';
import { seedUnits } from './seeds';

/** Graceful shutdown: no new connections, in-flight requests finish, sockets close, the process exits 0. */
let hub: TestHub;
let slow: FaultyShard;
let dir: string;
beforeAll(async () => {
  hub = await startTestHub({ institutions: ['rvt.lv', 'omnia.fi'], shards: 'in-process' });
  slow = await startFaultyShard(hub.shards.get('omnia.fi')?.url ?? '', 'slow');
  slow.delayMs = 800;
  dir = mkdtempSync(join(tmpdir(), 'hub-shutdown-'));
});
afterAll(async () => {
  await slow?.close();
  await hub?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const QUERY = `{ unit(id: "${seedUnits(['omnia.fi'])[0]?.id}") { id } }`;

test('close() refuses new connections, lets the in-flight request finish, then resolves', async () => {
  const gateway = await startGatewayOver(hub, { 'omnia.fi': slow.url });
  const before = slow.calls;
  const inFlight = gateway.request(QUERY);
  await waitFor('the request is in flight at the slow shard', () => slow.calls > before);
  const started = Date.now();
  const closed = gateway.close();
  const ready = await fetch(new URL('/health/ready', gateway.url)).then(
    (r) => r.status,
    () => 'refused',
  );
  expect(ready).toBe('refused');
  const answer = await inFlight;
  expect(answer.body).toEqual({ data: { unit: { id: seedUnits(['omnia.fi'])[0]?.id } } });
  await closed;
  expect(Date.now() - started).toBeLessThan(2_000);
});

test('SIGTERM: the gateway process finishes the in-flight request and exits 0', async () => {
  const registry = {
    institutions: hub.gateway.registry.institutions.map((entry) => ({
      ...entry,
      shards: { qualifications: entry.code === 'omnia.fi' ? slow.url : entry.shards.qualifications },
    })),
  };
  writeFileSync(join(dir, 'registry.json'), JSON.stringify(registry));
  const gateway = await startGatewayProcess(
    {
      REGISTRY_PATH: join(dir, 'registry.json'),
      SUPERGRAPH_PATH: join(__dirname, '..', 'schema', 'supergraph.graphql'),
      HUB_HOP_PRIVATE_KEY: hub.hopKeys.privateKeyPem,
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
    },
    await freePort(),
  );
  try {
    const before = slow.calls;
    const inFlight = postGraphQL(gateway.url, QUERY);
    await waitFor('the request is in flight at the slow shard', () => slow.calls > before);
    const exited = new Promise<number | null>((resolve) => gateway.child.once('exit', (code) => resolve(code)));
    gateway.child.kill('SIGTERM');
    const settled = await inFlight.catch((error: unknown) => {
      throw new Error(`${String(error)}\n${gateway.output()}`);
    });
    expect(settled.body.data).toEqual({ unit: { id: seedUnits(['omnia.fi'])[0]?.id } });
    expect(await exited).toBe(0);
    const lines = gateway
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => line.msg)).toEqual(
      expect.arrayContaining(['shutting down: finishing in-flight requests', 'gateway stopped']),
    );
  } finally {
    await gateway.stop('SIGKILL');
  }
});
