import { readThirdParty } from '../../shared/documents/third-party';
import { ECVET_FRAMEWORK, type Json } from '../../shared/documents/edc';
import { validateEdc } from '../../shared/documents/edc-schema';
import { buildTranscriptCredential } from './edc';
import { sampleTranscript } from './transcript.fixture';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- assertions walk the credential's JSON, whose shape each assertion states
type Any = any;

describe('transcript as a Europass Digital Credential', () => {
  const credential = buildTranscriptCredential(sampleTranscript()) as Any;

  it('validates against the official EDC JSON Schema, as the official transcript example does', () => {
    expect(
      validateEdc(JSON.parse(readThirdParty('europass-edc', 'examples', 'Transcript of records - generic.json'))),
    ).toEqual({ valid: true, problems: [] });
    expect(validateEdc(credential)).toEqual({ valid: true, problems: [] });
  });

  it('is issued by the sending institution; each achieved unit is awarded by the host, with points, grade, EQF level and outcomes', () => {
    expect(credential.id).toBe('urn:ecvet-hub:transcript:rvt.lv:LA-2026-001:v1');
    expect(credential.issuer.id).toBe('urn:ecvet-hub:institution:rvt.lv');
    expect(credential.issuer.location[0].address[0].countryCode.id).toBe(
      'http://publications.europa.eu/resource/authority/country/LVA',
    );
    const [u4, u2] = credential.credentialSubject.hasClaim;
    expect(u4.type).toBe('LearningAchievement');
    expect(u4.awardedBy.awardingBody[0].legalName.en).toEqual(['Integrated Vocational Training Centre Avilés']);
    expect(u4.creditReceived).toEqual([
      expect.objectContaining({ point: '25', framework: expect.objectContaining({ id: ECVET_FRAMEWORK }) }),
    ]);
    expect(u4.provenBy[0].grade.noteLiteral.en).toEqual(['8/10']);
    expect(u4.provenBy[0].additionalNote[0].noteLiteral.en[0]).toContain('rvt.lv:WELD-U4-LO2');
    expect(u4.specifiedBy.educationLevel[0].id).toBe('http://data.europa.eu/snb/eqf/4');
    expect(u4.specifiedBy.creditPoint[0].framework.id).toBe(ECVET_FRAMEWORK);
    expect(u4.specifiedBy.learningOutcome).toHaveLength(6);
    expect(u4.specifiedBy.learningOutcome[0].relatedESCOSkill[0].id).toMatch(
      /^http:\/\/data\.europa\.eu\/esco\/skill\//,
    );
    expect(u2.type).toBe('LearningAssessment');
    expect(u2.grade.noteLiteral.en).toEqual(['Not achieved']);
    expect(u2.specifiedBy[0].proves[0].title.en).toEqual(['Reading technical drawings and welding documentation']);
    expect(credential.identifier.map((i: Json) => i.notation)).toEqual([
      'rvt.lv:T-LA-2026-001-1',
      '1',
      'rvt.lv:LA-2026-001',
      '2',
    ]);
  });

  it('says the same each time it is made, so a re-signed credential attests the same content', () => {
    expect(JSON.stringify(buildTranscriptCredential(sampleTranscript()))).toBe(JSON.stringify(credential));
  });

  it('is refused by the schema when a required part is missing (the validator is not a rubber stamp)', () => {
    const broken = JSON.parse(JSON.stringify(credential));
    delete broken.credentialSubject.hasClaim[0].awardedBy;
    delete broken.displayParameter;
    const result = validateEdc(broken);
    expect(result.valid).toBe(false);
    expect(result.problems.join('\n')).toContain("must have required property 'displayParameter'");
  });
});
