import { RecognitionDecisionKind } from '../../../schema/recognition/recognition';
import { demoInstitution, demoUnit } from '../../shared/documents/demo-data.fixture';
import { ECVET_FRAMEWORK } from '../../shared/documents/edc';
import { validateEdc } from '../../shared/documents/edc-schema';
import type { CertificateDocumentData } from './certificate-data';
import { buildCertificateCredential } from './edc';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- assertions walk the credential's JSON, whose shape each assertion states
type Any = any;

const u4 = demoUnit('rvt.lv:WELD-U4');
const u5 = demoUnit('rvt.lv:WELD-U5');
const certificate: CertificateDocumentData = {
  code: 'rvt.lv:K7QP-2M9X-WD4H',
  learner: { id: 'rvt.lv:L-17', name: 'Anna Bērziņa' },
  issuer: demoInstitution('rvt.lv'),
  qualification: u4.qualification,
  issuedAt: '2026-07-01T08:00:00.000Z',
  units: [
    {
      unit: u4,
      ecvetPoints: 25,
      creditedOn: '2026-06-30',
      decision: RecognitionDecisionKind.RECOGNISED,
      outcomes: u4.learningOutcomes,
    },
    {
      unit: u5,
      ecvetPoints: 15,
      creditedOn: '2026-06-30',
      decision: RecognitionDecisionKind.PARTIALLY_RECOGNISED,
      outcomes: u5.learningOutcomes.slice(0, 3),
    },
  ],
  totalEcvetPoints: 40,
};

describe('certificate as a Europass Digital Credential', () => {
  const credential = buildCertificateCredential(certificate) as Any;

  it('validates against the official EDC JSON Schema', () => {
    expect(validateEdc(credential)).toEqual({ valid: true, problems: [] });
  });

  it('states what the certificate states: learner, recognised units with points, their EQF level and recognised outcomes', () => {
    expect(credential.id).toBe('urn:ecvet-hub:certificate:rvt.lv:K7QP-2M9X-WD4H');
    expect(credential.credentialSubject.fullName.en).toEqual(['Anna Bērziņa']);
    expect(credential.credentialSubject).not.toHaveProperty('dateOfBirth');
    const [full, partial] = credential.credentialSubject.hasClaim;
    expect(full.awardedBy.awardingBody[0].id).toBe('urn:ecvet-hub:institution:rvt.lv');
    expect(full.creditReceived[0]).toEqual(
      expect.objectContaining({ point: '25', framework: expect.objectContaining({ id: ECVET_FRAMEWORK }) }),
    );
    expect(full.provenBy[0].grade.noteLiteral.en).toEqual(['Recognised: 25 of 25 ECVET points']);
    expect(partial.provenBy[0].grade.noteLiteral.en).toEqual(['Partially recognised: 15 of 30 ECVET points']);
    expect(partial.specifiedBy.learningOutcome).toHaveLength(3);
    expect(partial.specifiedBy.educationLevel[0].id).toBe('http://data.europa.eu/snb/eqf/4');
    expect(partial.specifiedBy.thematicArea[0].id).toBe('http://data.europa.eu/snb/isced-f/0715');
  });
});
