import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import { join, resolve } from 'node:path';
import { parseRegistry } from '../gateway/registry/registry';
import { distEntry, startGatewayProcess, startShardProcess, startTogether, type ManagedProcess } from './processes';
import { DEMO_TOKEN_SECRET } from './demo-secret';
import { createDemoCohort, createDemoMobilities, demoMobilitiesComplete } from './demo-mobilities';
import { projectRoot } from '../platform/project-root';
import { generateHopKeyPair, type HopKeyPair } from '../platform/hop-keys';
import { hopAudience } from '../platform/signed-hop';

/** Kinds whose shards call the hub with their own service key. */
const SERVICE_KINDS = new Set(['mobilities', 'recognition']);

/**
 * Shards the demo runs from another implementation than the reference, by registry entry: `"implementation":
 * { "qualifications": "school-system" }` (the launcher reads it; the gateway ignores it). Such a school brings its
 * own example data instead of a seed file.
 */
const IMPLEMENTATIONS: Readonly<Record<string, { entry: string[]; env: Record<string, string> }>> = {
  'school-system': { entry: ['subgraphs', 'school-system', 'main.js'], env: { SCHOOL_EXAMPLE: 'true' } },
};

function implementationOf(registryPath: string, institution: string, kind: string) {
  const raw = JSON.parse(readFileSync(registryPath, 'utf8')) as {
    institutions: Array<{ code: string; implementation?: Record<string, string> }>;
  };
  const name = raw.institutions.find((entry) => entry.code === institution)?.implementation?.[kind];
  if (name === undefined) return null;
  const implementation = IMPLEMENTATIONS[name];
  if (!implementation)
    throw new Error(`${registryPath}: ${institution}'s ${kind} implementation "${name}" is not one the demo knows`);
  return implementation;
}

/**
 * `npm start`: the whole demo hub on one machine — every demo institution's shards as their own processes on
 * SQLite files under data/ (seeded on first start), and the gateway in front. The shards listen on ports the OS
 * picks (the registry's URLs give only institutions and kinds), and a PORT other than 4000 gets its own data
 * directory, so two demos run side by side without sharing a shard or a database.
 */

const DEFAULT_PORT = 4000;

/** data/ for the default port, data/port-<PORT>/ for any other: the SQLite files of two demos never meet. */
function dataDirOf(root: string, port: number): string {
  if (process.env.DATA_DIR) return resolve(process.env.DATA_DIR);
  return port === DEFAULT_PORT ? join(root, 'data') : join(root, 'data', `port-${port}`);
}

/** Claims the data directory for this demo, refusing one another running demo holds; returns its release. */
function claimDataDir(dataDir: string): () => void {
  const lock = join(dataDir, 'demo.pid');
  if (existsSync(lock)) {
    const holder = Number(readFileSync(lock, 'utf8'));
    if (Number.isInteger(holder) && holder !== process.pid && isRunning(holder)) {
      throw new Error(
        `${dataDir} is in use by another demo (process ${holder}): two demos must not share SQLite files; give this one another PORT or DATA_DIR`,
      );
    }
  }
  writeFileSync(lock, String(process.pid));
  return () => rmSync(lock, { force: true });
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Kinds whose shards hold the demo mobilities the launcher makes through the hub (createDemoMobilities). */
const DEMO_MOBILITY_KINDS = new Set(['mobilities', 'recognition']);

/**
 * The demo mobilities' progress in the data directory: `making` is written before they are made, `made` once all of
 * them are. `making` without `made` is a start stopped halfway (Ctrl+C, a crash), whose data is made again.
 */
function demoMobilityMarkers(dataDir: string) {
  return { making: join(dataDir, 'demo-mobilities.making'), made: join(dataDir, 'demo-mobilities.made') };
}

/**
 * Removes the demo mobilities an interrupted start left half-made (before the shards open their SQLite files), so
 * that they are made again in full; returns the line saying so, or null when there was nothing to remove. Databases
 * of DEMO_DATABASE_URL are the user's: the demo refuses instead of dropping them.
 */
function removeHalfMadeDemoMobilities(dataDir: string, shards: ReadonlyArray<{ kind: string; institution: string }>) {
  const { making, made } = demoMobilityMarkers(dataDir);
  if (existsSync(made) || !existsSync(making)) return null;
  if (process.env.DEMO_DATABASE_URL)
    throw new Error(
      `The demo mobilities in the databases of DEMO_DATABASE_URL were left half-made by an interrupted start (${making}); the demo deletes only its own SQLite files: drop the hub_mobilities_* and hub_recognition_* databases, remove ${making}, and start again`,
    );
  for (const shard of shards.filter((entry) => DEMO_MOBILITY_KINDS.has(entry.kind))) {
    const file = join(dataDir, shard.institution, `${shard.kind}.sqlite`);
    for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${file}${suffix}`, { force: true });
  }
  return `Removed the demo mobilities an interrupted start had left half-made in ${dataDir}; making them again.`;
}

/** PORT as the demo needs it: a fixed port (its shards and health checks are found there); unset or empty: 4000. */
function demoPort(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return DEFAULT_PORT;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error(
      `PORT must be a whole number from 1 to 65535 for the demo, not "${value}"; leave it unset for ${DEFAULT_PORT}`,
    );
  return port;
}

async function main(): Promise<void> {
  const root = projectRoot();
  const registryPath = resolve(process.env.REGISTRY_PATH ?? join(root, 'demo', 'registry.json'));
  const registry = parseRegistry(JSON.parse(readFileSync(registryPath, 'utf8')), registryPath);
  const port = demoPort(process.env.PORT);
  const dataDir = dataDirOf(root, port);
  // Ephemeral keys: the gateway's hop key and each calling shard's service key live only as long as the demo.
  const hopKeys = await generateHopKeyPair();
  const shards = registry.kinds().flatMap((kind) => registry.shards(kind));
  const serviceKeys = new Map(
    await Promise.all(
      shards
        .filter((shard) => SERVICE_KINDS.has(shard.kind))
        .map(async (shard) => [hopAudience(shard.kind, shard.institution), await generateHopKeyPair()] as const),
    ),
  );
  mkdirSync(dataDir, { recursive: true });
  const release = claimDataDir(dataDir);
  const markers = demoMobilityMarkers(dataDir);
  let removed: string | null;
  try {
    removed = removeHalfMadeDemoMobilities(dataDir, shards);
  } catch (error) {
    release();
    throw error;
  }
  if (removed) console.log(removed);
  const processes: ManagedProcess[] = [];
  const shardUrls = new Map<string, string>();
  const stopAll = async () => {
    // The gateway first, then the shards: shards stopping under a running gateway would make it log every failed call.
    const gateway = processes.filter((p) => p.name === 'gateway');
    await Promise.all(gateway.map((p) => p.stop()));
    await Promise.all(processes.filter((p) => !gateway.includes(p)).map((p) => p.stop()));
    release();
  };
  // The processes run in their own process group (startProcess), so Ctrl+C reaches only this launcher. Running, it
  // gives each one signal and waits for its orderly drain; while starting, it cancels the start-up: each start still
  // waiting stops its own process, and stopAll (below) those already up.
  const startUp = new AbortController();
  // Set by the handler below (a declared `null` would be narrowed to null for the code after it).
  let interruptedBy = null as NodeJS.Signals | null;
  let running = false;
  // `on`, not `once`: a second Ctrl+C would otherwise kill the launcher before the processes it is stopping have
  // exited, and those not yet signalled would run on. Stopping ends anyway: a process not gone in 5 s gets SIGKILL.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    process.on(signal, () => {
      if (running) {
        void stopAll().then(() => process.exit(0));
        return;
      }
      interruptedBy ??= signal;
      startUp.abort(new Error(`${signal} while starting`));
    });

  try {
    const started = await startTogether(
      shards.map((shard) => async (signal) => {
        const seedFile = join(root, 'demo', 'institutions', `${shard.institution}.json`);
        const implementation = implementationOf(registryPath, shard.institution, shard.kind);
        const up = await startShardProcess({
          kind: shard.kind,
          institution: shard.institution,
          databaseUrl: process.env.DEMO_DATABASE_URL
            ? `${process.env.DEMO_DATABASE_URL.replace(/\/$/, '')}/hub_${shard.kind}_${shard.institution.replace(/[^a-z0-9]/g, '_')}`
            : `sqlite:${join(dataDir, shard.institution, `${shard.kind}.sqlite`)}`,
          hopPublicKeys: hopKeys.publicKeys,
          ...(serviceKeys.has(hopAudience(shard.kind, shard.institution))
            ? { servicePrivateKey: serviceKeys.get(hopAudience(shard.kind, shard.institution))?.privateKeyPem }
            : {}),
          env: { HUB_URL: `http://127.0.0.1:${port}/graphql`, ...implementation?.env },
          ...(implementation ? { entry: distEntry(...implementation.entry) } : {}),
          ...(shard.kind === 'qualifications' && existsSync(seedFile) ? { seedFile } : {}),
          signal,
        });
        shardUrls.set(hopAudience(shard.kind, shard.institution), up.url);
        return up;
      }),
      startUp.signal,
    );
    processes.push(...started);
    const gatewayRegistryPath = writeGatewayRegistry(registryPath, dataDir, shardUrls, serviceKeys);
    const gateway = await startGatewayProcess(
      {
        REGISTRY_PATH: gatewayRegistryPath,
        SUPERGRAPH_PATH: join(root, 'schema', 'supergraph.graphql'),
        HUB_HOP_PRIVATE_KEY: hopKeys.privateKeyPem,
        HUB_DEMO_TOKEN_SECRET: process.env.HUB_DEMO_TOKEN_SECRET ?? DEMO_TOKEN_SECRET,
        LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
        // Its lines are echoed to this terminal: readable ones, coloured when the terminal is.
        LOG_FORMAT: process.env.LOG_FORMAT ?? 'pretty',
        ...(process.stderr.isTTY ? { FORCE_COLOR: '1' } : {}),
      },
      port,
      true,
      [],
      startUp.signal,
    );
    processes.push(gateway);
    const withRecognition = registry.kinds().includes('recognition');
    if (registry.kinds().includes('mobilities') && !existsSync(markers.made)) {
      writeFileSync(markers.making, new Date().toISOString());
      const secret = process.env.HUB_DEMO_TOKEN_SECRET;
      if (await untilAborted(createDemoMobilities(gateway.url, withRecognition, secret), startUp.signal)) {
        await untilAborted(createDemoCohort(gateway.url, withRecognition, secret), startUp.signal);
        console.log(
          'Created the demo mobilities: a memorandum, a class of six learners recognised after welding in Avilés, an agreement in preparation.',
        );
      } else if (!(await untilAborted(demoMobilitiesComplete(gateway.url, withRecognition, secret), startUp.signal))) {
        // A data directory from before the markers, whose making was interrupted: `making` stays, the next start redoes it.
        throw new Error(
          `The demo mobilities in ${dataDir} are half-made by a start interrupted before this launcher marked them; start again to make them anew`,
        );
      }
      writeFileSync(markers.made, new Date().toISOString());
      rmSync(markers.making, { force: true });
    }
    // A signal that came as the last step finished still means: do not run.
    startUp.signal.throwIfAborted();
    running = true;
    const members = registry.institutions.filter((entry) => !entry.agency);
    const agency = registry.institutions.find((entry) => entry.agency);
    console.log(`
ECVET federation hub (demo) is running: ${gateway.url}
  ${shards.length} shards of ${members.length} institutions in ${new Set(members.map((i) => i.country)).size} countries; data in ${dataDir}

Try it (EQF level 4 units across every partner school):
  curl -s ${gateway.url} -H 'content-type: application/json' \\
    -d '{"query":"{ units(filter: { eqfLevel: 4 }, first: 5) { totalCount edges { node { id title institution { name country } learningOutcomes { category statement } } } } }"}'

Sign in as a coordinator of Riga State Technical School, and read its mobilities:
  npm run token -- --institution rvt.lv --role coordinator
  (query: { learningAgreements { nodes { id status learner { name } transcript { totalEcvetPoints } } } })
${
  agency
    ? `
See ECVET uptake as ${agency.names.find((name) => name.lang === 'en')?.value ?? agency.code} (aggregates only, no personal data):
  npm run token -- --institution ${agency.code} --role agency
  open ${gateway.url.replace(/\/graphql$/, '/overview')} and paste the token
`
    : ''
}Stop with Ctrl+C.`);
  } catch (error) {
    const interrupted = interruptedBy;
    if (interrupted === null) console.error(error instanceof Error ? error.message : error);
    await stopAll();
    if (interrupted === null) process.exit(1);
    console.error(`Stopped by ${interrupted} while starting; every process the demo had started has exited.`);
    // A shell's convention for a command ended by a signal: 128 + its number (130 for Ctrl+C, 143 for SIGTERM).
    process.exit(128 + constants.signals[interrupted]);
  }
}

/**
 * `step`, or the start-up's abort (an Error, main's handler gives it) as soon as it comes: the step's own calls then
 * fail as its processes stop.
 */
function untilAborted<T>(step: Promise<T>, signal: AbortSignal): Promise<T> {
  return Promise.race([
    step,
    new Promise<never>((_, reject) => {
      const abort = () => reject(signal.reason as Error);
      if (signal.aborted) abort();
      else signal.addEventListener('abort', abort, { once: true });
    }),
  ]);
}

/**
 * The registry the demo's gateway runs with, in the data directory: the demo's, with the URLs its shards actually
 * listen on and their service public keys added.
 */
function writeGatewayRegistry(
  registryPath: string,
  dataDir: string,
  shardUrls: Map<string, string>,
  serviceKeys: Map<string, HopKeyPair>,
): string {
  const raw = JSON.parse(readFileSync(registryPath, 'utf8')) as {
    institutions: Array<{ code: string; shards: Record<string, string> }>;
  };
  const gatewayRegistry = {
    institutions: raw.institutions.map((entry) => {
      const shards = Object.fromEntries(
        Object.entries(entry.shards).map(([kind, url]) => [kind, shardUrls.get(hopAudience(kind, entry.code)) ?? url]),
      );
      const serviceJwks = Object.fromEntries(
        Object.keys(entry.shards).flatMap((kind) => {
          const pair = serviceKeys.get(hopAudience(kind, entry.code));
          return pair ? [[kind, pair.publicKeys]] : [];
        }),
      );
      return Object.keys(serviceJwks).length > 0 ? { ...entry, shards, serviceJwks } : { ...entry, shards };
    }),
  };
  const path = join(dataDir, 'registry.with-service-keys.json');
  writeFileSync(path, JSON.stringify(gatewayRegistry, null, 2));
  return path;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
