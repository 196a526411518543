import { AssessmentResult } from '../../../schema/mobility/enums';
import { demoInstitution, demoUnit } from '../../shared/documents/demo-data.fixture';
import { readThirdParty } from '../../shared/documents/third-party';
import { validateElmoDocuments } from '../../shared/documents/elmo-schema';
import type { StoredAgreedUnit } from '../learning-agreement/learning-agreement.entity';
import { buildElmo, splitName } from './elmo';
import { mapElmoToAgreement, normalize, type ImportTarget } from './elmo.import';
import { parseElmo } from './elmo.parse';
import { sampleTranscript } from './transcript.fixture';

const agreed = (unitId: string, ecvetPoints: number): StoredAgreedUnit => ({
  unitId,
  ecvetPoints,
  learningOutcomeIds: demoUnit(unitId).learningOutcomes.map((o) => o.id),
  learningActivities: 'Workshop',
  assessment: { assessor: 'Master', method: 'Test', plannedOn: '2026-06-10' },
});

const target = (change: Partial<ImportTarget> = {}): ImportTarget => ({
  learningAgreementId: 'rvt.lv:LA-2026-002',
  learner: { id: 'rvt.lv:L-17', name: 'Anna Bērziņa', dateOfBirth: '2007-04-12' },
  host: demoInstitution('cifp-aviles.es'),
  units: [agreed('rvt.lv:WELD-U4', 25), agreed('rvt.lv:WELD-U2', 15)].map((a) => ({
    agreed: a,
    unit: demoUnit(a.unitId),
  })),
  ...change,
});

const rejection = (run: () => unknown): { message: string; extensions: Record<string, unknown> } => {
  try {
    run();
  } catch (error) {
    return error as { message: string; extensions: Record<string, unknown> };
  }
  throw new Error('expected a rejection');
};

describe('ELMO export', () => {
  const xml = buildElmo(sampleTranscript(), '2026-06-21T10:00:00.000Z');

  it('validates against the official schema.xsd, offline, like the official example does', async () => {
    const [ours, example] = await validateElmoDocuments([xml, readThirdParty('elmo', 'examples', 'example.xml')]);
    expect(ours).toEqual({ valid: true, problems: [] });
    expect(example).toEqual({ valid: true, problems: [] });
  });

  it('writes the learner, the host with its country, each unit with result, grade, date, EQF level and ECVET credit, and the LA version', () => {
    expect(xml).toContain('<givenNames>Anna</givenNames>');
    expect(xml).toContain('<familyName>Bērziņa</familyName>');
    expect(xml).toContain('<country>ES</country>');
    expect(xml).toContain('<identifier type="schac">cifp-aviles.es</identifier>');
    expect(xml).toContain('<credit>\n');
    expect(xml).toMatch(/<credit>\s*<scheme>ecvet<\/scheme>\s*<value>25<\/value>\s*<\/credit>/);
    expect(xml).toMatch(
      /<level>\s*<type>EQF<\/type>\s*<description>European Qualifications Framework<\/description>\s*<value>4<\/value>/,
    );
    expect(xml).toMatch(/<status>passed<\/status>\s*<resultLabel>8\/10<\/resultLabel>/);
    expect(xml).toContain('<status>failed</status>');
    expect(xml).toContain('<date>2026-06-10</date>');
    expect(xml).toContain('learningAgreement="rvt.lv:LA-2026-001" learningAgreementVersion="2"');
    expect(xml).toContain('<hub:learningOutcome id="rvt.lv:WELD-U4-LO2" category="');
    expect(xml).toContain('result="NOT_ACHIEVED"');
    expect(xml).toContain('<hub:escoSkill>http://data.europa.eu/esco/skill/');
  });

  it('tells, in a batch, which document fails and on which line', async () => {
    const broken = xml.replace('<bday>2007-04-12</bday>', '<bday>12.04.2007</bday>');
    const [good, bad] = await validateElmoDocuments([xml, broken]);
    expect(good).toEqual({ valid: true, problems: [] });
    expect(bad?.valid).toBe(false);
    expect(bad?.problems[0]).toEqual({
      line: 8,
      message: expect.stringContaining(
        "Element '{https://github.com/emrex-eu/elmo-schemas/tree/v1}bday': '12.04.2007' is not a valid value of the atomic type 'xs:date'",
      ),
    });
  });

  it('escapes text, so a title with markup stays valid', async () => {
    const data = sampleTranscript();
    const unit = data.units[0] as (typeof data.units)[number];
    unit.unit = { ...unit.unit, titles: [{ lang: 'en', value: 'Pipes <DN 50> & "fittings"' }] };
    const [result] = await validateElmoDocuments([buildElmo(data, '2026-06-21T10:00:00.000Z')]);
    expect(result?.valid).toBe(true);
  });
});

describe('ELMO import', () => {
  const xml = buildElmo(sampleTranscript(), '2026-06-21T10:00:00.000Z');

  it('reads back what the export wrote: the same units, points, results, grades, dates and outcome results', () => {
    const entries = mapElmoToAgreement(parseElmo(xml), target());
    expect(entries).toEqual(sampleTranscript().units.map((u) => u.entry));
  });

  it('matches a partner file with no hub identifiers by title, in any language, accents and case ignored', () => {
    const partner = xml
      .replace(/<identifier type="(ecvet-hub|local)">[^<]*<\/identifier>\s*/g, '')
      .replace(
        'Manual metal arc welding with covered electrodes (111)',
        'MANUAL METAL ARC WELDING WITH COVERED ELECTRODES (111)',
      )
      .replace(/<extension>[\s\S]*?<\/extension>/g, '');
    const entries = mapElmoToAgreement(parseElmo(partner), target());
    expect(entries.map((e) => [e.unitId, e.result, e.ecvetPoints, e.grade, e.outcomeResults.length])).toEqual([
      ['rvt.lv:WELD-U4', AssessmentResult.ACHIEVED, 25, '8/10', 0],
      ['rvt.lv:WELD-U2', AssessmentResult.NOT_ACHIEVED, 0, null, 0],
    ]);
  });

  it('refuses another learner, another issuer, an unknown unit and a missing unit, naming them', () => {
    expect(
      rejection(() =>
        mapElmoToAgreement(
          parseElmo(xml),
          target({ learner: { id: 'rvt.lv:L-18', name: 'Pēteris Kalniņš', dateOfBirth: '2006-01-02' } }),
        ),
      ).message,
    ).toMatch(
      /learner "Anna Bērziņa" \(born 2007-04-12\) \[rvt\.lv:L-17\] is not the agreement's learner "Pēteris Kalniņš"/,
    );
    expect(
      rejection(() => mapElmoToAgreement(parseElmo(xml), target({ host: demoInstitution('omnia.fi') }))).message,
    ).toMatch(
      /report issuer "Integrated Vocational Training Centre Avilés" \(schac cifp-aviles\.es\), line \d+ is not the hosting institution omnia\.fi/,
    );
    const unknown = rejection(() => mapElmoToAgreement(parseElmo(xml), target({ units: target().units.slice(1) })));
    expect(unknown.message).toMatch(
      /Learning opportunity "Manual metal arc welding with covered electrodes \(111\)" \(line \d+, ecvet-hub rvt\.lv:WELD-U4, local WELD-U4\) is not a unit of learning agreement rvt\.lv:LA-2026-002/,
    );
    expect(unknown.extensions).toEqual(
      expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'document', line: expect.any(Number) }),
    );
    const u5 = { agreed: agreed('rvt.lv:WELD-U5', 30), unit: demoUnit('rvt.lv:WELD-U5') };
    expect(
      rejection(() => mapElmoToAgreement(parseElmo(xml), target({ units: [...target().units, u5] }))).message,
    ).toMatch(/missing rvt\.lv:WELD-U5/);
  });

  it('rejects the official example for an agreement it does not match, with learner and issuer named', () => {
    const error = rejection(() =>
      mapElmoToAgreement(parseElmo(readThirdParty('elmo', 'examples', 'example.xml')), target()),
    );
    expect(error.message).toContain('does not belong to learning agreement rvt.lv:LA-2026-002');
    expect(error.message).toContain(
      'the learner "Wojciech Łukasz Rygielski" (born 1983-04-12) is not the agreement\'s learner "Anna Bērziņa"',
    );
    expect(error.message).toContain('"University of Warsaw" (pic 999572294, erasmus PL WARSZAW01, schac uw.edu.pl)');
  });

  it('opens degree programmes up and reads an absent status as passed, as ELMO says', () => {
    const file = parseElmo(readThirdParty('elmo', 'examples', 'example.xml'));
    expect(file.reports[0]?.opportunities.map((o) => [o.titles[0]?.value, o.status])).toEqual([
      ['Identifying ectomycorrhizal fungi (KÃ¸benhavns Universitet)', 'passed'],
      ['Budowa kompilatorów', 'passed'],
      ['The importance of <br> in HTML', 'passed'],
    ]);
  });

  it('normalises names and titles for matching', () => {
    expect(normalize('  Bērziņa   ANNA ')).toBe('berzina anna');
    expect(splitName('Pablo García Suárez')).toEqual({ givenNames: 'Pablo García', familyName: 'Suárez' });
    expect(splitName('Madonna')).toEqual({ givenNames: '', familyName: 'Madonna' });
  });
});
