/**
 * Words of a statement as retrieval and the form checks see them: lower-cased, accents kept (Latvian and
 * Finnish spell different words with them), split on anything that is not a letter or digit, each with its
 * place in the statement so findings can point at a span. Stemming is a light suffix strip per language
 * (no dictionary): enough to make "welds", "welded" and "welding" one term without a stemmer package.
 */

export interface Token {
  /** As written, lower-cased. */
  word: string;
  /** The stem used for matching. */
  stem: string;
  start: number;
  end: number;
}

/** Suffixes stripped, longest first, keeping a stem of at least MIN_STEM letters. */
const SUFFIXES: Readonly<Record<string, readonly string[]>> = {
  en: [
    'ational',
    'ations',
    'ation',
    'ating',
    'ments',
    'ment',
    'ates',
    'ated',
    'ings',
    'ing',
    'ies',
    'ied',
    'ate',
    'ers',
    'er',
    'ly',
    'ed',
    'es',
    's',
    'e',
    'y',
  ],
  de: ['ungen', 'ung', 'ern', 'em', 'en', 'er', 'es', 'st', 'e', 'n', 's', 't'],
  es: [
    'aciones',
    'ación',
    'amiento',
    'iendo',
    'ando',
    'ados',
    'adas',
    'idos',
    'idas',
    'ado',
    'ada',
    'ido',
    'ida',
    'ar',
    'er',
    'ir',
    'as',
    'es',
    'os',
    'a',
    'e',
    'o',
    's',
  ],
  fi: [
    'ssaan',
    'ssään',
    'issa',
    'issä',
    'ista',
    'istä',
    'ssa',
    'ssä',
    'sta',
    'stä',
    'lla',
    'llä',
    'lta',
    'ltä',
    'lle',
    'ksi',
    'iin',
    'ien',
    'den',
    'tten',
    'ja',
    'jä',
    'en',
    'in',
    'an',
    'än',
    'at',
    'ät',
    'a',
    'ä',
    'n',
    't',
    'i',
  ],
  lv: [
    'ošanas',
    'ošana',
    'ējot',
    'ības',
    'ība',
    'iem',
    'ām',
    'ēm',
    'ai',
    'as',
    'es',
    'is',
    'us',
    'os',
    'u',
    'a',
    'e',
    'i',
    's',
    'š',
    't',
  ],
};
const MIN_STEM = 3;

/** Words too common to tell statements apart, per language (form words of outcome statements included). */
const STOPWORDS: Readonly<Record<string, ReadonlySet<string>>> = {
  en: new Set(
    'a an the and or of to in on at for with by from as is are be been being this that these those it its their his her they he she learner learners student students able will can shall which who when into using use according accordance'.split(
      ' ',
    ),
  ),
  de: new Set(
    'der die das den dem des ein eine einen einem einer und oder zu im in am an auf für mit von vom zur zum als ist sind wird werden kann können lernende lernenden auszubildende auszubildenden schüler sie er es sich seine ihre'.split(
      ' ',
    ),
  ),
  es: new Set(
    'el la los las un una unos unas y o de del a al en con por para que se su sus es son ser capaz capaces alumno alumna alumnado alumnos estudiante'.split(
      ' ',
    ),
  ),
  fi: new Set('ja tai sekä on ovat opiskelija opiskelijat osaa osaavat hän ne se joka jotka kun myös'.split(' ')),
  lv: new Set('un vai ir ar par uz no pēc līdz kā ko kas izglītojamais izglītojamie spēj prot audzēknis'.split(' ')),
};

export const REVIEW_LANGUAGES = ['en', 'de', 'es', 'fi', 'lv'] as const;
export type ReviewLanguage = (typeof REVIEW_LANGUAGES)[number];

export function isReviewLanguage(lang: string): lang is ReviewLanguage {
  return (REVIEW_LANGUAGES as readonly string[]).includes(lang);
}

/** The primary subtag of a BCP 47 code: "de-AT" reads as "de". */
export const primaryLanguage = (lang: string): string => lang.toLowerCase().split('-')[0] ?? '';

export function stem(word: string, lang: string): string {
  const suffixes = SUFFIXES[primaryLanguage(lang)] ?? [];
  for (const suffix of suffixes) {
    if (word.endsWith(suffix) && word.length - suffix.length >= MIN_STEM) return word.slice(0, -suffix.length);
  }
  return word;
}

const WORD = /[\p{L}\p{N}]+(?:[-'’][\p{L}\p{N}]+)*/gu;

/** Every word of `text` with its span and stem. */
export function tokenize(text: string, lang: string): Token[] {
  const tokens: Token[] = [];
  for (const match of text.matchAll(WORD)) {
    const word = match[0].toLowerCase();
    tokens.push({ word, stem: stem(word, lang), start: match.index, end: match.index + match[0].length });
  }
  return tokens;
}

/** The tokens that carry content: stopwords and one-letter words left out. */
export function contentTokens(text: string, lang: string): Token[] {
  const stop = STOPWORDS[primaryLanguage(lang)];
  return tokenize(text, lang).filter((t) => t.word.length > 1 && !stop?.has(t.word));
}

/** Length of the character n-grams of `characterGrams`, and the shortest word cut into them. */
const GRAM = 4;
const MIN_GRAM_WORD = 5;

/**
 * The content words of `text` cut into overlapping character 4-grams, accents dropped: each token is one gram
 * (`stem`) of a word (`word`, with its span). Words shared across languages by their roots ("Photovoltaikanlagen",
 * "fotovoltaicos" and "photovoltaic"; "Hygiene", "higiene" and "hygiene") then match without a translation, which
 * is what a statement in a language whose ESCO files are not loaded can be matched by.
 */
export function characterGrams(text: string, lang: string): Token[] {
  const grams: Token[] = [];
  for (const token of contentTokens(text, lang)) {
    const letters = token.word.normalize('NFD').replace(/\p{M}/gu, '');
    if (letters.length < MIN_GRAM_WORD) continue;
    for (let i = 0; i + GRAM <= letters.length; i += 1) grams.push({ ...token, stem: letters.slice(i, i + GRAM) });
  }
  return grams;
}
