import 'reflect-metadata';
import { runShardProcess } from '../shared/kind';
import { startRecognitionShard } from '.';

/** Process entry: one recognition shard for the institution named by INSTITUTION. */
runShardProcess((options) => startRecognitionShard(options));
