import 'reflect-metadata';
import { readEnvironment, shardEnvironment } from '../shared/config';
import { moduleLogger } from '../shared/logger';
import { readSeed, seedQualifications, startQualificationsShard } from '.';

/** Process entry: one qualifications shard for the institution named by INSTITUTION. */
async function main(): Promise<void> {
  const env = readEnvironment(shardEnvironment);
  const log = moduleLogger('qualifications', { institution: env.INSTITUTION });
  const shard = await startQualificationsShard({
    institution: env.INSTITUTION,
    databaseUrl: env.DATABASE_URL,
    hopSecret: env.HUB_HOP_SECRET ?? null,
    port: env.PORT,
    host: env.HOST,
  });
  if (env.SEED_FILE) {
    const seed = readSeed(env.SEED_FILE);
    if (seed.institution.code !== env.INSTITUTION) throw new Error(`SEED_FILE is for ${seed.institution.code}, not ${env.INSTITUTION}`);
    if (await seedQualifications(shard.db, seed)) log.info({ file: env.SEED_FILE }, 'seeded');
  }
  const stop = () => void shard.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
