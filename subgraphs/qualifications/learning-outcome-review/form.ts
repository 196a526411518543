import { EQF_DESCRIPTORS } from './eqf-descriptors';
import { type ActionVerb, type Category, LANGUAGE_RULES, type LanguageRules } from './language-rules';
import { contentTokens, isReviewLanguage, primaryLanguage, stem, tokenize, type Token } from './text';

/**
 * The form checks of a learning outcome statement and what its verbs and scope suggest (category, EQF level).
 * Pure functions over the text: the same statement always gives the same findings.
 */

export type FindingCode =
  | 'VAGUE_VERB'
  | 'NO_OBSERVABLE_VERB'
  | 'MULTIPLE_OUTCOMES'
  | 'DESCRIBES_TEACHING'
  | 'MISSING_OBJECT'
  | 'MISSING_CONTEXT'
  | 'CATEGORY_DIFFERS'
  | 'EQF_LEVEL_DIFFERS'
  | 'LANGUAGE_NOT_CHECKED';

export const FINDING_CODES: readonly FindingCode[] = [
  'VAGUE_VERB',
  'NO_OBSERVABLE_VERB',
  'MULTIPLE_OUTCOMES',
  'DESCRIBES_TEACHING',
  'MISSING_OBJECT',
  'MISSING_CONTEXT',
  'CATEGORY_DIFFERS',
  'EQF_LEVEL_DIFFERS',
  'LANGUAGE_NOT_CHECKED',
];

export interface Finding {
  code: FindingCode;
  message: string;
  /** Where in the statement, as UTF-16 offsets [start, end); null when it concerns the whole statement. */
  start: number | null;
  end: number | null;
  suggestions: string[];
}

export interface EqfEstimate {
  level: number;
  /** The descriptor of that level in the column of the category (responsibility and autonomy for competence). */
  descriptor: string;
  column: 'knowledge' | 'skills' | 'responsibilityAndAutonomy';
  /** The words of the statement that placed it at this level. */
  evidence: string[];
}

export interface FormReview {
  findings: Finding[];
  /** The category the verbs suggest; null when they suggest none. */
  suggestedCategory: Category | null;
  eqf: EqfEstimate | null;
}

/** Three distinct action verbs are three outcomes; two ("measure and record") usually describe one. */
const MULTIPLE_VERBS = 3;
/** Content words besides its verbs a statement needs to name what the action is done to ("is able to weld." has none). */
const MIN_OBJECT_WORDS = 1;

/** JavaScript's \b knows only ASCII letters: "gemäß" would have no end. Boundaries here are Unicode letters. */
function unicodeWords(pattern: RegExp): RegExp {
  const flags = pattern.flags.includes('u') ? pattern.flags : `${pattern.flags}u`;
  return new RegExp(
    pattern.source.replace(/\\b/g, '(?:(?<![\\p{L}\\p{N}])(?=[\\p{L}\\p{N}])|(?<=[\\p{L}\\p{N}])(?![\\p{L}\\p{N}]))'),
    flags,
  );
}

interface CompiledRules {
  rules: LanguageRules;
  vagueStems: Set<string>;
  vaguePhrases: RegExp[];
  verbByStem: Map<string, ActionVerb>;
  abilityMarkers: RegExp[];
  teaching: RegExp[];
  context: RegExp[];
  scope: Array<{ pattern: RegExp; level: number }>;
}

const compiled = new Map<string, CompiledRules>();

function rulesFor(lang: string): CompiledRules | null {
  if (!isReviewLanguage(lang)) return null;
  const cached = compiled.get(lang);
  if (cached) return cached;
  const rules = LANGUAGE_RULES[lang];
  const verbByStem = new Map<string, ActionVerb>();
  for (const verb of rules.verbs) for (const form of verb.forms) verbByStem.set(stem(form, lang), verb);
  const made: CompiledRules = {
    rules,
    vagueStems: new Set(rules.vague.forms.map((form) => stem(form, lang))),
    vaguePhrases: rules.vague.phrases.map(unicodeWords),
    verbByStem,
    abilityMarkers: rules.abilityMarkers.map(unicodeWords),
    teaching: rules.teaching.map(unicodeWords),
    context: rules.context.map(unicodeWords),
    scope: rules.scope.map(({ pattern, level }) => ({ pattern: unicodeWords(pattern), level })),
  };
  compiled.set(lang, made);
  return made;
}

interface VerbUse {
  token: Token;
  verb: ActionVerb | null;
}

/** The statement's outcome verbs: listed verbs anywhere, and infinitives after an ability marker. */
function verbsOf(statement: string, tokens: Token[], c: CompiledRules, lang: string): VerbUse[] {
  const uses = new Map<number, VerbUse>();
  tokens.forEach((token, index) => {
    const verb = c.verbByStem.get(token.stem);
    if (verb && maybeVerb(statement, token, lang, tokens[index - 1])) uses.set(token.start, { token, verb });
  });
  for (const marker of c.abilityMarkers) {
    const global = new RegExp(marker.source, marker.flags.includes('g') ? marker.flags : `${marker.flags}g`);
    for (const match of statement.matchAll(global)) {
      const after = match.index + match[0].length;
      const next = tokens.find((t) => t.start >= after && c.rules.infinitive.test(t.word) && !c.vagueStems.has(t.stem));
      if (next && !uses.has(next.start)) uses.set(next.start, { token: next, verb: null });
    }
  }
  return [...uses.values()].sort((a, b) => a.token.start - b.token.start);
}

const EN_BEFORE_VERB = new Set([
  'learner',
  'learners',
  'student',
  'students',
  'to',
  'can',
  'and',
  'or',
  'also',
  'then',
  'will',
]);

/**
 * English nouns share stems with verbs ("installation", "drawings", "welding"): only a verb's own forms
 * count there. German nouns are capitalised. Other languages' nouns rarely share a verb's stem.
 */
function maybeVerb(statement: string, token: Token, lang: string, previous: Token | undefined): boolean {
  if (lang === 'en') {
    if (/(?:ing|ion|ions|ment|ments)$/.test(token.word)) return false;
    // A verb follows the subject, "to", "can", a conjunction, a comma or an adverb; a noun follows "a", "the", …
    const between = previous ? statement.slice(previous.end, token.start) : '';
    return !previous || between.includes(',') || EN_BEFORE_VERB.has(previous.word) || previous.word.endsWith('ly');
  }
  if (lang === 'de') return token.start === 0 || statement[token.start] !== statement[token.start]?.toUpperCase();
  return true;
}

const COLUMN: Record<Category, EqfEstimate['column']> = {
  KNOWLEDGE: 'knowledge',
  SKILLS: 'skills',
  COMPETENCE: 'responsibilityAndAutonomy',
};

function estimateLevel(statement: string, verbs: VerbUse[], c: CompiledRules, category: Category): EqfEstimate | null {
  const evidence: Array<{ level: number; word: string }> = verbs.flatMap(({ token, verb }) =>
    verb ? [{ level: verb.level, word: token.word }] : [],
  );
  for (const { pattern, level } of c.scope) {
    const match = pattern.exec(statement);
    if (match) evidence.push({ level, word: match[0] });
  }
  if (evidence.length === 0) return null;
  // The most demanding verb sets the level, scope wording pulls it towards what it describes.
  const verbLevel = Math.max(...evidence.map((e) => e.level));
  const levels = evidence.map((e) => e.level);
  const level = Math.min(
    8,
    Math.max(1, Math.round((verbLevel + levels.reduce((a, b) => a + b, 0) / levels.length) / 2)),
  );
  const descriptor = EQF_DESCRIPTORS[level - 1];
  const column = COLUMN[category];
  return { level, descriptor: descriptor ? descriptor[column] : '', column, evidence: evidence.map((e) => e.word) };
}

/**
 * The main (first) verb decides, as the handbook's categories do: "knows", "describes" read as knowledge, an
 * action the learner "is able to" do as skills; without a verb, wording of responsibility or autonomy
 * ("takes responsibility for …") reads as competence.
 */
function suggestedCategoryOf(verbs: VerbUse[], firstVague: number | null, autonomy: boolean): Category | null {
  const first = verbs[0];
  if (firstVague !== null && (!first || firstVague < first.token.start)) return 'KNOWLEDGE';
  if (!first) return autonomy ? 'COMPETENCE' : null;
  return first.verb?.category ?? 'SKILLS';
}

/** Scope wording from this EQF level up speaks of responsibility and autonomy. */
const AUTONOMY_LEVEL = 4;

/** Findings on the form of `statement` in `lang`, with the category and EQF level it reads as. */
export function reviewForm(statement: string, lang: string, category: Category, eqfLevel: number | null): FormReview {
  const c = rulesFor(primaryLanguage(lang));
  if (!c) {
    return {
      findings: [
        {
          code: 'LANGUAGE_NOT_CHECKED',
          message: `Form checks know en, de, es, fi and lv; "${lang}" statements get ESCO suggestions only`,
          start: null,
          end: null,
          suggestions: [],
        },
      ],
      suggestedCategory: null,
      eqf: null,
    };
  }
  const language = primaryLanguage(lang);
  const tokens = tokenize(statement, language);
  const findings: Finding[] = [];
  const vagueTokens = tokens.filter((t) => c.vagueStems.has(t.stem));
  const vaguePhrases = c.vaguePhrases.flatMap((p) => {
    const m = p.exec(statement);
    return m ? [{ start: m.index, end: m.index + m[0].length, word: m[0] }] : [];
  });
  for (const vague of [...vagueTokens, ...vaguePhrases]) {
    findings.push({
      code: 'VAGUE_VERB',
      message: `"${statement.slice(vague.start, vague.end)}" cannot be observed or assessed; name what the learner does to show it`,
      start: vague.start,
      end: vague.end,
      suggestions: [...c.rules.vague.suggestions],
    });
  }
  for (const pattern of c.teaching) {
    const m = pattern.exec(statement);
    if (m) {
      findings.push({
        code: 'DESCRIBES_TEACHING',
        message: 'This describes teaching; a learning outcome says what the learner can do at the end',
        start: m.index,
        end: m.index + m[0].length,
        suggestions: [],
      });
    }
  }
  const verbs = verbsOf(statement, tokens, c, language);
  const vague = vagueTokens.length + vaguePhrases.length > 0;
  if (verbs.length === 0 && !vague) {
    findings.push({
      code: 'NO_OBSERVABLE_VERB',
      message: 'No observable action verb: start the outcome with what the learner does',
      start: null,
      end: null,
      suggestions: c.rules.verbs.filter((verb) => verb.category === category).map((verb) => verb.forms[0] ?? ''),
    });
  }
  const distinct = new Map(verbs.map((use) => [use.token.stem, use]));
  if (distinct.size >= MULTIPLE_VERBS) {
    const first = verbs[0]?.token;
    const last = verbs.at(-1)?.token;
    findings.push({
      code: 'MULTIPLE_OUTCOMES',
      message: `${distinct.size} actions (${[...distinct.values()].map((u) => u.token.word).join(', ')}) in one statement: write one outcome per statement`,
      start: first?.start ?? null,
      end: last?.end ?? null,
      suggestions: [],
    });
  }
  const lastVerb = verbs.at(-1)?.token ?? vagueTokens.at(-1);
  const verbStarts = new Set(verbs.map((use) => use.token.start));
  const objectWords = contentTokens(statement, language).filter(
    (t) => !verbStarts.has(t.start) && !c.vagueStems.has(t.stem),
  );
  if (lastVerb && objectWords.length < MIN_OBJECT_WORDS) {
    findings.push({
      code: 'MISSING_OBJECT',
      message: 'Say what the action is done to (the object) and in which context',
      start: lastVerb.start,
      end: lastVerb.end,
      suggestions: [],
    });
  } else if (category !== 'KNOWLEDGE' && !c.context.some((p) => p.test(statement))) {
    findings.push({
      code: 'MISSING_CONTEXT',
      message:
        'Name the context, tools or standard the action meets (e.g. "according to the WPS", "using a multimeter")',
      start: null,
      end: null,
      suggestions: [],
    });
  }
  const vagueStarts = [...vagueTokens, ...vaguePhrases].map((t) => t.start);
  const autonomy = c.scope.some(({ pattern, level }) => level >= AUTONOMY_LEVEL && pattern.test(statement));
  const suggestedCategory = suggestedCategoryOf(
    verbs,
    vagueStarts.length > 0 ? Math.min(...vagueStarts) : null,
    autonomy,
  );
  if (suggestedCategory && suggestedCategory !== category) {
    findings.push({
      code: 'CATEGORY_DIFFERS',
      message: `Filed as ${category}, but its verbs read as ${suggestedCategory}`,
      start: null,
      end: null,
      suggestions: [suggestedCategory],
    });
  }
  const eqf = estimateLevel(statement, verbs, c, category);
  if (eqf && eqfLevel !== null && Math.abs(eqf.level - eqfLevel) > 1) {
    findings.push({
      code: 'EQF_LEVEL_DIFFERS',
      message: `The unit is EQF ${eqfLevel}, but the verbs and scope (${eqf.evidence.join(', ')}) read as EQF ${eqf.level}`,
      start: null,
      end: null,
      suggestions: [],
    });
  }
  return { findings, suggestedCategory, eqf };
}
