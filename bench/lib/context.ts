import type { HopKeyPair } from '../../platform/hop-keys';
import type { Cleanup } from './cleanup';
import type { BenchSettings } from './env';
import type { ScenarioResult } from './report';

/** What every scenario gets from the runner. */
export interface BenchContext {
  settings: BenchSettings;
  /** This scenario's scope: everything registered here is stopped or removed when the scenario ends. */
  cleanup: Cleanup;
  /** A fresh directory for this scenario's registries, seeds and SQLite files. */
  tmp: string;
  /** The hub's hop key pair for this run: the hub signs with it, the shards check with its public half. */
  hopKeys: HopKeyPair;
  /** The committed supergraph the hub serves. */
  supergraphPath: string;
  log: (line: string) => void;
}

export type ScenarioOutput = Omit<
  ScenarioResult,
  'name' | 'command' | 'title' | 'machine' | 'durationSeconds' | 'loadAverageEnd'
>;

export interface Scenario {
  name: string;
  title: string;
  /** A rough duration with default settings, for the plan printed at start. */
  estimate: string;
  run(context: BenchContext): Promise<ScenarioOutput>;
}
