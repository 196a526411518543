import { pickText } from '../../../schema/localized-text';
import { AssessmentResult } from '../../../schema/mobility/enums';
import {
  assessment,
  awardingProcess,
  ecvetCredit,
  europeanDigitalCredential,
  identifier,
  langMap,
  note,
  person,
  unitSpecification,
  uris,
  type Json,
} from '../../shared/documents/edc';
import { edcAssessmentGrading, hasAgreedGrading } from '../grading/grading.documents';
import { displayParameter } from '../../shared/documents/edc-display';
import { transcriptCredentialId } from '../../shared/documents/credential-ids';
import type { TranscriptDocumentData, TranscriptUnit } from './transcript-data';

const titleOf = (unit: TranscriptUnit) => pickText(unit.unit.titles, 'en') ?? unit.unit.id;

function specification(unit: TranscriptUnit): Json {
  return unitSpecification({
    id: unit.unit.id,
    titles: unit.unit.titles,
    eqfLevel: unit.unit.eqfLevel,
    ecvetPoints: unit.unit.ecvetPoints,
    iscedCode: unit.unit.qualification.iscedCode,
    learningOutcomes: unit.outcomes,
  });
}

/** Outcomes assessed one by one and not achieved, as a note on the assessment. */
function outcomeNotes(unit: TranscriptUnit): Json[] {
  const missed = unit.entry.outcomeResults
    .filter((r) => r.result !== AssessmentResult.ACHIEVED)
    .map((r) => r.learningOutcomeId);
  return missed.length > 0 ? [note(`Learning outcomes not achieved: ${missed.join(', ')}`)] : [];
}

/**
 * An achieved unit is a learning achievement awarded by the host, with the points received, proven by the host's
 * assessment and its grade; a unit not achieved is a claim of the assessment alone (Europass claims nothing the
 * learner did not achieve), specified by the unit it assessed.
 */
function claim(credentialId: string, data: TranscriptDocumentData, unit: TranscriptUnit, index: number): Json {
  const achieved = unit.entry.result === AssessmentResult.ACHIEVED;
  const grade = unit.entry.grade;
  const notes = outcomeNotes(unit);
  const grading = hasAgreedGrading(unit.entry)
    ? edcAssessmentGrading(credentialId, index, titleOf(unit), unit.entry, data.host)
    : null;
  const proof = {
    ...assessment({
      id: uris.node(credentialId, 'assessment', index + 1),
      title: `Assessment of "${titleOf(unit)}" at ${pickText(data.host.names, 'en') ?? data.host.id}`,
      grade: achieved ? (grade ?? 'Achieved') : grade ? `Not achieved (${grade})` : 'Not achieved',
      date: unit.entry.assessedOn,
      by: data.host,
    }),
    ...(notes.length > 0 ? { additionalNote: notes } : {}),
    ...(grading && grading.parts.length > 0 ? { hasPart: grading.parts } : {}),
  };
  if (!achieved) {
    return {
      ...proof,
      specifiedBy: [
        {
          id: uris.node(credentialId, 'assessment-specification', index + 1),
          type: 'LearningAssessmentSpecification',
          title: { en: [`Assessment of "${titleOf(unit)}"`] },
          ...grading?.specification,
          proves: [specification(unit)],
        },
      ],
    };
  }
  return {
    id: uris.node(credentialId, 'achievement', index + 1),
    type: 'LearningAchievement',
    title: langMap(unit.unit.titles, unit.unit.id),
    identifier: identifier(unit.unit.id, 'ECVET hub unit ID'),
    awardedBy: awardingProcess(data.host, unit.entry.assessedOn),
    creditReceived: [ecvetCredit(unit.entry.ecvetPoints)],
    provenBy: [grading ? { ...proof, specifiedBy: [grading.specification] } : proof],
    specifiedBy: specification(unit),
  };
}

/** The transcript of records as a Europass Digital Credential, issued by the sending institution that keeps it. */
export function buildTranscriptCredential(data: TranscriptDocumentData): Json {
  const id = transcriptCredentialId(data.learningAgreementId, data.version);
  const host = pickText(data.host.names, 'en') ?? data.host.id;
  const lines = [
    `Learner: ${data.learner.name} (born ${data.learner.dateOfBirth})`,
    `Hosting institution: ${host} (${data.host.country}), mobility ${data.mobility.start} to ${data.mobility.end}`,
    `Issued by ${data.issuedBy} on ${data.issuedAt.slice(0, 10)}; learning agreement ${data.learningAgreementId}, version ${data.agreementVersion}`,
    ...data.units.map((unit) => {
      const result = unit.entry.result === AssessmentResult.ACHIEVED ? 'achieved' : 'not achieved';
      return `- ${titleOf(unit)}: ${result}${unit.entry.grade ? `, ${unit.entry.grade}` : ''}, ${unit.entry.ecvetPoints} ECVET points, EQF ${unit.unit.eqfLevel}`;
    }),
    `Total: ${data.totalEcvetPoints} ECVET points`,
  ];
  return europeanDigitalCredential({
    id,
    issuer: data.sending,
    issued: data.issuedAt,
    identifiers: [
      identifier(data.transcriptId, 'ECVET hub transcript ID'),
      identifier(String(data.version), 'ECVET hub transcript version'),
      identifier(data.learningAgreementId, 'ECVET hub learning agreement ID'),
      identifier(String(data.agreementVersion), 'ECVET hub learning agreement version'),
    ],
    subject: person(
      data.learner,
      data.units.map((unit, index) => claim(id, data, unit, index)),
    ),
    display: displayParameter(
      id,
      'Transcript of records',
      `ECVET transcript of records of ${data.learner.name}, issued by ${host}.`,
      lines,
    ),
  });
}
