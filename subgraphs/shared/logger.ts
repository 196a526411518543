import pino, { type Logger } from 'pino';

/** One JSON logger per process; modules take a child named after themselves. */
export const rootLogger: Logger = pino({
  level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'silent' : 'info'),
  base: { pid: process.pid },
});

export function moduleLogger(name: string, bindings: Record<string, unknown> = {}): Logger {
  return rootLogger.child({ module: name, ...bindings });
}
export type { Logger };
