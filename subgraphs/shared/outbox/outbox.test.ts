import { waitFor } from '../../../test/harness/wait';
import { openDatabase, type Database } from '../database';
import { createOutboxSignal, OUTBOX_POLL_MS, recordEvent, streamEvents, type OutboxEvent } from './outbox';
import { createOutboxTable, OutboxEventRecord } from './outbox.entity';

/** A subscription's stream over a real (in-memory SQLite) outbox: the statements it issues are counted. */
let db: Database;
const outbox = createOutboxSignal({ channel: 'outbox-test' });
beforeAll(async () => {
  db = await openDatabase({ url: 'sqlite::memory:', entities: [OutboxEventRecord], migrations: [] });
  const runner = db.dataSource.createQueryRunner();
  await createOutboxTable(runner);
  await runner.release();
});
afterAll(async () => {
  await outbox.close();
  await db?.close();
});

const EVENT: OutboxEvent = {
  type: 'AssessmentRecorded',
  subjectId: 'assessment-1',
  learningAgreementId: 'agreement-1',
  sendingInstitution: 'rvt.lv',
  hostingInstitution: 'omnia.fi',
  learnerId: 'learner-1',
};
const record = async (event: OutboxEvent) => {
  await recordEvent(db.dataSource.manager, event);
  outbox.notify();
};

test('a stream ended while it waits for events stops reading the outbox at once, even when it was shown none', async () => {
  await record(EVENT);
  // Nothing it may see: no event ever reaches the subscriber, so the stream never pauses where a generator ends.
  const stream = streamEvents(db, outbox, { after: 0, types: [EVENT.type], visible: () => false });
  const next = stream.next();
  await waitFor('the stream has read the outbox', () => db.statements.count > 0);
  expect(await stream.return?.()).toEqual({ done: true, value: undefined });
  expect(await next).toEqual({ done: true, value: undefined });
  // Neither a commit nor the poll's timer reads again.
  await record({ ...EVENT, subjectId: 'assessment-2' });
  const read = db.statements.count;
  await new Promise((resolve) => setTimeout(resolve, OUTBOX_POLL_MS + 200));
  expect(db.statements.count).toBe(read);
});

test('a stream delivers what was missed, then live events, and ends on its signal', async () => {
  const stopped = new AbortController();
  const stream = streamEvents(db, outbox, {
    after: 0,
    types: [EVENT.type],
    visible: (event) => event.subjectId !== 'assessment-1',
    signal: stopped.signal,
  });
  expect((await stream.next()).value).toEqual(expect.objectContaining({ subjectId: 'assessment-2' }));
  const live = stream.next();
  await record({ ...EVENT, subjectId: 'assessment-3' });
  expect((await live).value).toEqual(expect.objectContaining({ subjectId: 'assessment-3' }));
  const last = stream.next();
  stopped.abort();
  expect(await last).toEqual({ done: true, value: undefined });
});
