import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { createAuthenticator } from '../gateway/auth/auth';
import { gatewayEnvironment } from '../gateway/config';
import { issuerOf, parseRegistry, type Registry } from '../gateway/registry/registry';
import { shardEnvironment } from '../subgraphs/shared/config';
import {
  copiesOf,
  dockerfileInstructions,
  execForm,
  globMatches,
  runsOf,
  stagesOf,
  type Stage,
} from './harness/dockerfile';

/**
 * The container set-up (Dockerfile, docker-compose.yml, deploy/registry.compose.json) cannot be run here, so it
 * is checked by reading it against the code it configures: which variables the processes read, which files the
 * build produces, which shards the registry routes to.
 */

const root = join(__dirname, '..');
const read = (path: string): string => readFileSync(join(root, path), 'utf8');

/** What a user's .env would hold; the compose file must need nothing else to start. */
const SERVICE_KEYS = ['MOBILITIES', 'RECOGNITION'].flatMap((kind) =>
  ['RVT_LV', 'BBS_HANNOVER_DE', 'OMNIA_FI', 'CIFP_AVILES_ES'].map(
    (institution) => `${kind}_${institution}_SERVICE_KEY`,
  ),
);
const VARIABLES: Record<string, string> = {
  MYSQL_ROOT_PASSWORD: 'compose-test-root-password',
  HUB_HOP_PRIVATE_KEY: 'compose-test-hub-hop-private-key',
  ...Object.fromEntries(SERVICE_KEYS.map((name) => [name, `compose-test-${name.toLowerCase()}`])),
};
const SECRETS = ['MYSQL_ROOT_PASSWORD', 'HUB_HOP_PRIVATE_KEY', ...SERVICE_KEYS];
/** Read by every process besides its zod schema (platform/logger.ts). */
const ALSO_READ = ['NODE_ENV', 'LOG_LEVEL'];

// ---------------------------------------------------------------------------------------------------------
// Compose interpolation (https://docs.docker.com/reference/compose-file/interpolation/), applied to values.

const VARIABLE = /\$(?:(\$)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*)|(\{))/g;

function interpolate(text: string, variables: Record<string, string>): string {
  return text.replace(
    VARIABLE,
    (match, dollar?: string, braced?: string, operator?: string, word?: string, bare?: string, broken?: string) => {
      if (dollar) return '$';
      if (broken) throw new Error(`Malformed interpolation in "${text}"`);
      const name = (braced ?? bare) as string;
      const value = variables[name];
      const set = value !== undefined;
      const nonEmpty = set && value !== '';
      switch (operator) {
        case undefined:
          return value ?? '';
        case ':-':
          return nonEmpty ? value : (word ?? '');
        case '-':
          return set ? value : (word ?? '');
        case ':?':
          if (!nonEmpty) throw new Error(`${name}: ${word ?? 'required'}`);
          return value;
        case '?':
          if (!set) throw new Error(`${name}: ${word ?? 'required'}`);
          return value;
        case ':+':
          return nonEmpty ? (word ?? '') : '';
        case '+':
          return set ? (word ?? '') : '';
        default:
          throw new Error(`Unknown interpolation ${match}`);
      }
    },
  );
}

function interpolateDeep(value: unknown, variables: Record<string, string>): unknown {
  if (typeof value === 'string') return interpolate(value, variables);
  if (Array.isArray(value)) return value.map((item) => interpolateDeep(item, variables));
  if (isRecord(value))
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolateDeep(item, variables)]));
  return value;
}

// ---------------------------------------------------------------------------------------------------------
// docker-compose.yml, normalised.

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function scalar(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new Error(`Expected a scalar, got ${JSON.stringify(value)}`);
}

function stringList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new Error(`Expected a list, got ${JSON.stringify(value)}`);
  return value.map((item) => scalar(item) ?? '');
}

interface ComposeService {
  name: string;
  image: string | undefined;
  /** Built from this repository's Dockerfile. */
  builds: boolean;
  command: string[] | undefined;
  /** Variable → value; undefined for a bare `KEY` passed through from the host. */
  environment: Map<string, string | undefined>;
  /** Service → condition. */
  dependsOn: Map<string, string>;
  healthcheck: string[] | undefined;
  ports: string[];
  volumes: string[];
}

function environmentOf(value: unknown): Map<string, string | undefined> {
  if (value === undefined || value === null) return new Map();
  if (Array.isArray(value)) {
    return new Map(
      stringList(value).map((entry) => {
        const equals = entry.indexOf('=');
        return equals < 0 ? [entry, undefined] : [entry.slice(0, equals), entry.slice(equals + 1)];
      }),
    );
  }
  if (isRecord(value)) return new Map(Object.entries(value).map(([key, item]) => [key, scalar(item)]));
  throw new Error(`Unreadable environment ${JSON.stringify(value)}`);
}

function dependsOnOf(value: unknown): Map<string, string> {
  if (value === undefined || value === null) return new Map();
  if (Array.isArray(value)) return new Map(stringList(value).map((name) => [name, 'service_started']));
  if (isRecord(value)) {
    return new Map(
      Object.entries(value).map(([name, item]) => [
        name,
        (isRecord(item) ? scalar(item.condition) : undefined) ?? 'service_started',
      ]),
    );
  }
  throw new Error(`Unreadable depends_on ${JSON.stringify(value)}`);
}

function serviceOf(name: string, raw: unknown): ComposeService {
  if (!isRecord(raw)) throw new Error(`Service ${name} is not a mapping`);
  const build = raw.build;
  const context = typeof build === 'string' ? build : isRecord(build) ? (scalar(build.context) ?? '.') : undefined;
  const dockerfile = isRecord(build) ? (scalar(build.dockerfile) ?? 'Dockerfile') : 'Dockerfile';
  const command = raw.command;
  const healthcheck = isRecord(raw.healthcheck) ? raw.healthcheck.test : undefined;
  return {
    name,
    image: scalar(raw.image),
    builds: context !== undefined && posix.normalize(context) === '.' && dockerfile === 'Dockerfile',
    command:
      command === undefined
        ? undefined
        : typeof command === 'string'
          ? command.trim().split(/\s+/)
          : stringList(command),
    environment: environmentOf(raw.environment),
    dependsOn: dependsOnOf(raw.depends_on),
    healthcheck:
      healthcheck === undefined
        ? undefined
        : typeof healthcheck === 'string'
          ? ['CMD-SHELL', healthcheck]
          : stringList(healthcheck),
    ports: stringList(raw.ports),
    volumes: stringList(raw.volumes),
  };
}

const composeText = read('docker-compose.yml');
/** As written (before interpolation), with YAML merge keys resolved as Compose resolves them. */
const composeRaw: unknown = parse(composeText, { merge: true });
if (!isRecord(composeRaw) || !isRecord(composeRaw.services)) throw new Error('docker-compose.yml has no services');
const compose = interpolateDeep(composeRaw, VARIABLES) as Record<string, unknown> & {
  services: Record<string, unknown>;
};
const services = new Map(Object.entries(compose.services).map(([name, raw]) => [name, serviceOf(name, raw)]));

const dockerfileText = read('Dockerfile');
const stages = stagesOf(dockerfileInstructions(dockerfileText));
const buildStage = stages[0];
const runtimeStage = stages.at(-1);
if (!buildStage || !runtimeStage || buildStage === runtimeStage)
  throw new Error('Dockerfile needs a build stage and a runtime stage');
const dockerCmd = execForm(runtimeStage.instructions.filter((i) => i.keyword === 'CMD').at(-1)?.args ?? '');

/**
 * The repository file behind an absolute path in a service's container: a bind mount, or a COPY of the runtime
 * stage (from the build context, or from the build stage, which copied it from the context at the same place).
 */
function repositoryFileFor(service: ComposeService, containerPath: string): string | undefined {
  for (const volume of service.volumes) {
    const [source, target] = volume.split(':');
    if (source?.startsWith('.') && target === containerPath) return posix.normalize(source);
  }
  for (const copy of copiesOf(runtimeStage as Stage)) {
    for (const source of copy.sources) {
      const base = posix.basename(source);
      const isGlob = base.includes('*') || base.includes('?');
      let contextPath: string | undefined;
      if (isGlob) {
        if (posix.dirname(containerPath) === copy.destination && globMatches(base, posix.basename(containerPath))) {
          contextPath = posix.join(posix.dirname(source), posix.basename(containerPath));
        }
      } else if (containerPath === copy.destination || containerPath.startsWith(`${copy.destination}/`)) {
        contextPath = posix.join(source, posix.relative(copy.destination, containerPath));
      }
      if (contextPath === undefined) continue;
      if (copy.from === undefined) return posix.normalize(contextPath);
      if (copy.from === buildStage?.name && contextPath.startsWith(`${buildStage.workdir}/`)) {
        return posix.relative(buildStage.workdir, contextPath);
      }
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Roles of the services built from the Dockerfile.

function entryOf(service: ComposeService): string | undefined {
  const command = service.command ?? (service.builds ? dockerCmd : undefined);
  if (!command || command[0] !== 'node') return undefined;
  return command.find((word) => word.endsWith('.js'));
}

const hubServices = [...services.values()].filter(
  (service) => service.builds || service.image === services.get('gateway')?.image,
);
const gateways = hubServices.filter((service) => entryOf(service) === 'dist/gateway/main.js');
const shards = hubServices.flatMap((service) => {
  const kind = /^dist\/subgraphs\/([^/]+)\/main\.js$/.exec(entryOf(service) ?? '')?.[1];
  return kind ? [{ service, kind }] : [];
});

const registryPath = 'deploy/registry.compose.json';
const registry: Registry = parseRegistry(JSON.parse(read(registryPath)), registryPath);

function env(service: ComposeService, name: string): string {
  const value = service.environment.get(name);
  if (value === undefined) throw new Error(`${service.name} does not set ${name}`);
  return value;
}

/** `http://127.0.0.1:<port><path>` of a `node -e fetch(…)` healthcheck. */
function healthcheckUrl(service: ComposeService): URL | undefined {
  const match = /https?:\/\/[^'"\s)]+/.exec((service.healthcheck ?? []).join(' '));
  return match ? new URL(match[0]) : undefined;
}

// ---------------------------------------------------------------------------------------------------------

describe('docker-compose.yml', () => {
  test('has MySQL 8, Redis 7, a gateway and one shard of each kind per registry institution', () => {
    expect(services.get('mysql')?.image).toMatch(/^mysql:8(\.|$)/);
    expect(services.get('mysql')?.volumes.some((volume) => volume.endsWith(':/var/lib/mysql'))).toBe(true);
    expect(services.get('redis')?.image).toMatch(/^redis:7(\.|-|$)/);
    for (const name of ['mysql', 'redis']) expect(services.get(name)?.healthcheck?.length).toBeGreaterThan(1);
    expect(gateways.map((service) => service.name)).toEqual(['gateway']);
    for (const kind of registry.kinds()) {
      const ofKind = shards.filter((shard) => shard.kind === kind);
      expect({ kind, institutions: ofKind.map(({ service }) => env(service, 'INSTITUTION')).sort() }).toEqual({
        kind,
        institutions: registry.institutions.map((institution) => institution.code),
      });
    }
    // Every service built from the Dockerfile has a role.
    expect(hubServices.filter((service) => entryOf(service) === undefined).map((service) => service.name)).toEqual([]);
  });

  test('every service named in depends_on exists, and waits only for health that is checked', () => {
    const problems: string[] = [];
    for (const service of services.values()) {
      for (const [name, condition] of service.dependsOn) {
        const target = services.get(name);
        if (!target) problems.push(`${service.name} depends on missing service ${name}`);
        else if (condition === 'service_healthy' && !target.healthcheck)
          problems.push(`${service.name} waits for ${name} to be healthy, which has no healthcheck`);
      }
    }
    expect(problems).toEqual([]);
    for (const { service } of shards) expect(service.dependsOn.get('mysql')).toBe('service_healthy');
    expect([...(services.get('gateway')?.dependsOn.keys() ?? [])].sort()).toEqual(
      [...shards.map(({ service }) => service.name), 'redis'].sort(),
    );
    expect(
      [...(services.get('gateway')?.dependsOn.values() ?? [])].every((condition) => condition === 'service_healthy'),
    ).toBe(true);
  });

  test("every shard's INSTITUTION is in the registry, which routes its kind to that very service", () => {
    const problems: string[] = [];
    for (const { service, kind } of shards) {
      const institution = env(service, 'INSTITUTION');
      const shard = registry.shard(kind, institution);
      if (!shard) {
        problems.push(`${service.name}: ${institution} runs no ${kind} shard in ${registryPath}`);
        continue;
      }
      if (new URL(shard.url).hostname !== service.name)
        problems.push(`${service.name}: the registry sends ${institution}'s ${kind} to ${shard.url}`);
    }
    expect(problems).toEqual([]);
  });

  test('every shard URL in the registry names a compose shard of that kind listening on the port of the URL', () => {
    const problems: string[] = [];
    const urls = registry.kinds().flatMap((kind) => registry.shards(kind));
    expect(urls.length).toBe(registry.institutions.length * registry.kinds().length);
    for (const shard of urls) {
      const url = new URL(shard.url);
      const service = services.get(url.hostname);
      const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
      if (!service) {
        problems.push(`${shard.url}: no service ${url.hostname}`);
        continue;
      }
      const role = shards.find((candidate) => candidate.service === service);
      if (role?.kind !== shard.kind) problems.push(`${shard.url}: ${service.name} is not a ${shard.kind} shard`);
      const parsed = shardEnvironment.safeParse(Object.fromEntries(service.environment));
      if (!parsed.success) problems.push(`${service.name}: environment invalid`);
      else {
        if (parsed.data.PORT !== port) problems.push(`${shard.url}: ${service.name} listens on ${parsed.data.PORT}`);
        if (parsed.data.INSTITUTION !== shard.institution)
          problems.push(`${shard.url}: ${service.name} serves ${parsed.data.INSTITUTION}, not ${shard.institution}`);
      }
    }
    expect(problems).toEqual([]);
  });

  test('gateway services set only variables the gateway reads, and valid ones', () => {
    const allowed = new Set([...Object.keys(gatewayEnvironment.shape), ...ALSO_READ]);
    for (const service of gateways) {
      expect([...service.environment.keys()].filter((key) => !allowed.has(key))).toEqual([]);
      const parsed = gatewayEnvironment.safeParse(Object.fromEntries(service.environment));
      expect(parsed.error?.issues ?? []).toEqual([]);
      // Reachable from outside its container, in production mode, and signing hops.
      expect(parsed.data?.HOST).toBe('0.0.0.0');
      expect(parsed.data?.NODE_ENV).toBe('production');
      expect(parsed.data?.HUB_HOP_PRIVATE_KEY).toBe(VARIABLES.HUB_HOP_PRIVATE_KEY);
      expect(parsed.data?.HUB_DEMO_TOKEN_SECRET).toBeUndefined();
      expect(service.ports.some((port) => port.endsWith(`:${parsed.data?.PORT}`))).toBe(true);
    }
  });

  test('shard services set only variables shards read, and valid ones', () => {
    const allowed = new Set([...Object.keys(shardEnvironment.shape), ...ALSO_READ]);
    for (const { service } of shards) {
      expect([...service.environment.keys()].filter((key) => !allowed.has(key))).toEqual([]);
      const parsed = shardEnvironment.safeParse(Object.fromEntries(service.environment));
      expect(parsed.error?.issues ?? []).toEqual([]);
      expect(parsed.data?.HOST).toBe('0.0.0.0');
      // Shards hold nothing of the hub's: they fetch its public keys from the gateway.
      expect(parsed.data?.HUB_HOP_JWKS_URL).toBe('http://gateway:4000/.well-known/hub-hop-keys.json');
      expect(service.environment.has('HUB_HOP_PRIVATE_KEY')).toBe(false);
    }
  });

  test('each shard that calls the hub has its own service key, published where the registry says', () => {
    const calling = shards.filter(({ service }) => service.environment.has('HUB_URL'));
    expect(calling.length).toBe(SERVICE_KEYS.length);
    const keys = calling.map(({ service }) => service.environment.get('SHARD_SERVICE_PRIVATE_KEY'));
    expect(new Set(keys).size).toBe(SERVICE_KEYS.length);
    expect(keys).not.toContain(VARIABLES.HUB_HOP_PRIVATE_KEY);
    for (const { service, kind } of calling) {
      const institution = service.environment.get('INSTITUTION') ?? '';
      const published = registry.institution(institution)?.serviceJwksUrl?.[kind];
      expect({ service: service.name, published }).toEqual({
        service: service.name,
        published: `http://${service.name}:4001/.well-known/service-keys.json`,
      });
    }
  });

  test('the gateway and every shard share events and rate limits through the compose Redis', () => {
    for (const service of [...gateways, ...shards.map(({ service: shard }) => shard)]) {
      expect({ service: service.name, redis: service.environment.get('REDIS_URL') }).toEqual({
        service: service.name,
        redis: 'redis://redis:6379',
      });
      expect(service.dependsOn.get('redis')).toBe('service_healthy');
    }
  });

  test('every DATABASE_URL is accepted by the shards, points at the mysql service and names its own database', () => {
    const names: string[] = [];
    for (const { service } of shards) {
      const url = env(service, 'DATABASE_URL');
      expect(shardEnvironment.shape.DATABASE_URL.safeParse(url).success).toBe(true);
      const parsed = new URL(url);
      expect(parsed.protocol).toBe('mysql:');
      expect(services.get(parsed.hostname)?.image).toMatch(/^mysql:/);
      expect(service.dependsOn.get(parsed.hostname)).toBe('service_healthy');
      expect(decodeURIComponent(parsed.password)).toBe(VARIABLES.MYSQL_ROOT_PASSWORD);
      const name = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
      // The rule of ensureMysqlDatabase in subgraphs/shared/database.ts.
      expect(name).toMatch(/^[A-Za-z0-9_]+$/);
      names.push(name);
    }
    expect(names.length).toBe(shards.length);
    expect(new Set(names).size).toBe(names.length);
  });

  test('SEED_FILE paths of qualifications shards are demo/institutions/<INSTITUTION>.json', () => {
    for (const { service } of shards.filter((shard) => shard.kind === 'qualifications')) {
      const seed = env(service, 'SEED_FILE');
      expect(posix.dirname(posix.normalize(seed))).toBe('demo/institutions');
      // main.ts refuses a seed of another institution.
      expect(posix.basename(seed)).toBe(`${env(service, 'INSTITUTION')}.json`);
      // The image carries demo/ at the working directory the shard resolves the relative path from.
      expect(repositoryFileFor(service, posix.resolve(runtimeStage.workdir, seed))).toBe(seed);
    }
  });

  test('healthchecks ask the port each process listens on, at a path it answers', () => {
    const problems: string[] = [];
    const check = (service: ComposeService, port: number, path: string, source: string) => {
      const url = healthcheckUrl(service);
      if (!url) return problems.push(`${service.name}: no HTTP healthcheck`);
      if (Number(url.port) !== port) problems.push(`${service.name}: healthcheck on ${url.port}, listens on ${port}`);
      if (url.pathname !== path) problems.push(`${service.name}: healthcheck asks ${url.pathname}, not ${path}`);
      if (!read(source).includes(`'${path}'`)) problems.push(`${source} no longer answers ${path}`);
      if (service.healthcheck?.[1] === 'curl') problems.push(`${service.name}: the slim image has no curl`);
      return undefined;
    };
    for (const service of gateways)
      check(service, Number(env(service, 'PORT')), '/health/live', 'gateway/health/health.ts');
    for (const { service } of shards)
      check(service, Number(env(service, 'PORT')), '/health', 'subgraphs/shared/shard.ts');
    expect(problems).toEqual([]);
  });

  test('secrets must be given: no defaults, compose stops when they are missing', () => {
    for (const secret of SECRETS) {
      const references = [...composeText.matchAll(new RegExp(`\\$\\{?${secret}([^A-Za-z0-9_][^}]*)?\\}?`, 'g'))].map(
        (match) => match[0],
      );
      expect(references.length).toBeGreaterThan(0);
      for (const reference of references) expect(reference.startsWith(`\${${secret}:?`)).toBe(true);
      const { [secret]: _missing, ...others } = VARIABLES;
      expect(() => interpolateDeep(composeRaw, others)).toThrow(secret);
    }
  });

  test('the registry the gateway reads is deploy/registry.compose.json, and the supergraph it reads is committed', () => {
    for (const service of gateways) {
      const registryFile = env(service, 'REGISTRY_PATH');
      expect(repositoryFileFor(service, posix.resolve(runtimeStage.workdir, registryFile))).toBe(registryPath);
      const supergraph = repositoryFileFor(
        service,
        posix.resolve(runtimeStage.workdir, env(service, 'SUPERGRAPH_PATH')),
      );
      expect(supergraph).toBe('schema/supergraph.graphql');
      expect(existsSync(join(root, supergraph ?? ''))).toBe(true);
    }
  });

  test('every command runs a file that the image build (tsconfig.build.json) produces', () => {
    const include = (JSON.parse(read('tsconfig.build.json')) as { include: string[] }).include;
    const built = copiesOf(buildStage).flatMap((copy) => copy.sources);
    const commands = [...services.values()].flatMap((service) => (service.command ? [service.command] : []));
    const entries = [...new Set([...hubServices.map(entryOf), dockerCmd?.find((word) => word.endsWith('.js'))])];
    expect(commands.length).toBeGreaterThanOrEqual(hubServices.length);
    expect(entries).toEqual(
      expect.arrayContaining([
        'dist/gateway/main.js',
        'dist/subgraphs/qualifications/main.js',
        'dist/subgraphs/mobilities/main.js',
        'dist/subgraphs/recognition/main.js',
      ]),
    );
    for (const entry of entries) {
      const source = /^dist\/(.+)\.js$/.exec(entry ?? '')?.[1];
      expect(source).toBeDefined();
      expect(existsSync(join(root, `${source}.ts`))).toBe(true);
      const topFolder = (source ?? '').split('/')[0] ?? '';
      expect(include).toContain(topFolder);
      expect(built).toContain(topFolder);
    }
  });
});

describe('deploy/registry.compose.json', () => {
  test('parses and lists the demo institutions with the same names and countries', () => {
    // The compose deployment runs the reference shards; a school on its own system, and the agency, join the
    // `npm start` demo only.
    const raw = JSON.parse(read('demo/registry.json')) as {
      institutions: Array<{ implementation?: unknown; agency?: unknown }>;
    };
    const reference = {
      institutions: raw.institutions.filter(
        (entry) => entry.implementation === undefined && entry.agency === undefined,
      ),
    };
    const demo = parseRegistry(reference, 'demo/registry.json');
    const summary = (r: Registry) => r.institutions.map(({ code, names, country }) => ({ code, names, country }));
    expect(summary(registry)).toEqual(summary(demo));
    expect(registry.kinds()).toEqual(demo.kinds());
    expect(registry.institutions.length).toBe(4);
  });
});

describe('deploy/registry.compose.json: who may sign tokens', () => {
  test('every member has its own token issuer and public signing keys, shared with no other member', () => {
    const issuers = registry.institutions.map(issuerOf);
    expect(registry.institutions.map((member) => member.issuer)).toEqual(issuers);
    expect(new Set(issuers).size).toBe(registry.institutions.length);
    const keys = registry.institutions.flatMap((member) => {
      const memberKeys = member.jwks?.keys ?? [];
      expect({ member: member.code, keys: memberKeys.length }).toEqual({ member: member.code, keys: 1 });
      return memberKeys;
    });
    for (const key of keys) {
      expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', kid: expect.any(String) });
      // Public halves only: a private part here would let anyone who reads the repository sign as the member.
      for (const part of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) expect(key).not.toHaveProperty(part);
    }
    expect(new Set(keys.map((key) => `${String(key.x)}|${String(key.y)}`)).size).toBe(keys.length);
    expect(new Set(keys.map((key) => key.kid)).size).toBe(keys.length);
  });
});

describe('docker-compose.demo.yml', () => {
  const demoText = read('docker-compose.demo.yml');
  const demoRaw: unknown = parse(demoText, { merge: true });
  const DEMO_SECRET = 'compose-test-demo-token-secret';

  test('says at its top that it is a demo for trying the hub out only', () => {
    expect(demoText.split('\n')[0]).toMatch(
      /^# DEMO MODE, FOR TRYING THE HUB OUT ONLY\. Never deploy with this file\.$/,
    );
  });

  test('only adds NODE_ENV=development and HUB_DEMO_TOKEN_SECRET to the gateway, which then accepts demo tokens', () => {
    if (!isRecord(demoRaw) || !isRecord(demoRaw.services)) throw new Error('docker-compose.demo.yml has no services');
    expect(Object.keys(demoRaw)).toEqual(['services']);
    expect(Object.keys(demoRaw.services)).toEqual(['gateway']);
    const gatewayOverride = demoRaw.services.gateway;
    expect(isRecord(gatewayOverride) && Object.keys(gatewayOverride)).toEqual(['environment']);
    const added = serviceOf(
      'gateway',
      interpolateDeep(gatewayOverride, { ...VARIABLES, HUB_DEMO_TOKEN_SECRET: DEMO_SECRET }),
    ).environment;
    expect(Object.fromEntries(added)).toEqual({ NODE_ENV: 'development', HUB_DEMO_TOKEN_SECRET: DEMO_SECRET });
    // Compose merges environment mappings key by key: the base gateway's with these two on top.
    const base = services.get('gateway')?.environment ?? new Map<string, string | undefined>();
    const parsed = gatewayEnvironment.safeParse(Object.fromEntries([...base, ...added]));
    expect(parsed.error?.issues ?? []).toEqual([]);
    expect(parsed.data?.HUB_DEMO_TOKEN_SECRET).toBe(DEMO_SECRET);
    expect(parsed.data?.HUB_HOP_PRIVATE_KEY).toBe(VARIABLES.HUB_HOP_PRIVATE_KEY);
    // The same secret in production mode is refused by the gateway.
    expect(
      gatewayEnvironment.safeParse(Object.fromEntries([...base, ['HUB_DEMO_TOKEN_SECRET', DEMO_SECRET]])).success,
    ).toBe(false);
  });

  test('has no default secret: compose stops when HUB_DEMO_TOKEN_SECRET is not set', () => {
    expect(demoText).toContain('${HUB_DEMO_TOKEN_SECRET:?');
    expect(() => interpolateDeep(demoRaw, VARIABLES)).toThrow('HUB_DEMO_TOKEN_SECRET');
  });
});

describe('member keys: npm run member-keys and npm run token --key', () => {
  const run = promisify(execFile);
  const script = (name: string) => join(root, 'dist', 'scripts', `${name}.js`);
  const directory = mkdtempSync(join(tmpdir(), 'member-keys-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  /** The compose registry with one member's issuer and keys replaced, as the README's steps do. */
  function registryWith(code: string, fields: { issuer: string; jwks: unknown }): Registry {
    const json = JSON.parse(read(registryPath)) as { institutions: Array<Record<string, unknown>> };
    const institutions = json.institutions.map((member) => (member.code === code ? { ...member, ...fields } : member));
    return parseRegistry({ institutions }, registryPath);
  }

  const mint = async (...args: string[]) =>
    (await run(process.execPath, [script('token'), ...args], { cwd: root })).stdout.trim();

  test('a token signed with the key member-keys wrote verifies with the JWKS it printed, through the gateway authenticator', async () => {
    const keyFile = join(directory, 'rvt.lv.member-key.json');
    const { stdout } = await run(process.execPath, [script('member-keys'), 'rvt.lv', '--out', keyFile], { cwd: root });
    const fields = JSON.parse(stdout) as { issuer: string; jwks: { keys: Array<Record<string, unknown>> } };
    expect(fields.issuer).toBe('https://rvt.lv');
    expect(fields.jwks.keys.map((key) => Object.keys(key).sort())).toEqual([
      ['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y'],
    ]);
    expect(readFileSync(keyFile, 'utf8')).toContain('"d":');
    // The private key is its owner's alone.
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);

    // The production gateway: member keys only, no demo secret.
    const authenticate = createAuthenticator({ registry: registryWith('rvt.lv', fields), demoSecret: null });
    const token = await mint(
      '--institution',
      'rvt.lv',
      '--role',
      'coordinator',
      '--key',
      keyFile,
      '--issuer',
      fields.issuer,
      '--subject',
      'anna.berzina',
    );
    await expect(authenticate(`Bearer ${token}`)).resolves.toEqual({
      institution: 'rvt.lv',
      roles: ['coordinator'],
      learnerId: null,
      subject: 'anna.berzina',
    });

    // The committed placeholder keys are not this one; another issuer, or another member's name, is refused.
    await expect(createAuthenticator({ registry, demoSecret: null })(`Bearer ${token}`)).rejects.toThrow(
      'no registered key of its institution matches it',
    );
    const otherIssuer = await mint(
      '--institution',
      'rvt.lv',
      '--role',
      'coordinator',
      '--key',
      keyFile,
      '--issuer',
      'https://idp.example.org',
    );
    await expect(authenticate(`Bearer ${otherIssuer}`)).rejects.toThrow(/unexpected "iss" claim value/);
    const asOmnia = await mint(
      '--institution',
      'omnia.fi',
      '--role',
      'coordinator',
      '--key',
      keyFile,
      '--issuer',
      fields.issuer,
    );
    await expect(authenticate(`Bearer ${asOmnia}`)).rejects.toThrow('Bearer token refused');
    const demo = await mint('--institution', 'rvt.lv', '--role', 'coordinator');
    await expect(authenticate(`Bearer ${demo}`)).rejects.toThrow('HS256 demo tokens are not accepted by this hub');

    // A key in use is never overwritten.
    await expect(
      run(process.execPath, [script('member-keys'), 'rvt.lv', '--out', keyFile], { cwd: root }),
    ).rejects.toMatchObject({
      stderr: expect.stringContaining(`${keyFile} exists already`),
    });
  });

  test("an RSA key of a member's own identity provider (PKCS8 PEM) signs RS256 tokens the hub accepts", async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const keyFile = join(directory, 'omnia.fi.pem');
    writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    const fields = { issuer: 'https://idp.omnia.fi', jwks: { keys: [publicKey.export({ format: 'jwk' })] } };
    const token = await mint(
      '--institution',
      'omnia.fi',
      '--role',
      'assessor',
      '--key',
      keyFile,
      '--issuer',
      fields.issuer,
    );
    expect(JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8'))).toMatchObject({
      alg: 'RS256',
    });
    const authenticate = createAuthenticator({ registry: registryWith('omnia.fi', fields), demoSecret: null });
    await expect(authenticate(`Bearer ${token}`)).resolves.toMatchObject({
      institution: 'omnia.fi',
      roles: ['assessor'],
    });
  });

  test('the token script names what is wrong with its options', async () => {
    await expect(
      mint('--institution', 'rvt.lv', '--role', 'coordinator', '--issuer', 'https://rvt.lv'),
    ).rejects.toMatchObject({
      stderr: expect.stringContaining('--issuer and --subject go with --key <private key file>'),
    });
    await expect(
      mint('--institution', 'rvt.lv', '--role', 'coordinator', '--key', join(directory, 'missing.json')),
    ).rejects.toMatchObject({
      stderr: expect.stringContaining('Cannot read the key file'),
    });
  });
});

describe('Dockerfile', () => {
  test('its header lists the command of every role compose runs', () => {
    const header = dockerfileText
      .split('\n')
      .filter((line) => line.startsWith('#'))
      .join('\n');
    for (const entry of new Set(hubServices.map(entryOf))) expect(header).toContain(`node ${entry ?? ''}`);
  });

  test('builds on node:26-bookworm-slim: npm ci, the build, pruned dev dependencies, a toolchain for better-sqlite3', () => {
    for (const stage of stages) expect(stage.base).toBe('node:26-bookworm-slim');
    const build = runsOf(buildStage);
    expect(build).toMatch(/npm ci\b/);
    expect(build).toMatch(/npm run build:image\b/);
    expect(build).toMatch(/npm prune --omit=dev\b/);
    for (const tool of ['python3', 'make', 'g++']) expect(build.split(/\s+/)).toContain(tool);
    expect(build.indexOf('npm ci')).toBeLessThan(build.indexOf('npm run build:image'));
    expect(build.indexOf('npm run build:image')).toBeLessThan(build.indexOf('npm prune'));
  });

  test('runs as node in production with only what the processes need', () => {
    const runtime = runtimeStage.instructions;
    expect(runtime.filter((i) => i.keyword === 'USER').at(-1)?.args).toBe('node');
    expect(runtime.some((i) => i.keyword === 'ENV' && /\bNODE_ENV=production\b/.test(i.args))).toBe(true);
    expect(runsOf(runtimeStage)).not.toMatch(/apt-get|g\+\+|npm (ci|install)/);
    const copied = copiesOf(runtimeStage).map((copy) => posix.relative(runtimeStage.workdir, copy.destination));
    expect(copied).toEqual(expect.arrayContaining(['dist', 'node_modules', 'package.json', 'schema', 'demo']));
    for (const name of ['dist', 'node_modules', 'package.json']) {
      expect(
        copiesOf(runtimeStage).find((copy) => copy.destination === posix.join(runtimeStage.workdir, name))?.from,
      ).toBe(buildStage.name);
    }
  });

  test('defaults to the gateway, in exec form so node receives SIGTERM', () => {
    expect(dockerCmd).toEqual(['node', 'dist/gateway/main.js']);
  });
});

describe('.dockerignore', () => {
  test('keeps local installs, builds, data, history and secrets out of the build context', () => {
    const patterns = read('.dockerignore')
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    expect(patterns).toEqual(expect.arrayContaining(['node_modules', 'dist', 'data', '.git', '.env', 'coverage']));
    // Nothing the build or runtime stage copies from the context is ignored.
    const fromContext = stages.flatMap((stage) =>
      copiesOf(stage)
        .filter((copy) => copy.from === undefined)
        .flatMap((copy) => copy.sources),
    );
    for (const source of fromContext)
      expect(patterns.some((pattern) => globMatches(pattern, source.split('/')[0] ?? ''))).toBe(false);
  });
});
