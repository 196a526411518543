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
      source: 'ABROAD',
      achievedAsUnitId: null,
      outcomes: u4.learningOutcomes,
    },
    {
      unit: u5,
      ecvetPoints: 15,
      creditedOn: '2026-06-30',
      decision: RecognitionDecisionKind.PARTIALLY_RECOGNISED,
      source: 'ABROAD',
      achievedAsUnitId: null,
      outcomes: u5.learningOutcomes.slice(0, 3),
    },
  ],
  totalEcvetPoints: 40,
  complete: false,
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

describe('certificate of a completed qualification', () => {
  const units = certificate.units.map((unit, index) => ({
    ...unit,
    ecvetPoints: unit.unit.ecvetPoints,
    decision: index === 0 ? null : RecognitionDecisionKind.RECOGNISED,
    source: index === 0 ? ('HOME' as const) : ('TRANSFER' as const),
    achievedAsUnitId: index === 0 ? null : 'rvt.lv:ELEC-U9',
  }));
  const credential = buildCertificateCredential({ ...certificate, units, totalEcvetPoints: 55, complete: true }) as Any;

  it('states the qualification as one achievement whose parts are its units, each saying where it was achieved, valid against the EDC schema', () => {
    expect(validateEdc(credential)).toEqual({ valid: true, problems: [] });
    const [qualification] = credential.credentialSubject.hasClaim;
    expect(qualification.identifier.notation).toBe(u4.qualification.id);
    expect(qualification.creditReceived[0].point).toBe('55');
    expect(qualification.hasPart.map((part: Any) => part.additionalNote[0].noteLiteral.en[0])).toEqual([
      expect.stringMatching(/achieved at the home institution\.$/),
      expect.stringMatching(/\(as unit rvt\.lv:ELEC-U9\) and recognised by transfer under ECVET\.$/),
    ]);
  });
});
