import 'reflect-metadata';
import { z } from 'zod';
import { readEnvironment } from '../../platform/config';
import { runShardProcess } from '../shared/kind';
import { readSeed, startQualificationsShard } from '.';

/** The qualifications kind's own setting: where the ESCO files for outcome reviews are (default third_party/esco). */
const { ESCO_FOLDER } = readEnvironment(z.object({ ESCO_FOLDER: z.string().min(1).optional() }));

/** Process entry: one qualifications shard for the institution named by INSTITUTION, seeded from SEED_FILE. */
runShardProcess((options, seedFile) => {
  const seed = seedFile ? readSeed(seedFile) : null;
  if (seed && seed.institution.code !== options.institution)
    throw new Error(`SEED_FILE is for ${seed.institution.code}, not ${options.institution}`);
  return startQualificationsShard({ ...options, seed, escoFolder: ESCO_FOLDER ?? null });
});
