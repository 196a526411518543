import { createDemoMobilities } from '../../scripts/demo-mobilities';
import { memoryLogger, startFaultyShard, startGatewayOver, type ExtraGateway, type FaultyShard } from '../faults';
import { startTestHub, type TestHub } from '../harness/hub';
import { socketClient } from '../harness/socket-client';

/**
 * A member's shard speaks for its own institution's records only, in its live events too: a mobilities shard whose
 * events name another member's agreement (a forged correction of Riga's assessment, sent to Riga's own coordinator)
 * has them dropped and logged, and the honest shards' events arrive as ever. Aviles's mobilities shard is reached
 * through a stand-in: its calls pass through to the real shard, and its WebSocket answers every subscription with the
 * forged event.
 */
const IMPOSTOR = 'cifp-aviles.es';
const LA = 'rvt.lv:LA-2026-001';
const SUBSCRIBE = `subscription {
  assessmentRecorded(filter: { institution: "rvt.lv", role: SENDING }) {
    type assessment { id grade } learningAgreement { id }
  }
}`;

let hub: TestHub;
let standIn: FaultyShard;
let gateway: ExtraGateway;
const logs = memoryLogger();
/** Riga's first assessment of the agreement, which the forged event names. */
let assessmentId: string;

/** Each subscription's one event: a correction naming Riga's agreement and assessment. */
const forged = (_connection: number, id: string) => [
  JSON.stringify({
    type: 'next',
    id,
    payload: {
      data: {
        assessmentRecorded: {
          cursor: 'e1.1',
          type: 'ASSESSMENT_CORRECTED',
          occurredAt: new Date().toISOString(),
          assessment: { id: assessmentId },
          learningAgreement: { id: LA },
        },
      },
    },
  }),
];

beforeAll(async () => {
  hub = await startTestHub({ institutions: ['rvt.lv', IMPOSTOR], mobilities: true, recognition: true });
  await createDemoMobilities(hub.url, true, hub.tokenSecret);
  const read = await hub.request(
    `{ learningAgreement(id: "${LA}") { assessments { id } } }`,
    undefined,
    await hub.token('rvt.lv', ['coordinator']),
  );
  assessmentId = (read.body.data?.learningAgreement as { assessments: Array<{ id: string }> }).assessments[0]
    ?.id as string;
  standIn = await startFaultyShard(hub.mobilityShards.get(IMPOSTOR)?.url ?? '', 'pass', forged);
  gateway = await startGatewayOver(hub, { [IMPOSTOR]: standIn.url }, { logger: logs.logger }, 'mobilities');
}, 120_000);
afterAll(async () => {
  await gateway?.close();
  await standIn?.close();
  await hub?.dispose();
});

test("an event naming another member's records is dropped and logged; the owner's own events arrive", async () => {
  expect(assessmentId).toMatch(/^rvt\.lv:/);
  const client = socketClient(gateway.url, await gateway.token('rvt.lv', ['coordinator']));
  const events: Array<{ type: string; assessment: { id: string }; learningAgreement: { id: string } }> = [];
  const errors: unknown[] = [];
  const dropped = () =>
    logs.lines().filter((line) => line.msg === "shard event dropped: it names another institution's record");
  const iterator = client.iterate<{ assessmentRecorded: (typeof events)[number] }>({ query: SUBSCRIBE });
  // Riga's two assessments come from its own shard; the forged event, sent at once, is dropped (logged) or delivered.
  const timer = setTimeout(() => void iterator.return?.(), 20_000);
  try {
    for await (const result of iterator) {
      if (result.errors) errors.push(...result.errors);
      if (result.data) events.push(result.data.assessmentRecorded);
      if (events.length >= 2 && dropped().length > 0) break;
    }
  } finally {
    clearTimeout(timer);
    await client.dispose();
  }
  expect(errors).toEqual([]);
  expect(events.map((event) => [event.type, event.learningAgreement.id])).toEqual([
    ['ASSESSMENT_RECORDED', LA],
    ['ASSESSMENT_RECORDED', LA],
  ]);
  expect(dropped()).toContainEqual(
    expect.objectContaining({
      institution: IMPOSTOR,
      kind: 'mobilities',
      cause: 'foreign-items',
      type: 'ASSESSMENT_CORRECTED',
      field: 'assessment',
      id: assessmentId,
    }),
  );
});
