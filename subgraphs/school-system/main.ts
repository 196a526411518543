import { z } from 'zod';
import { logLevel, readEnvironment } from '../../platform/config';
import { hopKeyResolver, readPublicKeys } from '../../platform/hop-keys';
import { moduleLogger } from '../../platform/logger';
import { isInstitutionCode } from '../../schema/ids';
import { startSchoolSystemShard } from '.';

/** Process entry: the school system's qualifications shard, configured like the reference shards. */
const environment = z.object({
  INSTITUTION: z.string().refine(isInstitutionCode, 'must be an institution code such as "cfp-esempio.it"'),
  DATABASE_URL: z
    .string()
    .regex(/^(sqlite:|mysql:\/\/|mariadb:\/\/)/, 'must be sqlite:<file> or mysql://user:password@host:3306/database'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4001),
  HOST: z.string().default('127.0.0.1'),
  HUB_HOP_PUBLIC_KEYS: z.string().optional(),
  HUB_HOP_JWKS_URL: z.url().optional(),
  HUB_HOP_JWKS_CACHE_SECONDS: z.coerce.number().int().min(1).max(86_400).default(600),
  /** `true`: create the example school's tables and rows in an empty database (the demo). */
  SCHOOL_EXAMPLE: z.enum(['true', 'false']).default('false'),
  LOG_LEVEL: logLevel,
});

const env = readEnvironment(environment, process.env, {
  INSTITUTION: 'the code of the school this shard serves, e.g. INSTITUTION=cfp-esempio.it',
  DATABASE_URL: "the school's own database, e.g. DATABASE_URL=mysql://hub_reader:secret@sis.example:3306/registro",
});
const log = moduleLogger('school-system-shard', { institution: env.INSTITUTION });

async function main(): Promise<void> {
  const keys = env.HUB_HOP_PUBLIC_KEYS ? await readPublicKeys(env.HUB_HOP_PUBLIC_KEYS, 'HUB_HOP_PUBLIC_KEYS') : null;
  const shard = await startSchoolSystemShard({
    institution: env.INSTITUTION,
    databaseUrl: env.DATABASE_URL,
    hopKeys: hopKeyResolver({
      keys,
      jwksUrl: env.HUB_HOP_JWKS_URL ?? null,
      cacheSeconds: env.HUB_HOP_JWKS_CACHE_SECONDS,
    }),
    hopKeyIds: keys ? keys.keys.map((key) => String(key.kid)) : null,
    example: env.SCHOOL_EXAMPLE === 'true',
    port: env.PORT,
    host: env.HOST,
    onError: (error) => log.error({ error: error instanceof Error ? error.message : String(error) }, 'request failed'),
  });
  log.info({ url: shard.url }, 'school system shard listening');
  const stop = () => void shard.close().finally(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
