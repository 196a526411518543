import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, type GraphQLSchema } from 'graphql';
import type { HubContext } from '../context';
import { MEASURES, SUPPRESSION_THRESHOLD } from './merge';

/** The gateway's own subgraph: it answers `ecvetStatistics` in-process, from the shards' base cells. */
export const STATISTICS_SUBGRAPH = 'statistics';

const typeDefs = `
extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@shareable"])

"""
ECVET uptake across the federation without personal data: counts computed by each institution's shards over their
own data and merged at the hub, where cells of fewer than suppressionThreshold learners (${SUPPRESSION_THRESHOLD} by
default) are suppressed.
"""
type EcvetStatistics {
  "One cell per measure and group, in measure order, then by group."
  cells: [EcvetStatisticsCell!]!
  "Institutions in scope whose shards did not answer: their data is missing from every cell."
  missingInstitutions: [String!]!
  "Institutions whose data the cells cover (members in the countries asked for)."
  institutions: [String!]!
  "Fewest learners a base cell (one institution, host and month) needs to count in any figure."
  suppressionThreshold: Int!
}

"One measure for one group; the group's dimensions not asked for are null."
type EcvetStatisticsCell {
  "What is counted."
  measure: EcvetStatisticsMeasure!
  "Country of the institution whose data it is (the sending institution for mobilities)."
  country: String
  "The institution whose data it is."
  institution: String
  "Country of the hosting institution of the mobilities counted."
  partnerCountry: String
  "The hosting institution of the mobilities counted."
  partnerInstitution: String
  "ISCED-F 2013 detailed field (4 digits) of the qualification of the units counted (AGREED_UNITS, DECISIONS_*, RECOGNITION_RATE, DAYS_TO_RECOGNITION)."
  field: String
  "EQF level of the units counted (AGREED_UNITS, DECISIONS_*, RECOGNITION_RATE, DAYS_TO_RECOGNITION)."
  eqfLevel: Int
  "The month, YYYY-MM."
  month: String
  "The count, ECVET points, rate (0-1) or median days (DAYS_TO_RECOGNITION); null when suppressed."
  value: Float
  "Learners behind the figure; null when suppressed or the measure is about institutions."
  learners: Int
  "True when every base cell of the group had fewer learners than the threshold: value and learners are null."
  suppressed: Boolean!
}

"What ecvetStatistics counts."
enum EcvetStatisticsMeasure {
${MEASURES.map((measure) => `  "${measureDescription(measure)}"\n  ${measure}`).join('\n')}
}

"A dimension cells are grouped by."
enum EcvetStatisticsGroupBy {
  "The country of the institution whose data it is."
  COUNTRY
  "The institution whose data it is."
  INSTITUTION
  "The hosting institution's country (mobility measures)."
  PARTNER_COUNTRY
  "The hosting institution (mobility measures)."
  PARTNER_INSTITUTION
  "The ISCED-F detailed field of the units' qualification (AGREED_UNITS, DECISIONS_*, RECOGNITION_RATE, DAYS_TO_RECOGNITION; other measures answer null)."
  FIELD
  "The units' EQF level (AGREED_UNITS, DECISIONS_*, RECOGNITION_RATE, DAYS_TO_RECOGNITION; other measures answer null)."
  EQF_LEVEL
  "The month (of the mobility's start, the assessment, the transcript's issue, the decision)."
  MONTH
}

"Which data ecvetStatistics covers."
input EcvetStatisticsFilter {
  "First month counted, YYYY-MM."
  from: String
  "Last month counted, YYYY-MM."
  to: String
  "Only institutions of these countries (ISO 3166-1 alpha-2), all overseen by the calling agency; default: all it oversees."
  countries: [String!]
}

type Query {
  """
  ECVET uptake in the countries the calling national agency oversees: memoranda, learning agreements, units
  assessed, transcripts, recognition decisions and rate, ECVET points recognised; grouped and filtered. For agency
  tokens only. See the README's suppression rule.
  """
  ecvetStatistics(filter: EcvetStatisticsFilter, groupBy: [EcvetStatisticsGroupBy!]): EcvetStatistics!
}

type Subscription {
  """
  ecvetStatistics, live: the current aggregates at once, then again whenever a write through the hub (a
  recognition decision, an assessment, a signature) changed them; writes close together are counted once. For agency
  tokens only, served by the gateway itself.
  """
  ecvetStatisticsChanged(filter: EcvetStatisticsFilter, groupBy: [EcvetStatisticsGroupBy!]): EcvetStatistics!
}
`;

function measureDescription(measure: string): string {
  if (measure === 'RECOGNITION_RATE')
    return 'Share of recognition decisions that recognise the unit in full or in part.';
  if (measure === 'ECVET_POINTS_RECOGNISED') return 'ECVET points credited by recognition decisions.';
  if (measure === 'DAYS_TO_RECOGNITION')
    return "Median days from a mobility's end to the decisions recognising its units in full or part; value is the median.";
  if (measure === 'AGREED_UNITS')
    return 'Units in learning agreements not cancelled: each agreement counts once per unit it agrees.';
  const [family, ...rest] = measure.split('_');
  const what = rest.join(' ').toLowerCase();
  switch (family) {
    case 'MEMORANDA':
      return `Memoranda of Understanding, status ${what}.`;
    case 'AGREEMENTS':
      return `Learning agreements, status ${what}.`;
    case 'UNITS':
      return `Units assessed abroad, ${what}.`;
    case 'TRANSCRIPTS':
      return 'Transcripts of records issued.';
    default:
      return `Recognition decisions: ${what}.`;
  }
}

export interface StatisticsArgs {
  filter?: { from?: string | null; to?: string | null; countries?: string[] | null } | null;
  groupBy?: string[] | null;
}

export type StatisticsResolver = (args: StatisticsArgs, context: HubContext) => Promise<unknown>;

/** The subgraph schema; without a resolver (printing the SDL) the field is never run. */
export function buildStatisticsSchema(resolve?: StatisticsResolver): GraphQLSchema {
  return buildSubgraphSchema({
    typeDefs: parse(typeDefs),
    resolvers: {
      Query: {
        // The gateway hands its data sources the request's HubContext (LocalGraphQLDataSource passes it on).
        ecvetStatistics: (_root: unknown, args: StatisticsArgs, context: unknown) => {
          if (!resolve) throw new Error('ecvetStatistics runs in the gateway');
          return resolve(args, context as HubContext);
        },
      },
    },
  });
}
