import 'reflect-metadata';
import { readEnvironment, shardEnvironment } from '../shared/config';
import { startRecognitionShard } from '.';

/** Process entry: one recognition shard for the institution named by INSTITUTION. */
async function main(): Promise<void> {
  const env = readEnvironment(shardEnvironment);
  const shard = await startRecognitionShard({
    institution: env.INSTITUTION,
    databaseUrl: env.DATABASE_URL,
    hopSecret: env.HUB_HOP_SECRET ?? null,
    hubUrl: env.HUB_URL ?? null,
    port: env.PORT,
    host: env.HOST,
  });
  const stop = () => void shard.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
