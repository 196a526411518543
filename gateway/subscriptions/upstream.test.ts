import type { AddressInfo } from 'node:net';
import { parse, print } from 'graphql';
import { WebSocketServer } from 'ws';
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

test("a shard's message over MAX_UPSTREAM_MESSAGE_BYTES closes its socket; the subscription resumes from its cursor", async () => {
  // A shard speaking graphql-ws: its first event is far too long, the next connection's is an event.
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1', handleProtocols: () => 'graphql-transport-ws' });
  let connections = 0;
  const resumedAfter: unknown[] = [];
  server.on('connection', (socket) => {
    connections += 1;
    const oversized = connections === 1;
    socket.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString('utf8')) as {
        type: string;
        id?: string;
        payload?: { variables?: { after?: unknown } };
      };
      if (message.type === 'connection_init') socket.send(JSON.stringify({ type: 'connection_ack' }));
      if (message.type !== 'subscribe') return;
      resumedAfter.push(message.payload?.variables?.after);
      const event = {
        cursor: '7',
        type: 'RECORDED',
        occurredAt: '2026-12-04T10:00:00Z',
        assessment: { id: 'rvt.lv:A-1' },
      };
      const padding = oversized ? ' '.repeat(MAX_UPSTREAM_MESSAGE_BYTES) : '';
      socket.send(
        `{"type":"next","id":"${message.id ?? ''}","payload":{"data":{"everything":${JSON.stringify(event)}}}}${padding}`,
      );
    });
  });
  await new Promise((resolve) => server.once('listening', resolve));
  const errors: unknown[] = [];
  const events: UpstreamEvent[] = [];
  const stop = subscribeUpstream({
    shard: {
      institution: 'rvt.lv',
      kind: 'mobilities',
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    },
    hopKey: null,
    caller: { institution: 'rvt.lv', roles: ['coordinator'], learnerId: null, subject: 'test' },
    requestId: 'upstream-test',
    field: 'everything',
    root: root('everything'),
    filter: null,
    after: '5',
    onEvent: (event) => events.push(event),
    onError: (error) => errors.push(error),
    retryDelayMs: 10,
  });
  try {
    const deadline = Date.now() + 5_000;
    while (events.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(events).toEqual([expect.objectContaining({ cursor: '7', ids: { assessment: 'rvt.lv:A-1' } })]);
    expect(errors.length).toBeGreaterThan(0);
    // The oversized event was never taken: the resumed subscription asked from the same cursor again.
    expect(resumedAfter).toEqual(['5', '5']);
  } finally {
    stop();
    for (const client of server.clients) client.terminate();
    await new Promise((resolve) => server.close(resolve));
  }
});
