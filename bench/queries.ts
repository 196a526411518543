/** The GraphQL documents the scenarios send; the same text goes to the hub, the shard and the stock gateway. */

/** Scenario hub-overhead: one unit by ID with its learning outcomes (a public read, no token). */
export const UNIT_BY_ID = `query UnitById($id: ID!) {
  unit(id: $id) {
    id title(lang: "en") eqfLevel ecvetPoints
    learningOutcomes { id category statement(lang: "en") escoSkills }
  }
}`;

/** Scenario fan-out: EQF level 4 units across every shard, one page. */
export const UNITS_EQF4 = `query UnitsEqf4 {
  units(filter: { eqfLevel: 4 }, first: 20) {
    totalCount
    edges { cursor node { id title(lang: "en") eqfLevel ecvetPoints institution { id name country } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

/** Scenario nested: a page of units with everything a comparison screen shows. */
export const NESTED_UNITS = `query NestedUnits($first: Int!) {
  units(first: $first) {
    totalCount
    nodes {
      id title(lang: "en") eqfLevel ecvetPoints
      learningOutcomes { id category statement(lang: "en") escoSkills }
      escoSkills
      qualification { id title(lang: "en") eqfLevel iscedCode ecvetPoints }
      institution { id name country }
    }
    pageInfo { hasNextPage endCursor }
  }
}`;

const SEARCH_SELECTION = `totalCount
    edges { cursor node { id title(lang: "en") eqfLevel ecvetPoints qualification { id title(lang: "en") } institution { id name country } } }
    pageInfo { hasNextPage endCursor }`;

/** Scenario data-scale: free text (every word must occur; any language, accents and case ignored). */
export const TEXT_SEARCH = `query TextSearch {
  units(filter: { text: "welding safety" }, first: 20) {
    ${SEARCH_SELECTION}
  }
}`;

/** Scenario data-scale: structured filter (the README's example: EQF 4 in ISCED-F broad field 07). */
export const FILTER_SEARCH = `query FilterSearch {
  units(filter: { eqfLevel: 4, iscedField: "07" }, first: 20) {
    ${SEARCH_SELECTION}
  }
}`;
