import { join } from 'node:path';
import { LearningOutcomeCategory } from '../../../schema/enums';
import { thirdPartyDir } from '../../shared/documents/third-party';
import { EQF_SOURCE } from './eqf-descriptors';
import type { EscoSuggester } from './esco-suggestions';
import { reviewForm, type EqfEstimate } from './form';
import { EqfDescriptorColumn, type LearningOutcomeFindingCode, type LearningOutcomeReview } from './review.types';

/** The ESCO subset shipped with the hub, used when a shard is given no ESCO folder. */
export const defaultEscoFolder = (): string => join(thirdPartyDir(), 'esco');

export const DEFAULT_ESCO_SUGGESTIONS = 10;
export const MAX_ESCO_SUGGESTIONS = 50;
export const MAX_STATEMENT_LENGTH = 4000;

const COLUMNS: Record<EqfEstimate['column'], EqfDescriptorColumn> = {
  knowledge: EqfDescriptorColumn.KNOWLEDGE,
  skills: EqfDescriptorColumn.SKILLS,
  responsibilityAndAutonomy: EqfDescriptorColumn.RESPONSIBILITY_AND_AUTONOMY,
};

export interface ReviewRequest {
  statement: string;
  lang: string;
  category: LearningOutcomeCategory;
  eqfLevel: number | null;
  escoLimit: number;
}

/** Reviews one statement: form findings, category, EQF level and ESCO concepts. No I/O besides the index. */
export function reviewStatement(request: ReviewRequest, esco: EscoSuggester): LearningOutcomeReview {
  const { statement, lang, category, eqfLevel } = request;
  const form = reviewForm(statement, lang, category, eqfLevel);
  const suggested = form.suggestedCategory ? LearningOutcomeCategory[form.suggestedCategory] : null;
  return {
    statement,
    lang,
    // In the order of the text; findings on the whole statement after those on a span.
    findings: [...form.findings]
      .sort((a, b) => (a.start ?? Infinity) - (b.start ?? Infinity))
      .map((finding) => ({
        code: finding.code as LearningOutcomeFindingCode,
        message: finding.message,
        start: finding.start,
        end: finding.end,
        text: finding.start !== null && finding.end !== null ? statement.slice(finding.start, finding.end) : null,
        suggestions: finding.suggestions,
      })),
    suggestedCategory: suggested !== null && suggested !== category ? suggested : null,
    eqf: form.eqf
      ? {
          level: form.eqf.level,
          column: COLUMNS[form.eqf.column],
          descriptor: form.eqf.descriptor,
          matchedWords: form.eqf.evidence,
          source: EQF_SOURCE,
        }
      : null,
    escoSuggestions: esco.suggest(statement, lang, request.escoLimit),
    escoLanguages: esco.languages,
  };
}
