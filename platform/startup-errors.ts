/**
 * What a process says when it cannot start: one line naming the problem and what to do, instead of a stack
 * trace. Errors it does not recognise keep their message (and their stack, which is then worth reading).
 */

interface SystemError extends Error {
  code?: string;
  errno?: number;
  syscall?: string;
  address?: string;
  port?: number;
}

/** `mysql://user:secret@host:3306/db` → `mysql://user@host:3306/db`: a password never reaches a log. */
export function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.password) return url;
    parsed.password = '';
    return parsed.toString().replace(/:@/, '@');
  } catch {
    return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1@');
  }
}

/** One line for an error that stopped start-up, or null when it is not one a user can act on from here. */
export function explainStartupError(
  error: unknown,
  context: { what: string; port?: number; host?: string; databaseUrl?: string },
): string | null {
  const failure = error as SystemError;
  const code = failure?.code;
  const database = context.databaseUrl ? withoutPassword(context.databaseUrl) : 'the database';
  switch (code) {
    case 'EADDRINUSE':
      return `${context.what} cannot listen on ${context.host ?? failure.address ?? '127.0.0.1'}:${context.port ?? failure.port}: another process uses that port. Stop it, or set PORT to a free port.`;
    case 'EACCES':
      if (failure.syscall === 'listen')
        return `${context.what} may not listen on port ${context.port ?? failure.port}: ports below 1024 need privileges. Set PORT to 1024 or above.`;
      return null;
    case 'EADDRNOTAVAIL':
      return `${context.what} cannot listen on ${context.host ?? failure.address}: no network interface has that address. Set HOST to 127.0.0.1 or 0.0.0.0.`;
    case 'ECONNREFUSED':
      return `${context.what} cannot reach ${database}: nothing accepts connections at ${failure.address ?? 'that address'}:${failure.port ?? ''}. Is MySQL/MariaDB running? Check DATABASE_URL.`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `${context.what} cannot reach ${database}: the host name does not resolve. Check DATABASE_URL.`;
    case 'ETIMEDOUT':
      return `${context.what} cannot reach ${database}: the connection timed out. Check DATABASE_URL and the network between them.`;
    case 'ER_ACCESS_DENIED_ERROR':
      return `${context.what} was refused by ${database}: wrong user or password. Check DATABASE_URL.`;
    case 'ER_DBACCESS_DENIED_ERROR':
      return `${context.what} may not use the database in ${database}, and may not create it. Grant the user access, or create the database first.`;
    case 'SQLITE_CANTOPEN':
      return `${context.what} cannot open ${database}: check that the folder exists and is writable.`;
    default:
      return null;
  }
}
