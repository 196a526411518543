import { SQLITE_BUSY_TIMEOUT_MS } from '../subgraphs/shared/sqlite-transactions';
import {
  openShardDatabase,
  startKillableHub,
  type KillableHub,
  type KillableShard,
  type ShardDatabase,
} from './harness/killable-hub';
import { waitFor } from './harness/wait';
import { seedUnits } from './seeds';

/**
 * Writes that survive faults: a mutation cut off by a killed shard or a failed database connection happened
 * completely or not at all, the gateway keeps serving the other shards, and a retry with the same
 * Idempotency-Key gets the answer of the one write.
 */
let hub: KillableHub;
let rvt: KillableShard;
let db: ShardDatabase;
let coordinator: string;
beforeAll(async () => {
  // The gateway waits longer than the shard's SQLite busy timeout, so that a shard stuck on the lock is seen to fail.
  hub = await startKillableHub({
    institutions: ['rvt.lv', 'omnia.fi'],
    gateway: { shardTimeoutMs: SQLITE_BUSY_TIMEOUT_MS + 3_000, resilience: { halfOpenAfterMs: 300 } },
  });
  rvt = hub.shards.get('rvt.lv') as KillableShard;
  db = await openShardDatabase(rvt.databaseUrl);
  coordinator = await hub.token('rvt.lv', ['coordinator']);
  const raised = await hub.request(
    'mutation($id: ID!) { updateQualification(id: $id, input: { ecvetPoints: 900 }) { id } }',
    { id: rvtUnit().qualificationId },
    coordinator,
  );
  expect(raised.body.errors).toBeUndefined();
});
afterAll(async () => {
  await db?.close();
  await hub?.dispose();
});

const rvtUnit = () => seedUnits(['rvt.lv'])[0] as ReturnType<typeof seedUnits>[number];
const omniaUnit = () => seedUnits(['omnia.fi'])[0]?.id as string;
const mysql = () => db.driver === 'mysql';
const UPDATE = `mutation($id: ID!, $title: String!) {
  updateUnit(id: $id, input: { titles: [{ lang: "en", value: $title }],
    learningOutcomes: [{ category: SKILLS, statements: [{ lang: "en", value: $title }], escoSkills: [] }] }) { id title } }`;

/** Every row of every table of the shard's database, in a stable order: "no half-written row" is this unchanged. */
async function snapshot(): Promise<Record<string, string[]>> {
  const tables = mysql()
    ? (
        await db.query<{ name: string }>(
          'SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()',
        )
      ).map((t) => t.name)
    : (
        await db.query<{ name: string }>(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        )
      ).map((t) => t.name);
  const quote = (name: string) => (mysql() ? `\`${name}\`` : `"${name}"`);
  const all: Record<string, string[]> = {};
  for (const table of tables.sort())
    all[table] = (await db.query(`SELECT * FROM ${quote(table)}`)).map((row) => JSON.stringify(row)).sort();
  return all;
}

/**
 * Holds the lock the mutation will need, from the test's own connection: on MySQL/MariaDB the row of a unit (or of
 * a qualification, which a new unit's foreign key waits on) (`SELECT … FOR UPDATE`), on SQLite the database's
 * write lock (`BEGIN IMMEDIATE`).
 */
async function holdLock(localId: string, table: 'unit' | 'qualification' = 'unit'): Promise<ShardDatabase> {
  const locker = await openShardDatabase(rvt.databaseUrl);
  if (locker.driver === 'mysql') {
    await locker.query('START TRANSACTION');
    await locker.query(`SELECT id FROM ${table} WHERE id = ? FOR UPDATE`, [localId]);
  } else {
    await locker.query('BEGIN IMMEDIATE');
  }
  return locker;
}

/**
 * MySQL/MariaDB: resolves with the shard connections whose writes wait on a lock (the test's, or one a waiting
 * shard transaction holds), once there are `count`: connections to the shard's database, neither the test's nor
 * the locker's, running an INSERT, UPDATE or DELETE (MariaDB does not list a transaction waiting on a foreign-key
 * check as LOCK WAIT in INNODB_TRX, so the process list is asked).
 */
async function blockedShards(locker: ShardDatabase, count: number): Promise<number[]> {
  const mine = [await db.connectionId(), await locker.connectionId()];
  let blocked: number[] = [];
  await waitFor(`${count} shard write(s) wait on a lock`, async () => {
    const waiting = await db.query<{ id: number }>(
      `SELECT ID AS id FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND ID NOT IN (?, ?) AND COMMAND = 'Query'
       AND (INFO LIKE 'INSERT%' OR INFO LIKE 'UPDATE%' OR INFO LIKE 'DELETE%')`,
      mine,
    );
    blocked = waiting.map((row) => Number(row.id));
    return blocked.length >= count;
  });
  return blocked;
}

const blockedShard = async (locker: ShardDatabase): Promise<number> => (await blockedShards(locker, 1))[0] as number;

/** MySQL: the killed shard's connections are gone (the server rolled their transactions back). */
async function noShardConnections(): Promise<void> {
  if (!mysql()) return;
  const own = await db.connectionId();
  await waitFor('the killed shard has no connection left', async () => {
    const rows = await db.query('SELECT ID FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND ID <> ?', [
      own,
    ]);
    return rows.length === 0;
  });
}

async function auditEntries(entityId: string): Promise<number> {
  const [row] = await db.query<{ n: number | string }>('SELECT COUNT(*) AS n FROM audit_entry WHERE entityId = ?', [
    entityId,
  ]);
  return Number(row?.n);
}

/**
 * MySQL/MariaDB: the shard is killed inside the mutation's transaction, after it deleted and inserted learning
 * outcomes and while its UPDATE of the unit waits on the test's row lock. SQLite cannot hold a shard mid-transaction
 * (a shard's transaction takes the write lock as it begins, before any statement of the mutation), so there the shard
 * is killed with the mutation sent to it but not run; the fault-injection test below kills SQLite shards at random
 * points.
 */
const killName = () =>
  mysql()
    ? "a shard killed inside a mutation's transaction (MariaDB row lock): SHARD_UNAVAILABLE, nothing written, others served, the retry applies it once"
    : 'a shard killed with a mutation in flight (SQLite): SHARD_UNAVAILABLE, nothing written, others served, the retry applies it once';

test('a shard killed in the middle of a mutation', async () => {
  const name = killName();
  const unit = rvtUnit();
  const headers = { 'Idempotency-Key': `killed-${Date.now()}` };
  const variables = { id: unit.id, title: 'Welding after the crash' };
  const before = await snapshot();
  const audits = await auditEntries(unit.id);
  const locker = mysql() ? await holdLock(unit.id.split(':')[1] as string) : null;
  if (!locker) rvt.pause();
  const pending = hub.request(UPDATE, variables, coordinator, headers);
  try {
    if (locker) await blockedShard(locker);
    else await new Promise((resolve) => setTimeout(resolve, 300));
    await rvt.kill();
    const answer = await pending;
    expect({ name, data: answer.body.data }).toEqual({ name, data: null });
    expect(answer.body.errors?.[0]).toEqual(
      expect.objectContaining({
        message: expect.stringContaining('rvt.lv'),
        extensions: expect.objectContaining({ code: 'SHARD_UNAVAILABLE', institution: 'rvt.lv' }),
      }),
    );
  } finally {
    await locker?.query('ROLLBACK');
    await locker?.close();
  }
  await noShardConnections();
  expect(await snapshot()).toEqual(before);

  const other = await hub.request(`{ unit(id: "${omniaUnit()}") { id } }`, undefined, undefined);
  expect(other.body).toEqual({ data: { unit: { id: omniaUnit() } } });

  await rvt.restart();
  const retry = await hub.request(UPDATE, variables, coordinator, headers);
  expect(retry.body).toEqual({ data: { updateUnit: { id: unit.id, title: 'Welding after the crash' } } });
  expect((await hub.request(UPDATE, variables, coordinator, headers)).text).toBe(retry.text);
  expect(await auditEntries(unit.id)).toBe(audits + 1);
});

const dropName = () =>
  mysql()
    ? 'a MariaDB connection killed in the middle of a mutation: a coded error, nothing written, the pool recovers'
    : 'a SQLite database that refuses the write in the middle of a mutation (locked by another connection): a coded error, nothing written, the next write succeeds';

/** How often the gateway dropped a shard's cached entries because a write's outcome was unknown. */
async function unknownWriteFlushes(): Promise<number> {
  const metrics = await (await fetch(new URL('/metrics', hub.url))).text();
  return Number(/^hub_entity_cache_invalidations_total\{source="write-unknown"\} (\d+)/m.exec(metrics)?.[1] ?? 0);
}

test('the database failing a shard mid-mutation (MariaDB: KILL of its connection; SQLite: write lock held elsewhere)', async () => {
  const name = dropName();
  const unit = rvtUnit();
  const headers = { 'Idempotency-Key': `dropped-${Date.now()}` };
  const variables = { id: unit.id, title: 'Welding after the dropped connection' };
  const before = await snapshot();
  const flushes = await unknownWriteFlushes();
  const locker = await holdLock(unit.id.split(':')[1] as string);
  let answer;
  try {
    const pending = hub.request(UPDATE, variables, coordinator, headers);
    if (mysql()) await db.query(`KILL ${await blockedShard(locker)}`);
    answer = await pending;
  } finally {
    await locker.query('ROLLBACK');
    await locker.close();
  }
  expect({ name, data: answer.body.data }).toEqual({ name, data: null });
  expect(answer.body.errors?.[0]).toEqual(
    expect.objectContaining({
      message: expect.stringMatching(/database/i),
      extensions: expect.objectContaining({ code: 'SHARD_UNAVAILABLE', institution: 'rvt.lv', cause: 'database' }),
    }),
  );
  expect(await snapshot()).toEqual(before);
  // The answer cannot say whether a commit happened: the gateway's cache drops what it held of the shard.
  expect(await unknownWriteFlushes()).toBe(flushes + 1);
  // No claim was made, so the same key runs the write now; the shard's pool has a fresh connection for it.
  const retry = await hub.request(UPDATE, variables, coordinator, headers);
  expect(retry.body).toEqual({ data: { updateUnit: { id: unit.id, title: 'Welding after the dropped connection' } } });
  const other = await hub.request(`{ unit(id: "${omniaUnit()}") { id } }`, undefined, undefined);
  expect(other.body.errors).toBeUndefined();
});

const RETRYABLE = new Set(['SHARD_UNAVAILABLE', 'GATEWAY_TIMEOUT']);
const CREATE = 'mutation($input: CreateUnitInput!) { createUnit(input: $input) { id } }';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('fault injection: the shard killed and restarted under concurrent writes and reads; every acknowledged write is there once', async () => {
  const run = Date.now().toString(36).toUpperCase();
  const answers = new Map<string, Set<string>>();
  const acknowledged = new Set<string>();
  const committedUnanswered = new Set<string>();
  const unexpected: unknown[] = [];
  let writing = true;
  let killing = true;
  let attempted = 0;
  let reads = 0;
  let retries = 0;
  const readerFailures: unknown[] = [];

  const write = async (localId: string): Promise<void> => {
    const headers = { 'Idempotency-Key': `fault-${localId}` };
    const input = {
      qualificationId: rvtUnit().qualificationId,
      localId,
      titles: [{ lang: 'en', value: `Fault-injected unit ${localId}` }],
      eqfLevel: 4,
      ecvetPoints: 1,
      learningOutcomes: [
        { category: 'SKILLS', statements: [{ lang: 'en', value: 'The learner survives a crash.' }], escoSkills: [] },
      ],
      validFrom: '2026-09-01',
    };
    for (
      let attempt = 0, deadline = Date.now() + 30_000;
      Date.now() < deadline;
      attempt += 1, await sleep(100 + Math.random() * 150)
    ) {
      if (attempt > 0) retries += 1;
      let answer;
      try {
        answer = await hub.request(CREATE, { input }, coordinator, headers);
      } catch {
        continue;
      }
      const id = (answer.body.data?.createUnit as { id?: string } | null | undefined)?.id;
      if (id) {
        answers.set(localId, (answers.get(localId) ?? new Set()).add(id));
        acknowledged.add(localId);
        return;
      }
      const error = answer.body.errors?.[0]?.extensions ?? {};
      if (error.code === 'CONFLICT' && error.committed === true) {
        committedUnanswered.add(localId);
        return;
      }
      if (!RETRYABLE.has(String(error.code))) {
        unexpected.push({ localId, answer: answer.body });
        return;
      }
    }
    unexpected.push({ localId, reason: 'no answer within 30 s' });
  };
  const writer = async (index: number) => {
    // Writes keep coming until the last restart, so that every kill lands among them.
    for (let n = 0; n < 6 || killing; n += 1) {
      attempted += 1;
      await write(`FI-${run}-${index}-${n}`);
    }
  };
  const reader = async () => {
    while (writing) {
      const answer = await hub.request(`{ unit(id: "${omniaUnit()}") { id title } }`, undefined, undefined);
      reads += 1;
      if (answer.body.errors || !answer.body.data?.unit) readerFailures.push(answer.body);
    }
  };
  const killer = async () => {
    for (let round = 0; round < 3; round += 1) {
      await sleep(400 + Math.random() * 400);
      await rvt.kill();
      await sleep(200);
      await rvt.restart();
    }
    killing = false;
  };

  const writers = Promise.all(Array.from({ length: 6 }, (_, index) => writer(index)));
  const readers = [reader(), reader()];
  await Promise.all([writers, killer()]);
  writing = false;
  await Promise.all(readers);

  expect(unexpected).toEqual([]);
  expect(readerFailures).toEqual([]);
  expect(reads).toBeGreaterThan(0);
  // The kills did cut writes off: some were retried with their key.
  expect(retries).toBeGreaterThan(0);
  expect(acknowledged.size + committedUnanswered.size).toBe(attempted);
  for (const [localId, ids] of answers) expect([localId, [...ids]]).toEqual([localId, [`rvt.lv:${localId}`]]);
  const units = await db.query<{ id: string; n: number | string }>(
    'SELECT id, COUNT(*) AS n FROM unit WHERE id LIKE ? GROUP BY id',
    [`FI-${run}-%`],
  );
  const audits = await db.query<{ id: string; n: number | string }>(
    "SELECT entityId AS id, COUNT(*) AS n FROM audit_entry WHERE entityId LIKE ? AND action = 'createUnit' GROUP BY entityId",
    [`rvt.lv:FI-${run}-%`],
  );
  const once = (rows: Array<{ id: string; n: number | string }>) =>
    Object.fromEntries(rows.map((row) => [row.id.replace(/^rvt\.lv:/, ''), Number(row.n)]));
  const expected = Object.fromEntries([...acknowledged, ...committedUnanswered].map((localId) => [localId, 1]));
  expect(once(units)).toEqual(expected);
  expect(once(audits)).toEqual(expected);
});

/**
 * MySQL/MariaDB: the first attempt claims its key, then its INSERT of the unit waits on the test's lock of the
 * qualification row; the retry's claim waits on the first one's. SQLite: the first attempt's claim waits on the
 * test's write lock (the shard's busy timeout), the retry is sent meanwhile, and its transaction takes its turn after
 * the first one's commit. Either way the retry finds the key claimed once the first commits.
 */
const overlapName = () =>
  mysql()
    ? 'a retry sent while the first attempt waits mid-transaction (MariaDB row lock): it waits on the claim, the unit is written once, the retry is answered as documented'
    : 'a retry sent while the first attempt waits on the write lock (SQLite): after the first commits it is answered as documented, the unit is written once';

test('a retry that overlaps the first attempt of a mutation', async () => {
  const name = overlapName();
  const localId = `OVERLAP-${Date.now().toString(36).toUpperCase()}`;
  const headers = { 'Idempotency-Key': `overlap-${localId}` };
  const input = {
    qualificationId: rvtUnit().qualificationId,
    localId,
    titles: [{ lang: 'en', value: `Slow unit ${localId}` }],
    eqfLevel: 4,
    ecvetPoints: 1,
    learningOutcomes: [
      { category: 'SKILLS', statements: [{ lang: 'en', value: 'The learner waits for a lock.' }], escoSkills: [] },
    ],
    validFrom: '2026-09-01',
  };
  const written = { data: { createUnit: { id: `rvt.lv:${localId}` } } };
  const locker = await holdLock(rvtUnit().qualificationId.split(':')[1] as string, 'qualification');
  let first: Awaited<ReturnType<KillableHub['request']>>;
  let retry: Awaited<ReturnType<KillableHub['request']>>;
  try {
    const firstPending = hub.request(CREATE, { input }, coordinator, headers);
    if (mysql()) await blockedShard(locker);
    else await sleep(300);
    const retryPending = hub.request(CREATE, { input }, coordinator, headers);
    if (mysql()) await blockedShards(locker, 2);
    else await sleep(300);
    await locker.query('ROLLBACK');
    [first, retry] = await Promise.all([firstPending, retryPending]);
  } finally {
    await locker.close();
  }
  // On MariaDB the first attempt writes; on SQLite the shard may take the two up in either order.
  const [writer, other] = mysql() || first.body.data ? [first, retry] : [retry, first];
  expect({ name, answer: writer.body }).toEqual({ name, answer: written });
  // The other one got the stored answer (replayed) or, if it looked before it was stored, CONFLICT committed: true.
  if (other.text !== writer.text) {
    expect({ name, answer: other.body }).toEqual({
      name,
      answer: {
        data: null,
        errors: [
          expect.objectContaining({
            message: expect.stringMatching(/was committed, but its answer is not recorded/),
            extensions: expect.objectContaining({ code: 'CONFLICT', committed: true, institution: 'rvt.lv' }),
          }),
        ],
      },
    });
  }
  const [units] = await db.query<{ n: number | string }>('SELECT COUNT(*) AS n FROM unit WHERE id = ?', [localId]);
  expect(Number(units?.n)).toBe(1);
  expect(await auditEntries(`rvt.lv:${localId}`)).toBe(1);
  const claims = await db.query<{ response: string | null }>(
    'SELECT response FROM idempotency_record WHERE idempotencyKey = ?',
    [headers['Idempotency-Key']],
  );
  expect(claims).toEqual([{ response: expect.stringContaining(localId) }]);
  // A later retry gets the stored answer.
  expect((await hub.request(CREATE, { input }, coordinator, headers)).text).toBe(writer.text);
});

/**
 * MySQL/MariaDB: the first attempt's connection is killed while it waits mid-transaction and the retry waits on its
 * claim; the first rolls back, so the retry claims the key and writes. SQLite cannot hold two attempts so (the
 * shard blocks on the write lock as a whole): there the first fails on the held write lock and the retry after it writes.
 */
const rolledBackName = () =>
  mysql()
    ? 'a retry waiting on the claim of a first attempt that rolls back (MariaDB: its connection killed) goes ahead and writes once'
    : 'a first attempt that fails on the write lock (SQLite) leaves no claim: its retry writes once';

test('a retry after (or alongside) a first attempt that rolls back', async () => {
  const name = rolledBackName();
  const localId = `ROLLBACK-${Date.now().toString(36).toUpperCase()}`;
  const headers = { 'Idempotency-Key': `rollback-${localId}` };
  const input = {
    qualificationId: rvtUnit().qualificationId,
    localId,
    titles: [{ lang: 'en', value: `Rolled-back unit ${localId}` }],
    eqfLevel: 4,
    ecvetPoints: 1,
    learningOutcomes: [
      { category: 'SKILLS', statements: [{ lang: 'en', value: 'The learner tries again.' }], escoSkills: [] },
    ],
    validFrom: '2026-09-01',
  };
  const locker = await holdLock(rvtUnit().qualificationId.split(':')[1] as string, 'qualification');
  let first: Awaited<ReturnType<KillableHub['request']>>;
  let retry: Awaited<ReturnType<KillableHub['request']>>;
  try {
    const firstPending = hub.request(CREATE, { input }, coordinator, headers);
    if (mysql()) {
      const firstConnection = await blockedShard(locker);
      const retryPending = hub.request(CREATE, { input }, coordinator, headers);
      await blockedShards(locker, 2);
      await db.query(`KILL ${firstConnection}`);
      first = await firstPending;
      await locker.query('ROLLBACK');
      retry = await retryPending;
    } else {
      first = await firstPending;
      await locker.query('ROLLBACK');
      retry = await hub.request(CREATE, { input }, coordinator, headers);
    }
  } finally {
    await locker.close();
  }
  expect({
    name,
    code: first.body.errors?.[0]?.extensions?.code,
    cause: first.body.errors?.[0]?.extensions?.cause,
  }).toEqual({
    name,
    code: 'SHARD_UNAVAILABLE',
    cause: 'database',
  });
  expect({ name, answer: retry.body }).toEqual({ name, answer: { data: { createUnit: { id: `rvt.lv:${localId}` } } } });
  const [units] = await db.query<{ n: number | string }>('SELECT COUNT(*) AS n FROM unit WHERE id = ?', [localId]);
  expect(Number(units?.n)).toBe(1);
  expect(await auditEntries(`rvt.lv:${localId}`)).toBe(1);
});
