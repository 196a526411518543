import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import { traceLogFields } from './tracing';

/**
 * One logger per process; modules take a child named after themselves. JSON lines in production and whenever
 * the output is not a terminal (log collectors read them); readable lines (pino's pretty printer) in development
 * on a terminal, or with LOG_FORMAT=pretty (the demo launcher sets it for the processes it starts). A line
 * logged while a request runs names its trace (`trace_id`, `span_id`; see tracing.ts).
 */
function format(): 'json' | 'pretty' {
  const chosen = process.env.LOG_FORMAT;
  if (chosen === 'json' || chosen === 'pretty') return chosen;
  return process.env.NODE_ENV !== 'production' && process.stdout.isTTY ? 'pretty' : 'json';
}

const options = {
  level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'silent' : 'info'),
  base: { pid: process.pid },
  mixin: traceLogFields,
};

export const rootLogger: Logger =
  format() === 'pretty'
    ? // In-process and synchronous: a worker-thread transport per process would cost more than the demo's logs.
      pino(
        options,
        pretty({
          sync: true,
          colorize: process.stdout.isTTY || process.env.FORCE_COLOR === '1',
          singleLine: true,
          ignore: 'pid,hostname,module,component',
          messageFormat: '{if module}{module}: {end}{if component}{component}: {end}{msg}',
          translateTime: 'SYS:HH:MM:ss',
        }),
      )
    : pino(options);

/** A module's logger; parts of a module take `child({ component })`, so no JSON line repeats a key. */
export function moduleLogger(name: string, bindings: Record<string, unknown> = {}): Logger {
  return rootLogger.child({ module: name, ...bindings });
}
export type { Logger };
