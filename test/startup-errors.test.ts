import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { testDatabases, type TestDatabases } from './harness/databases';
import { ROOT } from './harness/hub';

/**
 * What a newcomer sees when a process cannot start: one line saying what is wrong and what to do, no stack
 * trace. Real processes from dist/, as `npm run gateway` and the shards run them.
 */
const shardEntry = join(ROOT, 'dist', 'subgraphs', 'qualifications', 'main.js');
const gatewayEntry = join(ROOT, 'dist', 'gateway', 'main.js');
const demoEntry = join(ROOT, 'dist', 'scripts', 'demo.js');

async function failedStart(
  entry: string,
  env: Record<string, string>,
): Promise<{ code: number | null; stderr: string }> {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !['INSTITUTION', 'DATABASE_URL', 'PORT', 'HOST'].includes(name)),
  );
  try {
    await promisify(execFile)(process.execPath, [entry], {
      cwd: ROOT,
      env: { ...clean, LOG_LEVEL: 'silent', ...env },
      timeout: 60_000,
    });
    throw new Error('The process started');
  } catch (error) {
    const failure = error as { code: number | null; stderr: string };
    return { code: failure.code, stderr: failure.stderr };
  }
}

let databases: TestDatabases;
let occupied: Server;
let occupiedPort: number;
beforeAll(async () => {
  databases = testDatabases();
  occupied = createServer();
  await new Promise<void>((resolve) => occupied.listen(0, '127.0.0.1', resolve));
  occupiedPort = (occupied.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise((resolve) => occupied.close(resolve));
  await databases.dispose();
});

test('a shard without INSTITUTION says what the variable is for', async () => {
  const { code, stderr } = await failedStart(shardEntry, { DATABASE_URL: databases.url('no_institution') });
  expect(code).toBe(78);
  expect(stderr).toMatch(
    /INSTITUTION is not set: the code of the institution this shard serves, e\.g\. INSTITUTION=rvt\.lv/,
  );
  expect(stderr).not.toMatch(/received undefined/);
});

test('a shard on a port in use says so in one line', async () => {
  const { code, stderr } = await failedStart(shardEntry, {
    INSTITUTION: 'rvt.lv',
    DATABASE_URL: databases.url('port_in_use'),
    PORT: String(occupiedPort),
  });
  expect(code).toBe(1);
  expect(stderr.trim()).toBe(
    `The shard of rvt.lv cannot listen on 127.0.0.1:${occupiedPort}: another process uses that port. Stop it, or set PORT to a free port.`,
  );
});

test('a shard whose MySQL does not answer names the database without its password', async () => {
  const { code, stderr } = await failedStart(shardEntry, {
    INSTITUTION: 'rvt.lv',
    DATABASE_URL: `mysql://hub:s3cret@127.0.0.1:${occupiedPort + 1}/hub`,
    PORT: '0',
  });
  expect(code).toBe(1);
  expect(stderr).toMatch(
    new RegExp(
      `The shard of rvt\\.lv cannot reach mysql://hub@127\\.0\\.0\\.1:${occupiedPort + 1}/hub: .*Check DATABASE_URL\\.`,
    ),
  );
  expect(stderr).not.toContain('s3cret');
  expect(stderr).not.toMatch(/\n\s+at /);
});

test('the gateway on a port in use says so in one line', async () => {
  const { code, stderr } = await failedStart(gatewayEntry, { PORT: String(occupiedPort) });
  expect(code).toBe(1);
  expect(stderr).toContain(
    `The gateway cannot listen on 127.0.0.1:${occupiedPort}: another process uses that port. Stop it, or set PORT to a free port.`,
  );
});

test('the demo given a PORT it cannot use says which and what to do, in one line, before starting anything', async () => {
  for (const port of ['0', 'abc', '70000']) {
    const { code, stderr } = await failedStart(demoEntry, { PORT: port });
    expect(code).toBe(1);
    expect(stderr.trim()).toBe(
      `PORT must be a whole number from 1 to 65535 for the demo, not "${port}"; leave it unset for 4000`,
    );
  }
});

test('the gateway given a catalogue bound that is not a whole number from 1 names the variable and the rule', async () => {
  const { code, stderr } = await failedStart(gatewayEntry, { CATALOG_MAX_ITEMS_PER_INSTITUTION: '0' });
  expect(code).toBe(78);
  expect(stderr).toContain(
    'Invalid configuration:\n  CATALOG_MAX_ITEMS_PER_INSTITUTION: must be a whole number of items from 1 to 10000000',
  );
  expect(stderr).not.toMatch(/\n\s+at /);
});
