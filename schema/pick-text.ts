/** A text in one language, as every localized field stores it. */
interface TextInLanguage {
  lang: string;
  value: string;
}

/** The fallback every language picker uses: the asked language, then its base language, then English, then the first. */
export function pickText(texts: readonly TextInLanguage[], lang: string | undefined): string | null {
  if (texts.length === 0) return null;
  const wanted = lang ?? 'en';
  const base = wanted.split('-')[0];
  const found =
    texts.find((t) => t.lang === wanted) ??
    texts.find((t) => t.lang.split('-')[0] === base) ??
    texts.find((t) => t.lang === 'en') ??
    texts[0];
  return found?.value ?? null;
}
