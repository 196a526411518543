import type { AddressInfo } from 'node:net';
import { parse, print } from 'graphql';
import { eventSocketServer, type SubscriptionAnswer } from '../../test/harness/event-socket';
import { buildRoutingTable } from '../routing/routing-table';
import { MAX_UPSTREAM_MESSAGE_BYTES, subscribeUpstream, upstreamQuery, type UpstreamEvent } from './upstream';

const table = buildRoutingTable(`
  enum join__Graph { MOBILITIES @join__graph(name: "mobilities", url: "") }
  directive @join__graph(name: String!, url: String!) on ENUM_VALUE
  directive @join__field(graph: join__Graph) repeatable on FIELD_DEFINITION
  type Assessment { id: ID! }
  type Query { assessment(id: ID!): Assessment }
  input MobilityFilter { institution: ID }
  type AssessmentEvent { cursor: String! type: String! occurredAt: String! assessment: Assessment! }
  type Subscription {
    assessmentRecorded(after: String, which: MobilityFilter!): AssessmentEvent! @join__field(graph: MOBILITIES)
    everything(after: String): AssessmentEvent! @join__field(graph: MOBILITIES)
  }
`);
const root = (field: string) => {
  const found = table.subscription.get(field);
  if (!found) throw new Error(`no subscription root ${field}`);
  return found;
};

test("the shard is asked through the filter argument and input type the supergraph names, for the entities' IDs", () => {
  expect(print(parse(upstreamQuery('assessmentRecorded', root('assessmentRecorded'))))).toBe(
    print(
      parse(
        'subscription HubEvents($after: String, $filter: MobilityFilter!) { assessmentRecorded(after: $after, which: $filter) { cursor type occurredAt assessment { id } } }',
      ),
    ),
  );
});

test('a subscription without a filter is asked without one', () => {
  expect(print(parse(upstreamQuery('everything', root('everything'))))).toBe(
    print(
      parse(
        'subscription HubEvents($after: String) { everything(after: $after) { cursor type occurredAt assessment { id } } }',
      ),
    ),
  );
});

/** A shard speaking graphql-ws on 127.0.0.1, answering each subscription as `answer` says. */
async function startShard(answer: SubscriptionAnswer) {
  const server = eventSocketServer({ port: 0, host: '127.0.0.1' }, answer);
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    close: async () => {
      for (const client of server.clients) client.terminate();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** The `next` message of one event of `everything` naming the assessment `id`. */
const eventMessage = (subscription: string, cursor: string, id: string, padding = '') =>
  `{"type":"next","id":"${subscription}","payload":{"data":{"everything":${JSON.stringify({
    cursor,
    type: 'RECORDED',
    occurredAt: '2026-12-04T10:00:00Z',
    assessment: { id },
  })}}}}${padding}`;

/** Subscribes to `everything` on Riga's shard at `url` from cursor 5, until `stop`. */
function subscribe(url: string) {
  const errors: unknown[] = [];
  const events: UpstreamEvent[] = [];
  const foreign: unknown[] = [];
  const stop = subscribeUpstream({
    shard: { institution: 'rvt.lv', kind: 'mobilities', url },
    hopKey: null,
    caller: { institution: 'rvt.lv', roles: ['coordinator'], learnerId: null, subject: 'test' },
    requestId: 'upstream-test',
    field: 'everything',
    root: root('everything'),
    filter: null,
    after: '5',
    onEvent: (event) => events.push(event),
    onError: (error) => errors.push(error),
    onForeignEvent: (event) => foreign.push(event),
    retryDelayMs: 10,
  });
  const until = async (done: () => boolean) => {
    const deadline = Date.now() + 5_000;
    while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  };
  return { errors, events, foreign, stop, until };
}

test("a shard's message over MAX_UPSTREAM_MESSAGE_BYTES closes its socket; the subscription resumes from its cursor", async () => {
  // Its first event is far too long, the next connection's is an event.
  const resumedAfter: unknown[] = [];
  const shard = await startShard((connection, id, after) => {
    resumedAfter.push(after);
    return [eventMessage(id, '7', 'rvt.lv:A-1', connection === 1 ? ' '.repeat(MAX_UPSTREAM_MESSAGE_BYTES) : '')];
  });
  const subscription = subscribe(shard.url);
  try {
    await subscription.until(() => subscription.events.length > 0);
    expect(subscription.events).toEqual([expect.objectContaining({ cursor: '7', ids: { assessment: 'rvt.lv:A-1' } })]);
    expect(subscription.errors.length).toBeGreaterThan(0);
    // The oversized event was never taken: the resumed subscription asked from the same cursor again.
    expect(resumedAfter).toEqual(['5', '5']);
  } finally {
    subscription.stop();
    await shard.close();
  }
});

test("an event naming another institution's record, or no hub ID, is dropped and reported; the shard's own events go on", async () => {
  const shard = await startShard((_connection, id) => [
    eventMessage(id, '6', 'omnia.fi:A-9'),
    eventMessage(id, '7', 'A-9'),
    eventMessage(id, '8', 'rvt.lv:A-2'),
  ]);
  const subscription = subscribe(shard.url);
  try {
    await subscription.until(() => subscription.events.length > 0);
    expect(subscription.events).toEqual([expect.objectContaining({ cursor: '8', ids: { assessment: 'rvt.lv:A-2' } })]);
    expect(subscription.foreign).toEqual([
      { cursor: '6', type: 'RECORDED', field: 'assessment', id: 'omnia.fi:A-9' },
      { cursor: '7', type: 'RECORDED', field: 'assessment', id: 'A-9' },
    ]);
    expect(subscription.errors).toEqual([]);
  } finally {
    subscription.stop();
    await shard.close();
  }
});
