import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { RunningGateway } from '../../gateway';

/**
 * Where test catalogues live: a fresh PostgreSQL database when TEST_CATALOG_URL is set (postgres://…/<any
 * database to connect to>), otherwise the embedded SQLite engine. Never a mock.
 */
export const CATALOG_BASE_URL = process.env.TEST_CATALOG_URL ?? null;

export interface TestCatalogue {
  /** The gateway's catalogue settings' `url`: null for the embedded engine. */
  url: string | null;
  dispose(): Promise<void>;
}

export async function testCatalogue(): Promise<TestCatalogue> {
  if (!CATALOG_BASE_URL) return { url: null, dispose: async () => undefined };
  const database = `catalogue_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: CATALOG_BASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();
  const url = new URL(CATALOG_BASE_URL);
  url.pathname = `/${database}`;
  return {
    url: url.toString(),
    dispose: async () => {
      const client = new Client({ connectionString: CATALOG_BASE_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await client.end();
    },
  };
}

/** The catalogue answers lists once every institution's part was read: wait until then. */
export async function catalogueReady(gateway: RunningGateway, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const states = gateway.catalogue?.states() ?? [];
    if (states.length > 0 && states.every((state) => state.current)) return;
    if (Date.now() > deadline) throw new Error(`catalogue not current: ${JSON.stringify(states)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
