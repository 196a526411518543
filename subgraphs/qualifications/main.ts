import 'reflect-metadata';
import { runShardProcess } from '../shared/kind';
import { readSeed, startQualificationsShard } from '.';

/** Process entry: one qualifications shard for the institution named by INSTITUTION, seeded from SEED_FILE. */
runShardProcess((options, seedFile) => {
  const seed = seedFile ? readSeed(seedFile) : null;
  if (seed && seed.institution.code !== options.institution)
    throw new Error(`SEED_FILE is for ${seed.institution.code}, not ${options.institution}`);
  return startQualificationsShard({ ...options, seed });
});
