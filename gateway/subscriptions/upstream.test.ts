import { parse, print } from 'graphql';
import { buildRoutingTable } from '../routing/routing-table';
import { upstreamQuery } from './upstream';

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
