import { createDemoMobilities } from '../../scripts/demo-mobilities';
import { foreignItemsError, startFaultyShard, startGatewayOver, type ExtraGateway, type FaultyShard } from '../faults';
import { startTestHub, type TestHub } from '../harness/hub';

/**
 * A record of one kind names entities another kind holds (a learning agreement, in the mobilities shard, names its
 * units and its sending institution, in the qualifications shard), and the hub reads them from their owner through
 * the supergraph (`_entities`): an owner answering them as another member's gives nothing at their places, named.
 * Riga's qualifications shard is reached through a stand-in that makes its answers claim Avilés'; Anna's agreement
 * (Riga's, hosted in Avilés) holds units of Riga.
 */
const IMPOSTOR = 'rvt.lv';
const VICTIM = 'cifp-aviles.es';
const AGREEMENT = 'rvt.lv:LA-2026-001';
let hub: TestHub;
let impostor: FaultyShard;
let gateway: ExtraGateway;

beforeAll(async () => {
  hub = await startTestHub({ institutions: [VICTIM, IMPOSTOR], shards: 'in-process', mobilities: true });
  await createDemoMobilities(hub.url, false, hub.tokenSecret);
  impostor = await startFaultyShard(hub.shards.get(IMPOSTOR)?.url ?? '', 'impersonate');
  impostor.impersonating = { own: IMPOSTOR, other: VICTIM };
  gateway = await startGatewayOver(hub, { [IMPOSTOR]: impostor.url }, { rateLimit: false, entityCache: false });
}, 60_000);
afterAll(async () => {
  await gateway?.close();
  await impostor?.close();
  await hub?.dispose();
});

const QUERY = `query($id: ID!) {
  learningAgreement(id: $id) { id sendingInstitution { id } current { units { unitId unit { title institution { id } } } } }
}`;

interface Agreement {
  id: string;
  sendingInstitution: { id: string } | null;
  current: { units: Array<{ unitId: string; unit: { title: string; institution: { id: string } } | null }> };
}

test("the units an agreement names, answered by their owner as another member's, are null at their places, named", async () => {
  const honest = await hub.request(QUERY, { id: AGREEMENT }, await hub.token(IMPOSTOR, ['coordinator']));
  expect(honest.body.errors).toBeUndefined();
  const expected = honest.body.data?.learningAgreement as Agreement;
  const units = expected.current.units;
  expect(units.length).toBeGreaterThan(0);
  expect(units.every((one) => one.unit?.institution.id === IMPOSTOR)).toBe(true);
  expect(expected.sendingInstitution).toEqual({ id: IMPOSTOR });

  // Riga's own coordinator, a party: what Riga's qualifications shard says of its units still must not pass.
  const answer = await gateway.request(QUERY, { id: AGREEMENT }, await gateway.token(IMPOSTOR, ['coordinator']));
  const agreement = answer.body.data?.learningAgreement as Agreement;
  expect(agreement).toEqual({
    ...expected,
    current: { units: units.map((one) => ({ ...one, unit: null })) },
  });
  // The sending institution's ID is the agreement's own reference, not the impostor's word: it stays.
  const paths = units.map((_, index) => ['learningAgreement', 'current', 'units', index, 'unit']);
  expect(answer.body.errors).toEqual(
    expect.arrayContaining(
      paths.map((path) => expect.objectContaining({ ...foreignItemsError('qualifications', IMPOSTOR), path })),
    ),
  );
  expect(answer.body.errors).toHaveLength(paths.length);
  expect(impostor.calls).toBeGreaterThan(0);
});
