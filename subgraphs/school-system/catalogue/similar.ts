import { foldText } from '../../../schema/cursor';
import { BadUserInputError } from '../../../schema/errors';
import type { Catalogue, Text } from './catalogue';
import { pickText } from './text';

const MAX_STATEMENT = 4_000;
const MAX_FIRST = 20;
/** Words shorter than this ("to", "and", "die") say nothing about what an outcome is about. */
const MIN_WORD = 3;

/** One of the school's outcomes like a statement, as the contract's SimilarLearningOutcome. */
export interface SimilarOutcome {
  outcomeId: string;
  unitId: string;
  institution: string;
  statement: string;
  lang: string;
  score: number;
  matchedWords: string[];
}

const wordsOf = (text: string) =>
  new Set(
    foldText(text)
      .split(' ')
      .filter((word) => word.length >= MIN_WORD),
  );

/** The statement in `lang` (or its base language), else English; with the language it is in. */
function textIn(statements: readonly Text[], lang: string): Text | null {
  const value = pickText(statements, lang);
  return statements.find((t) => t.value === value) ?? null;
}

/**
 * The school's outcomes most like `statement`, by the share of the statement's words (folded) each one holds: a
 * plain overlap, enough for a school's few hundred outcomes; the hub merges every institution's matches by score.
 */
export function similarOutcomes(
  catalogue: Catalogue,
  institution: string,
  args: { statement: string; lang: string; first: number },
): SimilarOutcome[] {
  if (args.statement.length > MAX_STATEMENT)
    throw new BadUserInputError(`statement must be at most ${MAX_STATEMENT} characters`, 'statement');
  if (args.first < 1 || args.first > MAX_FIRST)
    throw new BadUserInputError(`first must be 1-${MAX_FIRST} (got ${args.first})`, 'first');
  const asked = wordsOf(args.statement);
  if (asked.size === 0) return [];
  const found: SimilarOutcome[] = [];
  for (const outcome of catalogue.outcomes.values()) {
    const text = textIn(outcome.statements, args.lang);
    if (!text) continue;
    const own = wordsOf(text.value);
    const matched = [...asked].filter((word) => own.has(word));
    if (matched.length === 0) continue;
    found.push({
      outcomeId: `${institution}:${outcome.localId}`,
      unitId: `${institution}:${outcome.unitLocalId}`,
      institution,
      statement: text.value,
      lang: text.lang,
      score: Math.round((matched.length / Math.sqrt(asked.size * own.size)) * 1000) / 1000,
      matchedWords: matched,
    });
  }
  return found.sort((a, b) => b.score - a.score || (a.outcomeId < b.outcomeId ? -1 : 1)).slice(0, args.first);
}
