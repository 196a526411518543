import type { WordSuggestion } from './similar-words';

/** The languages items' texts are kept in by language (see UnitDoc.langTexts): an ISO 639 primary subtag. */
export const TEXT_LANGUAGE = /^[a-z]{2,3}$/;

/**
 * What the catalogue keeps of one institution's public data: enough to filter, order and page its lists exactly as
 * the institution's shard does (the shard's folded search text and sort key, computed the same way), never the
 * answers themselves, which the owners (and the entity cache) still give.
 */
export interface InstitutionDoc {
  code: string;
  country: string;
}

export interface QualificationDoc {
  localId: string;
  sortKey: string;
  searchText: string;
  /** The folded titles alone: a word found there ranks first. */
  titleText: string;
  /** The folded titles and descriptions in each language (its primary subtag, e.g. `de`), for RELEVANCE. */
  langTexts: Record<string, string>;
  eqfLevel: number;
  ecvetPoints: number;
  iscedCode: string;
  escoOccupation: string | null;
  status: string;
}

export interface UnitDoc {
  localId: string;
  qualification: string;
  sortKey: string;
  searchText: string;
  /** The folded titles alone: a word found there ranks first. */
  titleText: string;
  /** The folded titles, outcomes and criteria in each language (its primary subtag, e.g. `de`), for RELEVANCE. */
  langTexts: Record<string, string>;
  eqfLevel: number;
  ecvetPoints: number;
  status: string;
  /** The ESCO skills of its learning outcomes, without repeats. */
  skills: string[];
}

/** One institution's part, as a rebuild reads it from its shard. */
export interface InstitutionPart {
  institution: InstitutionDoc;
  qualifications: QualificationDoc[];
  units: UnitDoc[];
}

/** Changes a feed or a write names, read again from the shard: what is null there is gone. */
export interface PartChanges {
  institution?: InstitutionDoc;
  qualifications?: Array<{ localId: string; doc: QualificationDoc | null }>;
  units?: Array<{ localId: string; doc: UnitDoc | null }>;
}

/** A position in one institution's list, as its shard's cursor carries it. */
export interface ListPosition {
  sortKey: string;
  id: string;
}

/** Filters shared by both lists; each is what the shards' own filter does (see subgraphs/qualifications/search.ts). */
export interface SearchFilter {
  /** Folded words, each to occur in the search text; an empty list with `text` given matches nothing. */
  words: string[] | null;
  /** The words' language (a primary subtag, e.g. `de`): RELEVANCE ranks matches in its texts first. */
  lang?: string;
  eqfLevel?: number;
  pointsMin?: number;
  pointsMax?: number;
  status?: string;
  country?: string;
  /** An institution code; `''` matches none (a malformed one). */
  institution?: string;
  /** ISCED-F prefix of the qualification. */
  iscedPrefix?: string;
  escoOccupation?: string;
  /** Units: any of these skills. Qualifications: this one skill, on any of its units. */
  escoSkills?: string[];
  /** Units only: the qualification they belong to. */
  qualification?: { institution: string; localId: string };
}

export type ListName = 'units' | 'qualifications';
export type SearchOrder = 'TITLE' | 'RELEVANCE';

export interface SearchRequest {
  list: ListName;
  filter: SearchFilter;
  first: number;
  /** TITLE: positions reached in each institution's list (a hub cursor's). */
  after: Readonly<Record<string, ListPosition>>;
  /** RELEVANCE: how many items were handed out already. */
  offset: number;
  order: SearchOrder;
  /** Count every match; most of a search's cost, so only when asked. */
  count: boolean;
}

export interface SearchItem {
  institution: string;
  localId: string;
  sortKey: string;
}

export interface SearchPage {
  items: SearchItem[];
  hasNextPage: boolean;
  totalCount: number | null;
}

export interface InstitutionRows {
  institution: string;
  units: number;
  qualifications: number;
}

/**
 * Where an institution's part stands in its shard's change feed: it holds every change up to `seq` of feed `feedId`.
 * A gateway that starts over a catalogue it finds (PostgreSQL, a SQLite file) follows the feed on from there
 * instead of reading every institution again whole; a feed that cannot replay from there (pruned, or another
 * database) has the institution read whole, as a gap does.
 */
export interface PartPosition {
  feedId: string;
  seq: number;
  /** When the part's last whole read started (ms since the epoch). */
  readAt: number;
  /** When the part was last known to hold every change up to `seq` (ms since the epoch): how old it may be. */
  currentAt: number;
}

/** Where the catalogue lives: SQLite in the gateway's process, or a PostgreSQL shared by every replica. */
export interface CatalogueEngine {
  readonly name: 'sqlite' | 'postgres';
  start(): Promise<void>;
  /** Replaces everything held of the institution in one transaction. */
  replaceInstitution(part: InstitutionPart): Promise<void>;
  /** Applies changes read again from the shard, in one transaction. */
  apply(institution: string, changes: PartChanges): Promise<void>;
  /**
   * Runs `work`, a read of the institution's shard and the apply of what it found, while no other such work on the
   * institution runs: an answer read before a change is never applied after one read after it. SQLite: one at a time
   * in this process. PostgreSQL: across every replica sharing the catalogue; if the engine loses its hold meanwhile,
   * the institution's writes in `work` fail, and so does `exclusive`, so that it is read again.
   */
  exclusive<T>(institution: string, work: () => Promise<T>): Promise<T>;
  search(request: SearchRequest): Promise<SearchPage>;
  /**
   * For each of the words that no item of the list holds (as `filter.words` matches), the words of the list's items
   * most like it (see similar-words.ts); words the list holds are left out.
   */
  suggest(list: ListName, words: readonly string[]): Promise<WordSuggestion[]>;
  /** Institution codes held, in code order. */
  institutions(): Promise<string[]>;
  /** Rows held per institution (metrics). */
  rows(): Promise<InstitutionRows[]>;
  /** Every institution's stored position, by institution code. */
  positions(): Promise<Map<string, PartPosition>>;
  /**
   * Stores the institution's position once what it claims is applied. Within one feed the position and its times
   * only rise (replicas store theirs in any order, each true of the part when stored); another feed's replaces it.
   */
  setPosition(institution: string, position: PartPosition): Promise<void>;
  /** The part follows no feed from a known position any more (a gap): a gateway that starts reads it whole. */
  forgetPosition(institution: string): Promise<void>;
  /**
   * Listens for the engine losing what it held: the embedded engine's thread stopped. `replaced`: another thread took
   * its place, which may hold less than it did (nothing, in memory), and every part must be read again whole; else
   * the engine gave up and every call fails. PostgreSQL keeps what it holds, and has none.
   */
  onLost?(listener: (reason: Error, replaced: boolean) => void): void;
  close(): Promise<void>;
}
