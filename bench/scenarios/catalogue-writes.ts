import { join } from 'node:path';
import type { CatalogueEngine, InstitutionPart, UnitDoc } from '../../gateway/catalogue/engine';
import { createPostgresEngine } from '../../gateway/catalogue/postgres-engine';
import { createSqliteEngine } from '../../gateway/catalogue/sqlite-engine';
import { createBenchCatalogueDatabase } from '../lib/catalogue';
import type { Scenario } from '../lib/context';
import { percentile } from '../lib/load';
import { fmt, type Table, type TargetCheck } from '../lib/report';
import { seededNumbers, unitOfText } from '../lib/synthetic-catalogue';

const INSTITUTIONS = 3;
const UNITS = 2_000;
/** Renames per engine and build: enough for a cost that grows with the renames before it to show. */
const RENAMES = 1_500;
const EDITS = 500;
const REBUILDS = 6;
/** Words of the synthetic texts: each unit's text is 30 of them, so most words are held by many units. */
const WORDS = Array.from({ length: 3_000 }, (_, i) => `w${i.toString(36)}ord`);

type EngineKind = 'sqlite' | 'postgres';
type Operation = 'rename' | 'edit' | 'rebuild';

interface EngineModules {
  createSqliteEngine(path?: string): CatalogueEngine;
  createPostgresEngine(url: string): CatalogueEngine;
}

/** BENCH_BASELINE's catalogue engines (another built checkout), to time the same writes side by side. */
async function baselineEngines(): Promise<EngineModules | null> {
  const folder = process.env.BENCH_BASELINE;
  if (!folder) return null;
  const engines = join(folder, 'dist', 'gateway', 'catalogue');
  const sqlite = (await import(join(engines, 'sqlite-engine.js'))) as Pick<EngineModules, 'createSqliteEngine'>;
  const postgres = (await import(join(engines, 'postgres-engine.js'))) as Pick<EngineModules, 'createPostgresEngine'>;
  return { ...sqlite, ...postgres };
}

/**
 * The same writes for every build: a unit's text of 30 common words and its own word, as a coordinator's rename
 * gives a unit a word no other holds (catalogue-freshness's writers do just that).
 */
function writes(seed: number) {
  const next = seededNumbers(seed);
  let unique = 0;
  const unit = (localId: string, own = `own${(unique++).toString(36)}x`): UnitDoc =>
    unitOfText(localId, [...Array.from({ length: 30 }, () => WORDS[next(WORDS.length)] as string), own].join(' '));
  const part = (code: string): InstitutionPart => ({
    institution: { code, country: 'LV' },
    qualifications: [],
    units: Array.from({ length: UNITS }, (_, i) => unit(`U${i}`)),
  });
  return { next, unit, part };
}

const institution = (i: number) => `writes${i}.bench`;

type Timed = Record<Operation, number[]>;

async function timed(work: () => Promise<void>): Promise<number> {
  const started = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/**
 * What a write costs the catalogue's engines: a unit renamed with a word of its own, a unit's text rewritten, and an
 * institution's part rebuilt with every text changed; with BENCH_BASELINE, another build's engines take the same
 * writes in turn with these.
 */
export const catalogueWrites: Scenario = {
  name: 'catalogue-writes',
  title: 'Catalogue writes: one unit renamed or rewritten, a part rebuilt, on both engines',
  estimate: '~1 min',
  async run(context) {
    const baseline = await baselineEngines();
    const builds: Array<{ name: string; modules: EngineModules }> = [
      { name: 'this build', modules: { createSqliteEngine, createPostgresEngine } },
      ...(baseline ? [{ name: 'baseline build', modules: baseline }] : []),
    ];
    const results: Array<{ engine: EngineKind; build: string; times: Timed }> = [];
    for (const engine of ['sqlite', 'postgres'] as const) {
      const open = await Promise.all(
        builds.map(async (build, b) => {
          const catalogue =
            engine === 'sqlite'
              ? build.modules.createSqliteEngine(join(context.tmp, `writes-${b}.sqlite`))
              : build.modules.createPostgresEngine(
                  await createBenchCatalogueDatabase(context.cleanup, `bench_catalogue_writes_${b}`),
                );
          context.cleanup.add(`close the ${engine} catalogue of ${build.name}`, () => catalogue.close());
          await catalogue.start();
          const data = writes(17);
          for (let i = 0; i < INSTITUTIONS; i += 1) await catalogue.replaceInstitution(data.part(institution(i)));
          const times: Timed = { rename: [], edit: [], rebuild: [] };
          return { build: build.name, catalogue, data, times };
        }),
      );
      for (const { build, times } of open) results.push({ engine, build, times });
      context.log(`  ${engine}: ${INSTITUTIONS} × ${UNITS} units written in each build's catalogue`);
      // Build by build in turn, first one then the other, so that the machine's drift falls on both.
      const inTurn = async (
        round: number,
        operation: Operation,
        write: (o: (typeof open)[number]) => Promise<void>,
      ) => {
        const order = round % 2 === 0 ? open : [...open].reverse();
        for (const o of order) o.times[operation].push(await timed(() => write(o)));
      };
      for (let round = 0; round < RENAMES; round += 1)
        await inTurn(round, 'rename', async ({ catalogue, data }) => {
          const localId = `U${round % 7}`;
          await catalogue.apply(institution(round % INSTITUTIONS), { units: [{ localId, doc: data.unit(localId) }] });
        });
      for (let round = 0; round < EDITS; round += 1)
        await inTurn(round, 'edit', async ({ catalogue, data }) => {
          const localId = `U${data.next(UNITS)}`;
          await catalogue.apply(institution(data.next(INSTITUTIONS)), {
            units: [{ localId, doc: data.unit(localId, 'edited') }],
          });
        });
      for (let round = 0; round < REBUILDS; round += 1)
        await inTurn(round, 'rebuild', ({ catalogue, data }) =>
          catalogue.replaceInstitution(data.part(institution(round % INSTITUTIONS))),
        );
    }

    const baselineOf = (engine: EngineKind) => results.find((r) => r.engine === engine && r.build !== 'this build');
    const at = (values: readonly number[], p: number) =>
      percentile(
        [...values].sort((a, b) => a - b),
        p,
      );
    const p50 = (values: readonly number[]) => at(values, 50);
    const table: Table = {
      caption: `${INSTITUTIONS} institutions × ${UNITS} units per engine and build; ${RENAMES} renames (7 units per institution in turn, a word of its own each time), ${EDITS} edits (a random unit's 31 words), ${REBUILDS} rebuilds (every text changed)`,
      columns: ['engine', 'build', 'write', 'n', 'p50 ms', 'p99 ms', 'p50 ÷ baseline'],
      rows: results.flatMap(({ engine, build, times }) =>
        (['rename', 'edit', 'rebuild'] as const).map((operation) => {
          const other = baselineOf(engine);
          const ratio =
            build === 'this build' && other ? p50(times[operation]) / p50(other.times[operation]) : Number.NaN;
          return [
            engine,
            build,
            operation,
            fmt.int(times[operation].length),
            fmt.ms(p50(times[operation])),
            fmt.ms(at(times[operation], 99)),
            fmt.ratio(ratio),
          ];
        }),
      ),
    };
    // A cost that grows with the renames before it would, in time, slow every write: the last third against the first.
    const targets: TargetCheck[] = results
      .filter((r) => r.build === 'this build')
      .map(({ engine, times }) => {
        const third = Math.floor(times.rename.length / 3);
        const growth = p50(times.rename.slice(-third)) / p50(times.rename.slice(0, third));
        return {
          target: `${engine}: a rename costs no more after ${RENAMES} renames (p50 of the last third ≤ 1.5× the first)`,
          measured: fmt.ratio(growth),
          met: growth <= 1.5,
        };
      });
    return {
      settings: {
        scale: `${INSTITUTIONS} institutions × ${UNITS} units, synthetic texts of 31 words from ${WORDS.length}`,
        builds: builds.map((b) => b.name),
      },
      tables: [table],
      targets,
      notes: [
        "The engines alone, in this process, as the hub calls them: no shard, no hub. A write through the hub waits for its apply (the catalogue holds it before the answer returns), so these are part of a write's latency.",
        'A rename and a rebuild take words out of every text that held them: the engine takes those no item holds any more out of the vocabulary (README, "How text is matched").',
        ...(baseline
          ? ["With BENCH_BASELINE, the other build's engines take the same writes, build by build in turn."]
          : []),
      ],
      raw: results,
    };
  },
};
