import { AssessmentResult } from '../../../schema/mobility/enums';
import { elmoGrading, elmoGradingSchemes, elmoOutcomeGrading } from '../grading/grading.documents';
import { ELMO_NAMESPACE } from '../../shared/documents/elmo-schema';
import { el, renderXml, type XmlElement } from '../../shared/documents/xml';
import type { TranscriptDocumentData, TranscriptUnit } from './transcript-data';

/**
 * A transcript of records as an ELMO document (EMREX / EWP, schema v1): the learner, one report by the hosting
 * institution, each unit as a learning opportunity (type "Module") with its result, grade, assessment date,
 * ECVET points as a credit with scheme "ecvet" and its EQF level. What ELMO has no element for — each learning
 * outcome with its ID, category, ESCO skills and result, what the unit will be recognised as at home (the
 * agreement's `recognisedAs`), and the learning agreement version — travels in
 * `extension` elements of the hub's own namespace, which ELMO lets readers skip.
 */
export const HUB_ELMO_NAMESPACE = 'https://specs.ecvet-hub.eu/elmo/v1';
/** The identifier type under which the hub writes its own IDs (units, learners). */
export const HUB_IDENTIFIER_TYPE = 'ecvet-hub';

const CATEGORY_LABEL = { KNOWLEDGE: 'knowledge', SKILLS: 'skills', COMPETENCE: 'competence' } as const;

/** "Anna Bērziņa" → given names "Anna", family name "Bērziņa": the last word is taken for the family name. */
export function splitName(name: string): { givenNames: string; familyName: string } {
  const parts = name.trim().split(/\s+/);
  return parts.length > 1
    ? { givenNames: parts.slice(0, -1).join(' '), familyName: parts.at(-1) as string }
    : { givenNames: '', familyName: name.trim() };
}

/** Outcome statements as readable text, one description per language the unit's outcomes are written in. */
function outcomeDescriptions(unit: TranscriptUnit): XmlElement[] {
  const languages = [...new Set(unit.outcomes.flatMap((o) => o.statements.map((s) => s.lang)))];
  return languages.map((lang) => {
    const lines = unit.outcomes.map(
      (o) =>
        `- (${CATEGORY_LABEL[o.category]}) ${o.statements.find((s) => s.lang === lang)?.value ?? o.statements[0]?.value ?? o.id}`,
    );
    return el('description', { 'xml:lang': lang }, `Learning outcomes:\n${lines.join('\n')}`);
  });
}

function instanceExtension(unit: TranscriptUnit): XmlElement {
  const results = new Map(unit.entry.outcomeResults.map((r) => [r.learningOutcomeId, r.result]));
  return el(
    'extension',
    {},
    recognisedAsExtension(unit),
    el(
      'hub:learningOutcomes',
      {},
      unit.outcomes.map((o) =>
        el(
          'hub:learningOutcome',
          { id: o.id, category: o.category, result: results.get(o.id) },
          o.statements.map((s) => el('hub:statement', { 'xml:lang': s.lang }, s.value)),
          o.escoSkills.map((uri) => el('hub:escoSkill', {}, uri)),
          elmoOutcomeGrading(unit.entry, o.id),
        ),
      ),
    ),
  );
}

/**
 * What the learning agreement says the unit will be recognised as at home: ELMO describes what was achieved, not
 * what it counts for at the sending institution, so this travels in the hub's extension.
 */
function recognisedAsExtension(unit: TranscriptUnit): XmlElement | null {
  const target = unit.recognisedAs;
  if (!target) return null;
  return el(
    'hub:recognisedAs',
    { coverage: target.coverage, source: target.source },
    target.homeUnitIds.map((id) =>
      el(
        'hub:homeUnit',
        { id },
        (target.homeUnits.find((u) => u.id === id)?.titles ?? []).map((t) =>
          el('hub:title', { 'xml:lang': t.lang }, t.value),
        ),
      ),
    ),
    target.homeOutcomeIds.map((id) => el('hub:homeOutcome', { id })),
  );
}

function learningOpportunity(data: TranscriptDocumentData, unit: TranscriptUnit): XmlElement {
  const { entry } = unit;
  const grading = elmoGrading(entry);
  return el(
    'learningOpportunitySpecification',
    {},
    el('identifier', { type: HUB_IDENTIFIER_TYPE }, unit.unit.id),
    el('identifier', { type: 'local' }, unit.unit.localId),
    unit.unit.titles.map((t) => el('title', { 'xml:lang': t.lang }, t.value)),
    el('type', {}, 'Module'),
    el('iscedCode', {}, unit.unit.qualification.iscedCode),
    outcomeDescriptions(unit),
    el(
      'specifies',
      {},
      el(
        'learningOpportunityInstance',
        {},
        el('start', {}, data.mobility.start),
        el('date', {}, entry.assessedOn),
        el('status', {}, entry.result === AssessmentResult.ACHIEVED ? 'passed' : 'failed'),
        grading.schemeId,
        entry.grade ? el('resultLabel', {}, entry.grade) : null,
        grading.shortened,
        el('credit', {}, el('scheme', {}, 'ecvet'), el('value', {}, entry.ecvetPoints)),
        el(
          'level',
          {},
          el('type', {}, 'EQF'),
          el('description', {}, 'European Qualifications Framework'),
          el('value', {}, unit.unit.eqfLevel),
        ),
        instanceExtension(unit),
      ),
    ),
  );
}

/** The ELMO document of a transcript; `generatedAt` is when this file is written (ISO 8601). */
export function buildElmo(data: TranscriptDocumentData, generatedAt: string): string {
  const { givenNames, familyName } = splitName(data.learner.name);
  const root = el(
    'elmo',
    { xmlns: ELMO_NAMESPACE, 'xmlns:hub': HUB_ELMO_NAMESPACE },
    el('generatedDate', {}, generatedAt),
    el(
      'learner',
      {},
      el('identifier', { type: HUB_IDENTIFIER_TYPE }, data.learner.id),
      el('givenNames', {}, givenNames),
      el('familyName', {}, familyName),
      el('bday', {}, data.learner.dateOfBirth),
    ),
    el(
      'report',
      {},
      el(
        'issuer',
        {},
        el('country', {}, data.host.country),
        el('identifier', { type: 'schac' }, data.host.id),
        data.host.names.map((n) => el('title', { 'xml:lang': n.lang }, n.value)),
        el('url', {}, data.host.website ?? `https://${data.host.id}`),
      ),
      data.units.map((unit) => learningOpportunity(data, unit)),
      el('issueDate', {}, data.issuedAt),
      elmoGradingSchemes(data.units.map((unit) => unit.entry)),
    ),
    el(
      'extension',
      {},
      el('hub:transcript', {
        id: data.transcriptId,
        version: data.version,
        current: String(data.current),
        learningAgreement: data.learningAgreementId,
        learningAgreementVersion: data.agreementVersion,
        sendingInstitution: data.sending.id,
        issuedBy: data.issuedBy,
        totalEcvetPoints: data.totalEcvetPoints,
      }),
    ),
  );
  return renderXml(root);
}
