import { Probe, Skipped, Violation, type Exchange, type ProbeOptions } from './probe';

/** One requirement of schema/CONTRACT.md, as the kit checks it against a running shard. */
export interface Requirement {
  /** The requirement's ID in the contract, e.g. "entities-order". */
  id: string;
  /** What it checks, in one line. */
  title: string;
  /** Writes to the shard: run only with --write. */
  writes?: boolean;
  /** Throws `Violation` with a message saying what was expected and what came, or `Skipped`. */
  run(probe: Probe): Promise<void>;
}

export interface Outcome {
  id: string;
  title: string;
  status: 'pass' | 'fail' | 'skip';
  /** Why it failed or was skipped. */
  message: string;
  exchanges: Exchange[];
  ms: number;
}

export interface KitOptions extends ProbeOptions {
  /** Run the requirements that write (against a test institution only). */
  write: boolean;
}

/** Runs every requirement in order against one shard; a requirement's failure never stops the others. */
export async function runRequirements(options: KitOptions, requirements: readonly Requirement[]): Promise<Outcome[]> {
  const probe = new Probe(options);
  const outcomes: Outcome[] = [];
  for (const requirement of requirements) {
    probe.exchanges = [];
    const started = performance.now();
    let status: Outcome['status'] = 'pass';
    let message = '';
    if (requirement.writes && !options.write) {
      status = 'skip';
      message = 'writes to the shard: run with --write against a test institution';
    } else {
      try {
        await requirement.run(probe);
      } catch (error) {
        if (error instanceof Skipped) status = 'skip';
        else status = 'fail';
        message =
          error instanceof Violation || error instanceof Skipped
            ? error.message
            : `the check itself failed: ${(error as Error).stack ?? String(error)}`;
      }
    }
    outcomes.push({
      id: requirement.id,
      title: requirement.title,
      status,
      message,
      exchanges: probe.exchanges,
      ms: performance.now() - started,
    });
  }
  return outcomes;
}
