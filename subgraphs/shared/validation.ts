import { BadUserInputError } from '../../schema/errors';
import type { LocalizedText } from '../../schema/localized-text';

/** Input checks shared by every kind; each names the field (as a path in the input) and the rule it broke. */

export function checkTexts(
  field: string,
  texts: readonly LocalizedText[],
  { required = true, maxLength = 4000 } = {},
): void {
  if (required && texts.length === 0) {
    throw new BadUserInputError(`${field} must contain at least one text (e.g. in English)`, field);
  }
  const seen = new Set<string>();
  texts.forEach((text, index) => {
    if (text.value.trim() === '')
      throw new BadUserInputError(`${field}[${index}].value must not be blank`, `${field}[${index}].value`);
    if (text.value.length > maxLength) {
      throw new BadUserInputError(
        `${field}[${index}].value must be at most ${maxLength} characters`,
        `${field}[${index}].value`,
      );
    }
    if (seen.has(text.lang))
      throw new BadUserInputError(`${field} has two texts in "${text.lang}": give one per language`, field);
    seen.add(text.lang);
  });
}

export function checkPattern(field: string, value: string, pattern: RegExp, rule: string): void {
  if (!pattern.test(value)) throw new BadUserInputError(`${field} "${value}" ${rule}`, field);
}

/** Page sizes: at least 1, at most `max`, so one request cannot ask a shard for everything. */
export const MAX_PAGE_SIZE = 100;

export function checkPageSize(first: number): void {
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw new BadUserInputError(`first must be between 1 and ${MAX_PAGE_SIZE} (got ${first})`, 'first');
  }
}

export function checkRange(field: string, min: number | null | undefined, max: number | null | undefined): void {
  if (min != null && max != null && min > max) {
    throw new BadUserInputError(`${field}.min (${min}) must not exceed ${field}.max (${max})`, field);
  }
}
