import 'reflect-metadata';
import { readEnvironment, shardEnvironment } from '../shared/config';
import { readSeed, startQualificationsShard } from '.';

/** Process entry: one qualifications shard for the institution named by INSTITUTION. */
async function main(): Promise<void> {
  const env = readEnvironment(shardEnvironment);
  const seed = env.SEED_FILE ? readSeed(env.SEED_FILE) : null;
  if (seed && seed.institution.code !== env.INSTITUTION) throw new Error(`SEED_FILE is for ${seed.institution.code}, not ${env.INSTITUTION}`);
  const shard = await startQualificationsShard({
    institution: env.INSTITUTION,
    databaseUrl: env.DATABASE_URL,
    hopSecret: env.HUB_HOP_SECRET ?? null,
    port: env.PORT,
    host: env.HOST,
    seed,
  });
  const stop = () => void shard.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
