import { pickText } from '../../../schema/localized-text';
import { RecognitionDecisionKind } from '../../../schema/recognition/recognition';
import { certificateCredentialId } from '../../shared/documents/credential-ids';
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
import { displayParameter } from '../../shared/documents/edc-display';
import type { CertificateDocumentData, CertificateUnit } from './certificate-data';

const titleOf = (unit: CertificateUnit) => pickText(unit.unit.titles, 'en') ?? unit.unit.id;

function gradeOf(unit: CertificateUnit): string {
  const partial =
    unit.decision === RecognitionDecisionKind.PARTIALLY_RECOGNISED || unit.ecvetPoints < unit.unit.ecvetPoints;
  return `${partial ? 'Partially recognised' : 'Recognised'}: ${unit.ecvetPoints} of ${unit.unit.ecvetPoints} ECVET points`;
}

/** Where a unit was achieved, in words, for the credential's reader. */
function whereAchieved(unit: CertificateUnit): string {
  const from = unit.achievedAsUnitId ? ` (as unit ${unit.achievedAsUnitId})` : '';
  switch (unit.source) {
    case 'HOME':
      return 'achieved at the home institution';
    case 'TRANSFER':
      return `achieved in another programme or institution${from} and recognised by transfer under ECVET`;
    case 'VPL':
      return 'learned at work or outside school and recognised by validation of prior learning';
    default:
      return `achieved abroad${from} and recognised under ECVET`;
  }
}

/** Each recognised unit is a learning achievement awarded by the certifying institution, proven by its recognition. */
function claim(credentialId: string, data: CertificateDocumentData, unit: CertificateUnit, index: number): Json {
  const qualification = pickText(data.qualification.titles, 'en') ?? data.qualification.id;
  return {
    id: uris.node(credentialId, 'achievement', index + 1),
    type: 'LearningAchievement',
    title: langMap(unit.unit.titles, unit.unit.id),
    identifier: identifier(unit.unit.id, 'ECVET hub unit ID'),
    additionalNote: [
      note(`Unit of the qualification "${qualification}" (${data.qualification.id}), ${whereAchieved(unit)}.`),
    ],
    awardedBy: awardingProcess(data.issuer, unit.creditedOn),
    creditReceived: [ecvetCredit(unit.ecvetPoints)],
    provenBy: [
      assessment({
        id: uris.node(credentialId, 'recognition', index + 1),
        title: `Recognition of "${titleOf(unit)}"`,
        grade: gradeOf(unit),
        date: unit.creditedOn,
        by: data.issuer,
      }),
    ],
    specifiedBy: unitSpecification({
      id: unit.unit.id,
      titles: unit.unit.titles,
      eqfLevel: unit.unit.eqfLevel,
      ecvetPoints: unit.unit.ecvetPoints,
      iscedCode: data.qualification.iscedCode,
      learningOutcomes: unit.outcomes,
    }),
  };
}

/**
 * The units as claims; once the certificate states the whole qualification, one achievement of the qualification
 * whose parts (`hasPart`) are the units, each saying where it was achieved.
 */
function claims(credentialId: string, data: CertificateDocumentData): Json[] {
  const units = data.units.map((unit, index) => claim(credentialId, data, unit, index));
  if (!data.complete) return units;
  return [
    {
      id: uris.node(credentialId, 'qualification', 1),
      type: 'LearningAchievement',
      title: langMap(data.qualification.titles, data.qualification.id),
      identifier: identifier(data.qualification.id, 'ECVET hub qualification ID'),
      additionalNote: [note(`All units of the qualification credited: ${data.totalEcvetPoints} ECVET points.`)],
      awardedBy: awardingProcess(data.issuer, data.issuedAt.slice(0, 10)),
      creditReceived: [ecvetCredit(data.totalEcvetPoints)],
      hasPart: units,
    },
  ];
}

/** The certificate of units recognised from abroad as a Europass Digital Credential, issued by the sending institution. */
export function buildCertificateCredential(data: CertificateDocumentData): Json {
  const id = certificateCredentialId(data.code);
  const issuer = pickText(data.issuer.names, 'en') ?? data.issuer.id;
  const qualification = pickText(data.qualification.titles, 'en') ?? data.qualification.id;
  const lines = [
    `Learner: ${data.learner.name}`,
    `Qualification: ${qualification} (EQF ${data.qualification.eqfLevel}, ${data.qualification.ecvetPoints} ECVET points)`,
    `Issued by ${issuer} (${data.issuer.country}) on ${data.issuedAt.slice(0, 10)}; verification code ${data.code}`,
    ...data.units.map((unit) => `- ${titleOf(unit)}: ${gradeOf(unit)}, EQF ${unit.unit.eqfLevel}`),
    `Total recognised: ${data.totalEcvetPoints} ECVET points`,
  ];
  return europeanDigitalCredential({
    id,
    issuer: data.issuer,
    issued: data.issuedAt,
    identifiers: [
      identifier(data.code, 'ECVET hub certificate verification code'),
      identifier(data.qualification.id, 'ECVET hub qualification ID'),
    ],
    subject: person({ id: data.learner.id, name: data.learner.name }, claims(id, data)),
    display: displayParameter(
      id,
      'Certificate of recognised units',
      `Units of "${qualification}" that ${data.learner.name} achieved abroad, recognised by ${issuer} under ECVET.`,
      lines,
    ),
  });
}
