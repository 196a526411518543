/**
 * The ESCO concepts the retrieval tests ask for by name. The quality benchmark (bench/scenarios/outcome-review.ts)
 * leaves them out of its sample, so that tuning for the tests cannot lift the measured recall.
 */
export const TEST_CONCEPTS = {
  installPhotovoltaicSystems: 'http://data.europa.eu/esco/skill/18d3f89a-6ac5-4ca6-bf93-0baec4e13bcd',
  carryOutCalculations: 'http://data.europa.eu/esco/skill/19ba11f3-9c99-41fd-a7c9-f77e6a026186',
  copeWithStress: 'http://data.europa.eu/esco/skill/7a147904-22b3-498a-b4d9-7bceeb86b45d',
  /** A skill group: "joining parts using soldering, welding or brazing techniques". */
  joiningParts: 'http://data.europa.eu/esco/skill/24a39c1b-b8cc-4210-8b74-b388a90e8f59',
} as const;
