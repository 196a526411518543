import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from './project-root';

/** The log format a process picks from its environment, seen in what a real process prints. */
async function logLine(env: Record<string, string>): Promise<string> {
  const logger = join(projectRoot(), 'dist', 'platform', 'logger.js');
  const script = `require(${JSON.stringify(logger)}).moduleLogger('gateway').info({ port: 4000 }, 'listening')`;
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !['LOG_FORMAT', 'LOG_LEVEL', 'NODE_ENV', 'FORCE_COLOR'].includes(name),
    ),
  );
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], { env: { ...clean, ...env } });
  return stdout.trim();
}

test('JSON lines when the output is not a terminal, for log collectors', async () => {
  expect(JSON.parse(await logLine({}))).toEqual(
    expect.objectContaining({ level: 30, module: 'gateway', port: 4000, msg: 'listening' }),
  );
  expect(JSON.parse(await logLine({ NODE_ENV: 'production', LOG_FORMAT: 'json' }))).toEqual(
    expect.objectContaining({ msg: 'listening' }),
  );
});

test('one readable line with LOG_FORMAT=pretty, as the demo launcher asks', async () => {
  expect(await logLine({ LOG_FORMAT: 'pretty' })).toMatch(
    /^\[\d\d:\d\d:\d\d\] INFO: gateway: listening \{"port":4000\}$/,
  );
});
