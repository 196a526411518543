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

/** The same searches without `totalCount`: the page a result list shows, with no COUNT(*) on any shard. */
export const TEXT_SEARCH_PAGE = TEXT_SEARCH.replace('TextSearch', 'TextSearchPage').replace('totalCount\n', '');
export const FILTER_SEARCH_PAGE = FILTER_SEARCH.replace('FilterSearch', 'FilterSearchPage').replace('totalCount\n', '');

/**
 * Scenario nested: a page of learning agreements (the sending institution's mobilities shard) with each agreed
 * unit, its outcomes, qualification and institution (the hosting institutions' qualifications shards, reached
 * through `_entities`). For a coordinator of the sending institution: agreements are personal data.
 */
export const NESTED_AGREEMENTS = `query NestedAgreements($first: Int!) {
  learningAgreements(first: $first) {
    nodes {
      id status
      learner { name }
      hostingInstitution { id name }
      current {
        number mobilityStart mobilityEnd totalEcvetPoints
        units {
          ecvetPoints
          unit {
            id title(lang: "en") ecvetPoints
            learningOutcomes { id statement(lang: "en") escoSkills }
            qualification { id title(lang: "en") }
            institution { id name }
          }
        }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}`;

/** The mobilities shard's own part of NESTED_AGREEMENTS (what the hub asks it), sent to the shard directly. */
export const NESTED_AGREEMENTS_SHARD = `query NestedAgreementsShard($first: Int!) {
  learningAgreements(first: $first) {
    nodes {
      id status
      learner { name }
      hostingInstitution { id }
      current {
        number mobilityStart mobilityEnd totalEcvetPoints
        units { ecvetPoints unit { id } }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}`;

/**
 * Scenario personal-read: one learning agreement by ID (the sending institution's mobilities shard) with its
 * agreed units and their outcomes (the hosting institution's qualifications shard, through `_entities`). For a
 * party to the agreement: personal data, which no cache holds.
 */
export const AGREEMENT_BY_ID = `query AgreementById($id: ID!) {
  learningAgreement(id: $id) {
    id status
    learner { name }
    current {
      number mobilityStart mobilityEnd totalEcvetPoints
      units {
        ecvetPoints
        unit {
          id title(lang: "en") ecvetPoints
          learningOutcomes { id statement(lang: "en") escoSkills }
        }
      }
    }
  }
}`;
