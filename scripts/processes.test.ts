import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, startTogether } from './processes';

const ephemeralStart = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);

function listenOn(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

test('ports handed out lie below the ephemeral range, where outgoing connections never take them, and differ', async () => {
  const ports: number[] = [];
  for (let i = 0; i < 40; i += 1) ports.push(await freePort());
  expect(new Set(ports).size).toBe(ports.length);
  for (const port of ports) {
    expect(port).toBeGreaterThanOrEqual(10_000);
    expect(port).toBeLessThan(ephemeralStart);
  }
  // Each one can really be listened on.
  const servers = await Promise.all(ports.map(listenOn));
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

test('a port another listener holds is passed over', async () => {
  const before = await freePort();
  const held = await Promise.all([listenOn(before + 1), listenOn(before + 2)]);
  try {
    const next = await freePort();
    expect([before + 1, before + 2]).not.toContain(next);
    const server = await listenOn(next);
    await new Promise((resolve) => server.close(resolve));
  } finally {
    await Promise.all(held.map((server) => new Promise((resolve) => server.close(resolve))));
  }
});

test('a port fetch refuses (10080) is passed over', async () => {
  // Start in the last stretch, so that the walk wraps around to 10,000 and crosses 10,080.
  const stretches = Math.floor((ephemeralStart - 10_000) / 500);
  let worker = 1;
  while ((process.ppid + worker) % stretches !== stretches - 1) worker += 1;
  const before = process.env.JEST_WORKER_ID;
  process.env.JEST_WORKER_ID = String(worker);
  try {
    // A fresh copy of the module: it picks its starting place once, on its first port.
    let fresh: typeof freePort = freePort;
    jest.isolateModules(() => {
      fresh = jest.requireActual<{ freePort: typeof freePort }>('./processes').freePort;
    });
    const ports: number[] = [];
    const walk = ephemeralStart - 10_000 - (stretches - 1) * 500 + 120;
    for (let i = 0; i < walk; i += 1) ports.push(await fresh());
    expect(ports.some((port) => port > 10_080 && port < 10_120)).toBe(true);
    expect(ports).not.toContain(10_080);
  } finally {
    if (before === undefined) delete process.env.JEST_WORKER_ID;
    else process.env.JEST_WORKER_ID = before;
  }
});

describe('startTogether', () => {
  /** A start that is up after `ms` unless cancelled first, recording what happened to it. */
  function startAfter(ms: number, events: string[], name: string) {
    return async (signal: AbortSignal) => {
      try {
        await sleep(ms, undefined, { signal });
      } catch (error) {
        events.push(`${name} cancelled`);
        throw error;
      }
      events.push(`${name} up`);
      return {
        stop: async () => {
          events.push(`${name} stopped`);
        },
      };
    };
  }

  test('one start failing cancels those still starting and stops those up, then throws its failure', async () => {
    const events: string[] = [];
    const failure = new Error('the Riga shard cannot listen');
    const started = startTogether([
      startAfter(0, events, 'quick'),
      async () => {
        await sleep(20);
        throw failure;
      },
      startAfter(60_000, events, 'slow'),
    ]);
    await expect(started).rejects.toBe(failure);
    expect(events).toEqual(['quick up', 'slow cancelled', 'quick stopped']);
  });

  test("the caller's signal cancels them the same way", async () => {
    const events: string[] = [];
    const caller = new AbortController();
    const started = startTogether([startAfter(0, events, 'quick'), startAfter(60_000, events, 'slow')], caller.signal);
    await sleep(20);
    caller.abort(new Error('SIGINT while starting'));
    await expect(started).rejects.toThrow('SIGINT while starting');
    expect(events).toEqual(['quick up', 'slow cancelled', 'quick stopped']);
  });
});
