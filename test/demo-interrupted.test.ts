import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { distEntry, freePort, startProcess } from '../scripts/processes';
import { waitFor } from './harness/wait';

/**
 * `npm start` stopped while it is still starting (Ctrl+C, or SIGTERM from a process manager): every shard and
 * gateway it has spawned is stopped, those still starting included, and the launcher exits with the shell's code
 * for a command ended by that signal (128 + its number), saying so in one line. Its processes have their own
 * process groups, so nothing else would ever stop one it left behind.
 */

/** `/proc/<pid>/stat` after the command name (which may hold spaces): state, parent ID, …; null once it is gone. */
function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

function childrenOf(parent: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => statFields(pid)?.[1] === String(parent));
}

/** Running or stopping; a zombie has exited and only waits to be reaped. */
function isAlive(pid: number): boolean {
  const state = statFields(pid)?.[0];
  return state !== undefined && state !== 'Z';
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

interface Interrupted {
  code: number | null;
  output: string;
  spawned: number[];
  survivors: string[];
  lockLeft: boolean;
}

/**
 * Starts the demo on a fresh data directory, sends `signal` once one of its children runs `entry` (`again`: and once
 * more when that child has exited), and waits for the launcher to exit. Its children are read from /proc all along
 * (once it has exited, those it left behind belong to init and cannot be told from others).
 */
async function interruptStartUp(
  signal: NodeJS.Signals,
  entry: string,
  to: 'launcher' | 'process group',
  again = false,
): Promise<Interrupted> {
  const dir = mkdtempSync(join(tmpdir(), 'hub-demo-interrupted-'));
  const dataDir = join(dir, 'data');
  const demo = startProcess('demo', distEntry('scripts', 'demo.js'), {
    PORT: String(await freePort()),
    DATA_DIR: dataDir,
  });
  const launcher = demo.child.pid as number;
  const exited = new Promise<number | null>((resolve) => demo.child.once('exit', (code) => resolve(code)));
  const spawned = new Set<number>();
  const collect = () => {
    for (const pid of childrenOf(launcher)) spawned.add(pid);
  };
  let watching = true;
  const watch = (async () => {
    while (watching) {
      collect();
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  })();
  try {
    await waitFor(
      `the demo has spawned ${entry}`,
      () => {
        if (demo.child.exitCode !== null) throw new Error(`The demo stopped:\n${demo.output()}`);
        collect();
        return [...spawned].some((pid) => commandLine(pid).includes(entry));
      },
      150_000,
    );
    expect(demo.output()).not.toContain('is running');
    const target = to === 'launcher' ? launcher : -launcher;
    process.kill(target, signal);
    if (again) {
      // An impatient user's second Ctrl+C, once the process that was starting is gone and the others are stopping.
      const starting = [...spawned].filter((pid) => commandLine(pid).includes(entry));
      await waitFor(`${entry} has exited`, () => !starting.some(isAlive), 30_000);
      try {
        process.kill(target, signal);
      } catch {
        // it has exited already: nothing left to hurry
      }
    }
    const code = await exited;
    watching = false;
    await watch;
    return {
      code,
      output: demo.output(),
      spawned: [...spawned],
      survivors: [...spawned].filter(isAlive).map((pid) => `${pid}: ${commandLine(pid)}`),
      lockLeft: existsSync(join(dataDir, 'demo.pid')),
    };
  } finally {
    watching = false;
    // What a failing launcher left running is ended here, by process ID, so that the test leaks nothing.
    for (const pid of spawned) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    await demo.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

test('SIGTERM while the shards are starting stops every one of them; the launcher exits 143', async () => {
  const result = await interruptStartUp('SIGTERM', join('dist', 'subgraphs'), 'launcher');
  expect(result.spawned.length).toBeGreaterThanOrEqual(1);
  expect(result.survivors).toEqual([]);
  expect(result.code).toBe(143);
  expect(result.output.trim().split('\n').at(-1)).toBe(
    'Stopped by SIGTERM while starting; every process the demo had started has exited.',
  );
  expect(result.lockLeft).toBe(false);
}, 200_000);

test('Ctrl+C (twice) while the gateway is starting stops it and every shard; the launcher exits 130', async () => {
  // What a terminal does on Ctrl+C: SIGINT to the foreground process group, here the launcher's.
  const result = await interruptStartUp('SIGINT', join('dist', 'gateway', 'main.js'), 'process group', true);
  expect(result.spawned.length).toBeGreaterThanOrEqual(2);
  expect(result.survivors).toEqual([]);
  expect(result.code).toBe(130);
  expect(result.output.trim().split('\n').at(-1)).toBe(
    'Stopped by SIGINT while starting; every process the demo had started has exited.',
  );
  expect(result.lockLeft).toBe(false);
}, 200_000);
