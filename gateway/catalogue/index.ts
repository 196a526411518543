export { createCatalogue, CATALOGUE_LISTS, type Catalogue, type CatalogueHealth, type PartState } from './catalogue';
export type { CatalogueEngine, ListPosition, SearchFilter, SearchOrder, SearchRequest } from './engine';
export type { CatalogueNotes, StaleInstitution, TextSuggestion } from './answer-notes';
export {
  DEFAULT_MAX_ITEMS_PER_INSTITUTION,
  DEFAULT_MEMBER_READ_BUDGET,
  DEFAULT_UNFOLLOWED_REFRESH_MS,
  type CatalogueSettings,
} from './settings';
export { createSqliteEngine, unitLangWordsFill } from './sqlite-engine';
export { createSqliteThreadEngine } from './sqlite-thread';
export { createPostgresEngine } from './postgres-engine';
export type { InstitutionPart, UnitDoc, QualificationDoc } from './engine';
export { searchStatements, type Statement, type TextMatch } from './search-sql';
export { facetWordsOf } from './unit-facets';
export { langTextsOf, MAX_ANSWER_BYTES, MAX_ANSWER_VALUES, primaryLanguage } from './shard-reader';
