import 'reflect-metadata';
import { runShardProcess } from '../shared/kind';
import { startMobilitiesShard } from '.';

/** Process entry: one mobilities shard for the institution named by INSTITUTION. */
runShardProcess((options) => startMobilitiesShard(options));
