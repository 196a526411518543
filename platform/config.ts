import { z } from 'zod';

/** pino's levels; the logger itself reads the variable, this rejects a typo at start. */
export const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional();

/**
 * Parses the environment or stops the process with one line per bad variable. `purposes` says what each
 * variable without a default is for, so that a missing one is explained rather than reported as a type error.
 */
export function readEnvironment<T extends z.ZodType>(
  schema: T,
  env: NodeJS.ProcessEnv = process.env,
  purposes: Readonly<Record<string, string>> = {},
): z.infer<T> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const name = issue.path.join('.');
    // A variable that is simply not set gets its purpose, not zod's "expected string, received undefined".
    if (issue.code === 'invalid_type' && env[name] === undefined)
      return `  ${name} is not set: ${purposes[name] ?? 'this process needs it'}`;
    return `  ${name}: ${issue.message}`;
  });
  console.error(`Invalid configuration:\n${lines.join('\n')}`);
  process.exit(78);
}
