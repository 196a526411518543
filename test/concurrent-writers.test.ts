import { startTestHub, type TestHub } from './harness/hub';
import { startRenaming } from './harness/other-program';
import { seedUnits } from './seeds';

/**
 * Writes through the hub succeed while another program (the institution's own system, an administrator) writes the
 * same shard database in plain SQL, in short transactions back to back. SQLite by default, MySQL/MariaDB with
 * TEST_MYSQL_URL; the shard is a process, as deployed.
 */
let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub({ institutions: ['rvt.lv'] });
});
afterAll(async () => hub?.dispose());

const UPDATE =
  'mutation($id: ID!, $title: String!) { updateUnit(id: $id, input: { titles: [{ lang: "en", value: $title }] }) { id title } }';
/** Renames per unit through the hub, one after another; the units are renamed side by side. */
const RENAMES = 15;

test("a coordinator's renames through the hub all succeed and are stored while another program renames a unit in plain SQL", async () => {
  const [busy, ...units] = seedUnits(['rvt.lv'])
    .slice(0, 4)
    .map((unit) => unit.id);
  const token = await hub.token('rvt.lv', ['coordinator']);
  const run = Date.now().toString(36);
  const other = await startRenaming(
    hub.shards.get('rvt.lv')?.databaseUrl as string,
    (busy as string).split(':')[1] as string,
    `Renamed by the institution's own system ${run}`,
  );
  const since = new Date().toISOString();
  const failed: unknown[] = [];
  let otherRenames: number;
  try {
    await Promise.all(
      units.map(async (id) => {
        for (let n = 0; n < RENAMES; n += 1) {
          const title = `Renamed through the hub ${run} ${n}`;
          const answer = await hub.request(UPDATE, { id, title }, token);
          if (JSON.stringify(answer.body) !== JSON.stringify({ data: { updateUnit: { id, title } } }))
            failed.push({ id, n, answer: answer.body });
        }
      }),
    );
  } finally {
    otherRenames = await other.stop();
  }
  expect({ failed: failed.length, of: units.length * RENAMES, first: failed.slice(0, 3) }).toEqual({
    failed: 0,
    of: units.length * RENAMES,
    first: [],
  });
  // The other program kept writing throughout: it committed while the hub's writes ran.
  expect(otherRenames).toBeGreaterThan(RENAMES);
  const stored = await hub.request(`{ ${units.map((id, i) => `u${i}: unit(id: "${id}") { title }`).join(' ')} }`);
  expect(stored.body).toEqual({
    data: Object.fromEntries(
      units.map((_, i) => [`u${i}`, { title: `Renamed through the hub ${run} ${RENAMES - 1}` }]),
    ),
  });
  // Every rename was committed, each once: the audit trail holds one entry per rename.
  const trail = await hub.request(
    `query($since: DateTime) { qualificationsAuditTrail(institution: "rvt.lv", since: $since, first: 100) {
      nodes { action entityId input } } }`,
    { since },
    token,
  );
  const entries = (trail.body.data?.qualificationsAuditTrail as { nodes: Array<Record<string, string>> }).nodes;
  const renamed = (entry: Record<string, string>) =>
    `${entry.entityId} ${(JSON.parse(entry.input as string) as { titles: Array<{ value: string }> }).titles[0]?.value}`;
  expect(
    entries
      .filter((entry) => entry.action === 'updateUnit')
      .map(renamed)
      .sort(),
  ).toEqual(
    units
      .flatMap((id) => Array.from({ length: RENAMES }, (_, n) => `${id} Renamed through the hub ${run} ${n}`))
      .sort(),
  );
});
