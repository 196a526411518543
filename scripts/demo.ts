import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseRegistry } from '../gateway/registry/registry';
import { startGatewayProcess, startShardProcess, type ManagedProcess } from './processes';
import { DEMO_TOKEN_SECRET } from './demo-secret';
import { createDemoMobilities } from './demo-mobilities';
import { projectRoot } from '../subgraphs/shared/project-root';
import { generateHopKeyPair } from '../subgraphs/shared/hop-keys';
import { hopAudience } from '../subgraphs/shared/signed-hop';

/** Kinds whose shards call the hub with their own service key. */
const SERVICE_KINDS = new Set(['mobilities', 'recognition']);

/**
 * `npm start`: the whole demo hub on one machine — every demo institution's shards as their own processes on
 * SQLite files under data/ (seeded on first start), and the gateway in front.
 */

async function main(): Promise<void> {
  const root = projectRoot();
  const registryPath = resolve(process.env.REGISTRY_PATH ?? join(root, 'demo', 'registry.json'));
  const registry = parseRegistry(JSON.parse(readFileSync(registryPath, 'utf8')), registryPath);
  const dataDir = resolve(process.env.DATA_DIR ?? join(root, 'data'));
  // Ephemeral keys: the gateway's hop key and each calling shard's service key live only as long as the demo.
  const hopKeys = await generateHopKeyPair();
  const shards = registry.kinds().flatMap((kind) => registry.shards(kind));
  const serviceKeys = new Map(
    await Promise.all(shards.filter((shard) => SERVICE_KINDS.has(shard.kind)).map(async (shard) => [hopAudience(shard.kind, shard.institution), await generateHopKeyPair()] as const)),
  );
  // The gateway reads the shards' service public keys from its registry: the demo's, with them added.
  const raw = JSON.parse(readFileSync(registryPath, 'utf8')) as { institutions: Array<{ code: string; shards: Record<string, string> }> };
  const gatewayRegistry = {
    institutions: raw.institutions.map((entry) => {
      const serviceJwks = Object.fromEntries(Object.keys(entry.shards).flatMap((kind) => {
        const pair = serviceKeys.get(hopAudience(kind, entry.code));
        return pair ? [[kind, pair.publicKeys]] : [];
      }));
      return Object.keys(serviceJwks).length > 0 ? { ...entry, serviceJwks } : entry;
    }),
  };
  mkdirSync(dataDir, { recursive: true });
  const gatewayRegistryPath = join(dataDir, 'registry.with-service-keys.json');
  writeFileSync(gatewayRegistryPath, JSON.stringify(gatewayRegistry, null, 2));
  const port = Number(process.env.PORT ?? 4000);
  const processes: ManagedProcess[] = [];
  const stopAll = async () => {
    await Promise.all(processes.map((p) => p.stop()));
  };
  process.once('SIGINT', () => void stopAll().then(() => process.exit(0)));
  process.once('SIGTERM', () => void stopAll().then(() => process.exit(0)));

  try {
    await Promise.all(
      shards.map(async (shard) => {
        const seedFile = join(root, 'demo', 'institutions', `${shard.institution}.json`);
        const started = await startShardProcess({
          kind: shard.kind,
          institution: shard.institution,
          databaseUrl: process.env.DEMO_DATABASE_URL
            ? `${process.env.DEMO_DATABASE_URL.replace(/\/$/, '')}/hub_${shard.kind}_${shard.institution.replace(/[^a-z0-9]/g, '_')}`
            : `sqlite:${join(dataDir, shard.institution, `${shard.kind}.sqlite`)}`,
          port: Number(new URL(shard.url).port),
          hopPublicKeys: hopKeys.publicKeys,
          ...(serviceKeys.has(hopAudience(shard.kind, shard.institution)) ? { servicePrivateKey: serviceKeys.get(hopAudience(shard.kind, shard.institution))?.privateKeyPem } : {}),
          env: { HUB_URL: `http://127.0.0.1:${port}/graphql` },
          ...(shard.kind === 'qualifications' && existsSync(seedFile) ? { seedFile } : {}),
        });
        processes.push(started);
      }),
    );
    const gateway = await startGatewayProcess(
      {
        REGISTRY_PATH: gatewayRegistryPath,
        SUPERGRAPH_PATH: join(root, 'schema', 'supergraph.graphql'),
        HUB_HOP_PRIVATE_KEY: hopKeys.privateKeyPem,
        HUB_DEMO_TOKEN_SECRET: process.env.HUB_DEMO_TOKEN_SECRET ?? DEMO_TOKEN_SECRET,
        LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      },
      port,
      true,
    );
    processes.push(gateway);
    if (registry.kinds().includes('mobilities') && (await createDemoMobilities(gateway.url, registry.kinds().includes('recognition'), process.env.HUB_DEMO_TOKEN_SECRET))) {
      console.log('Created the demo mobilities: a memorandum, two learning agreements, a recognised transcript.');
    }
    console.log(`
ECVET federation hub (demo) is running: ${gateway.url}
  ${shards.length} shards of ${registry.institutions.length} institutions in ${new Set(registry.institutions.map((i) => i.country)).size} countries; data in ${dataDir}

Try it (EQF level 4 units across every partner school):
  curl -s ${gateway.url} -H 'content-type: application/json' \\
    -d '{"query":"{ units(filter: { eqfLevel: 4 }, first: 5) { totalCount edges { node { id title institution { name country } learningOutcomes { category statement } } } } }"}'

Sign in as a coordinator of Riga State Technical School, and read its mobilities:
  npm run token -- --institution rvt.lv --role coordinator
  (query: { learningAgreements { nodes { id status learner { name } transcript { totalEcvetPoints } } } })
Stop with Ctrl+C.`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    await stopAll();
    process.exit(1);
  }
}

void main();
