import type { StoredGradingScale } from '../../../schema/grading-scale';
import { pickText } from '../../../schema/localized-text';
import { AssessmentResult } from '../../../schema/mobility/enums';
import { assessment, identifier, langMap, note, uris, type Json } from '../../shared/documents/edc';
import type { PublicInstitution } from '../../shared/documents/hub-data';
import { el, type XmlElement } from '../../shared/documents/xml';
import type { StoredTranscriptEntry } from '../assessment/assessment.entity';

/**
 * What transcripts' documents say about grading: the agreed scale (ELMO `gradingScheme`, EDC `GradingScheme`), the
 * criteria per learning outcome and the per-outcome results with their evidence.
 */

/** The scale in one language: its name, every grade best first with its meaning (and share), the pass grade. */
export function scaleText(scale: StoredGradingScale, lang: string): string {
  const grades = scale.grades.map((g) => {
    const about = [pickText(g.labels, lang), g.share === null ? null : `${g.share} %`].filter(Boolean);
    return about.length > 0 ? `${g.value} (${about.join(', ')})` : g.value;
  });
  return `${pickText(scale.titles, lang) ?? scale.id}. Grades, best first: ${grades.join('; ')}. Pass grade: ${scale.passGrade}.`;
}

const languagesOf = (scale: StoredGradingScale) => [...new Set(scale.titles.map((t) => t.lang))];

/** The report's `gradingScheme` elements: one per scale its units were graded on, named by the scale's hub ID. */
export function elmoGradingSchemes(entries: readonly StoredTranscriptEntry[]): XmlElement[] {
  const scales = new Map<string, StoredGradingScale>();
  for (const entry of entries) if (entry.gradingScale) scales.set(entry.gradingScale.id, entry.gradingScale);
  return [...scales.values()].map((scale) =>
    el(
      'gradingScheme',
      { localId: scale.id },
      languagesOf(scale).map((lang) => el('description', { 'xml:lang': lang }, scaleText(scale, lang))),
    ),
  );
}

/**
 * The instance's `gradingSchemeLocalId` and, where the scale publishes shares, `shortenedGrading` (the share of
 * learners graded below, the same and above), in the order ELMO puts them around `resultLabel`.
 */
export function elmoGrading(entry: StoredTranscriptEntry): {
  schemeId: XmlElement | null;
  shortened: XmlElement | null;
} {
  const scale = entry.gradingScale;
  if (!scale) return { schemeId: null, shortened: null };
  const index = scale.grades.findIndex((g) => g.value === entry.grade);
  const shares = scale.grades.map((g) => g.share);
  if (index < 0 || shares.some((s) => s === null))
    return { schemeId: el('gradingSchemeLocalId', {}, scale.id), shortened: null };
  const sum = (from: number, to: number) => shares.slice(from, to).reduce<number>((a, s) => a + (s ?? 0), 0);
  return {
    schemeId: el('gradingSchemeLocalId', {}, scale.id),
    shortened: el(
      'shortenedGrading',
      {},
      el('percentageLower', {}, sum(index + 1, shares.length)),
      el('percentageEqual', {}, sum(index, index + 1)),
      el('percentageHigher', {}, sum(0, index)),
    ),
  };
}

/** Inside the hub's `learningOutcome` extension element: the agreed criteria and the evidence recorded. */
export function elmoOutcomeGrading(entry: StoredTranscriptEntry, outcomeId: string): XmlElement[] {
  const criteria = entry.assessmentCriteria?.find((c) => c.learningOutcomeId === outcomeId)?.criteria ?? [];
  const evidence = entry.outcomeResults.find((r) => r.learningOutcomeId === outcomeId)?.evidence;
  return [
    ...criteria.map((texts) =>
      el(
        'hub:criterion',
        {},
        texts.map((t) => el('hub:text', { 'xml:lang': t.lang }, t.value)),
      ),
    ),
    ...(evidence ? [el('hub:evidence', {}, evidence)] : []),
  ];
}

/**
 * What the EDC assessment of a unit adds for grading: its specification (the agreed criteria and the scale as a
 * `GradingScheme`) and, for outcomes assessed one by one, a part per outcome with its result and evidence.
 */
export function hasAgreedGrading(entry: StoredTranscriptEntry): boolean {
  return Boolean(entry.gradingScale) || (entry.assessmentCriteria ?? []).length > 0 || entry.outcomeResults.length > 0;
}

export function edcAssessmentGrading(
  credentialId: string,
  index: number,
  unitTitle: string,
  entry: StoredTranscriptEntry,
  host: PublicInstitution,
): { specification: Json; parts: Json[] } {
  const criteria = entry.assessmentCriteria ?? [];
  const scale = entry.gradingScale;
  const description: Array<{ lang: string; value: string }> = criteria.flatMap((outcome) =>
    outcome.criteria.flatMap((texts) =>
      texts.map((t) => ({ lang: t.lang, value: `${outcome.learningOutcomeId}: ${t.value}` })),
    ),
  );
  const specification: Json = {
    id: uris.node(credentialId, 'assessment-specification', index + 1),
    type: 'LearningAssessmentSpecification',
    title: { en: [`Assessment of "${unitTitle}"`] },
    ...(description.length > 0 ? { description: langMap(description) } : {}),
    ...(scale
      ? {
          gradingScheme: {
            id: uris.node(credentialId, 'grading-scheme', index + 1),
            type: 'GradingScheme',
            title: langMap(scale.titles, scale.id),
            identifier: [identifier(scale.id, 'ECVET hub grading scale ID')],
            description: langMap(languagesOf(scale).map((lang) => ({ lang, value: scaleText(scale, lang) }))),
          },
        }
      : {}),
  };
  const parts = entry.outcomeResults.map((result, o) => ({
    ...assessment({
      id: uris.node(credentialId, `assessment-${index + 1}-outcome`, o + 1),
      title: `Assessment of learning outcome ${result.learningOutcomeId}`,
      grade: result.result === AssessmentResult.ACHIEVED ? 'Achieved' : 'Not achieved',
      date: entry.assessedOn,
      by: host,
    }),
    ...(result.evidence ? { additionalNote: [note(`Evidence: ${result.evidence}`)] } : {}),
  }));
  return { specification, parts };
}
