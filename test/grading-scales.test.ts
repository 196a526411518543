import {
  agreementTerms,
  CREATE_LEARNING_AGREEMENT,
  rigaToAvilesAgreement,
  SIGN_LEARNING_AGREEMENT,
} from '../scripts/fixtures/learning-agreements';
import { addDays, today } from '../subgraphs/mobilities/dates';
import { validateEdc } from '../subgraphs/shared/documents/edc-schema';
import { validateElmo } from '../subgraphs/shared/documents/elmo-schema';
import { assessedOn, startDocumentsHub, type DocumentsHub } from './documents-chain';

/**
 * Issue 25 through the gateway: institutions publish grading scales; a learning agreement names the host's scale
 * per unit and agrees criteria per learning outcome, which the learner reads before signing; recordAssessment
 * takes only grades of that scale and derives the result from its pass grade; per-outcome results with evidence
 * reach the transcript, its ELMO and EDC exports (valid against the official schemas) and partial recognition;
 * changing criteria after signing is a new version the parties approve.
 */
let chain: DocumentsHub;
const tokens: Record<string, string> = {};
const SCALE = 'cifp-aviles.es:calificaciones-0-10';
const LA = 'rvt.lv:LA-2026-G1';
const LEARNER = 'rvt.lv:L-25';
const U2 = 'rvt.lv:WELD-U2';
const U6 = 'rvt.lv:WELD-U6';

const criteria = (lang2: string, words: string) => [
  {
    learningOutcomeId: `${U6}-LO1`,
    criteria: [
      {
        texts: [
          { lang: 'en', value: `Fillet weld free of cracks; ${words}` },
          { lang: lang2, value: `Soldadura en ángulo sin grietas; ${words}` },
        ],
      },
    ],
  },
];

function terms(unitCriteria = criteria('es', 'visual test to EN ISO 5817 level C'), scale: string | null = SCALE) {
  const end = addDays(today(), -10);
  const base = agreementTerms(addDays(end, -40), end, [
    [U2, 15],
    [U6, 25],
  ]);
  return {
    ...base,
    units: base.units.map((unit) =>
      unit.unitId === U6
        ? {
            ...unit,
            learningOutcomeIds: [`${U6}-LO1`, `${U6}-LO2`],
            gradingScaleId: scale,
            assessmentCriteria: unitCriteria,
          }
        : { ...unit, gradingScaleId: scale },
    ),
  };
}

const SCALE_FIELDS = 'gradingScale { id title(lang: "es") passGrade grades { value label passing } }';
const CRITERIA_FIELDS = 'assessmentCriteria { learningOutcomeId criteria { text(lang: "es") } }';
const AGREEMENT = `query($id: ID!) { learningAgreement(id: $id) {
  status current { number units { unitId ${SCALE_FIELDS} ${CRITERIA_FIELDS} } }
  pendingChange { number units { unitId ${CRITERIA_FIELDS} } }
  assessments { unitId result grade ecvetPoints achievedLearningOutcomeIds gradingScale { id }
    outcomeResults { learningOutcomeId result evidence } }
} }`;
const RECORD =
  'mutation($i: RecordAssessmentInput!) { recordAssessment(input: $i) { result grade ecvetPoints achievedLearningOutcomeIds } }';

const assessment = (unitId: string, extra: Record<string, unknown>) => ({
  i: {
    learningAgreementId: LA,
    unitId,
    method: 'Practical test piece',
    assessorName: 'Carlos Menéndez',
    assessedOn: assessedOn(),
    ...extra,
  },
});

beforeAll(async () => {
  chain = await startDocumentsHub(['rvt.lv', 'cifp-aviles.es']);
  tokens.rvt = await chain.token('rvt.lv', ['coordinator']);
  tokens.cifp = await chain.token('cifp-aviles.es', ['coordinator']);
  tokens.assessor = await chain.token('cifp-aviles.es', ['assessor']);
  tokens.learner = await chain.token('rvt.lv', ['learner'], LEARNER);
}, 120_000);
afterAll(() => chain?.hub.dispose());

describe('grading scales and assessment criteria', () => {
  it('each institution publishes its national scale, best grade first, with its pass grade (public)', async () => {
    const data = await chain.ok(
      '{ institutions { id gradingScales { id passGrade grades { value label(lang: "en") passing } } } }',
      {},
    );
    const aviles = data.institutions.find((i: { id: string }) => i.id === 'cifp-aviles.es');
    expect(aviles.gradingScales).toHaveLength(1);
    const [scale] = aviles.gradingScales;
    expect(scale.id).toBe(SCALE);
    expect(scale.passGrade).toBe('5');
    expect(scale.grades.map((g: { value: string }) => g.value)).toEqual([
      '10',
      '9',
      '8',
      '7',
      '6',
      '5',
      '4',
      '3',
      '2',
      '1',
      '0',
    ]);
    expect(scale.grades.filter((g: { passing: boolean }) => g.passing)).toHaveLength(6);
    const riga = await chain.ok('query($id: ID!) { gradingScale(id: $id) { passGrade grades { value } } }', {
      id: 'rvt.lv:grades-1-10',
    });
    expect(riga.gradingScale.passGrade).toBe('4');
  });

  it('refuses a scale the host does not publish and criteria for an outcome not agreed, writing nothing', async () => {
    const create = (t: ReturnType<typeof terms>) =>
      chain.request(
        CREATE_LEARNING_AGREEMENT,
        {
          input: rigaToAvilesAgreement(
            'LA-2026-G0',
            { localId: 'L-24', name: 'Anna Bērziņa', dateOfBirth: '2006-01-01' },
            t,
          ),
        },
        tokens.rvt,
      );
    const foreign = await create(terms(undefined, 'rvt.lv:grades-1-10'));
    expect(foreign.body.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect(foreign.body.errors?.[0]?.message).toContain('is not a scale of the hosting institution cifp-aviles.es');
    const missing = await create(terms(undefined, 'cifp-aviles.es:no-such-scale'));
    expect(missing.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const outcome = await create(terms([{ ...criteria('es', 'x')[0]!, learningOutcomeId: `${U6}-LO3` }]));
    expect(outcome.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(outcome.body.errors?.[0]?.message).toContain('is not a learning outcome agreed for the unit');
    const languages = await create(
      terms([
        ...criteria('es', 'x'),
        { learningOutcomeId: `${U6}-LO2`, criteria: [{ texts: [{ lang: 'en', value: 'Only English' }] }] },
      ]),
    );
    expect(languages.body.errors?.[0]?.message).toContain(
      'every criterion of the agreement must be in the same languages',
    );
    const none = await chain.request(
      'query($id: ID!) { learningAgreement(id: $id) { id } }',
      { id: 'rvt.lv:LA-2026-G0' },
      tokens.rvt,
    );
    expect(none.body.data?.learningAgreement).toBeNull();
  });

  it('the learner reads the scale and the criteria before signing, and the agreement is signed with them', async () => {
    await chain.ok(
      CREATE_LEARNING_AGREEMENT,
      {
        input: rigaToAvilesAgreement(
          'LA-2026-G1',
          { localId: 'L-25', name: 'Marta Liepa', dateOfBirth: '2006-05-05' },
          terms(),
        ),
      },
      tokens.rvt,
    );
    const seen = (await chain.ok(AGREEMENT, { id: LA }, tokens.learner)).learningAgreement;
    expect(seen.status).toBe('DRAFT');
    const u6 = seen.current.units.find((u: { unitId: string }) => u.unitId === U6);
    expect(u6.gradingScale.title).toBe('Calificaciones de 0 a 10 (Formación Profesional)');
    expect(u6.gradingScale.grades[0]).toEqual({ value: '10', label: 'outstanding', passing: true });
    expect(u6.assessmentCriteria).toEqual([
      {
        learningOutcomeId: `${U6}-LO1`,
        criteria: [{ text: 'Soldadura en ángulo sin grietas; visual test to EN ISO 5817 level C' }],
      },
    ]);
    await chain.ok(SIGN_LEARNING_AGREEMENT, { id: LA, n: 'Jānis Ozols', p: 'Coordinator' }, tokens.rvt);
    await chain.ok(SIGN_LEARNING_AGREEMENT, { id: LA, n: 'Lucía Fernández', p: 'Jefa de estudios' }, tokens.cifp);
    await chain.ok(SIGN_LEARNING_AGREEMENT, { id: LA, n: 'Marta Liepa', p: 'learner' }, tokens.learner);
    expect((await chain.ok(AGREEMENT, { id: LA }, tokens.rvt)).learningAgreement.status).toBe('SIGNED');
  });

  it('refuses a grade off the agreed scale, naming the scale and its grades, and records nothing', async () => {
    const answer = await chain.request(RECORD, assessment(U2, { grade: '8/10', result: 'ACHIEVED' }), tokens.assessor);
    expect(answer.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(answer.body.errors?.[0]?.message).toBe(
      `input.grade "8/10" is not a grade of the agreed scale ${SCALE} (Spanish VET grades 0–10): allowed grades are 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0`,
    );
    expect((await chain.ok(AGREEMENT, { id: LA }, tokens.rvt)).learningAgreement.assessments).toEqual([]);
  });

  it('a grade below the pass grade is NOT_ACHIEVED and credits nothing; one that contradicts a result is refused', async () => {
    const contradicted = await chain.request(
      RECORD,
      assessment(U2, { grade: '4', result: 'ACHIEVED' }),
      tokens.assessor,
    );
    expect(contradicted.body.errors?.[0]?.message).toContain('input.result ACHIEVED contradicts grade 4');
    const recorded = await chain.ok(RECORD, assessment(U2, { grade: '4' }), tokens.assessor);
    expect(recorded.recordAssessment).toEqual({
      result: 'NOT_ACHIEVED',
      grade: '4',
      ecvetPoints: 0,
      achievedLearningOutcomeIds: [],
    });
    const assessments = (await chain.ok(AGREEMENT, { id: LA }, tokens.rvt)).learningAgreement.assessments;
    const corrected = await chain.request(
      `mutation($id: ID!) { correctAssessment(id: $id, input: { grade: "4,5", assessedOn: "${assessedOn()}", reason: "Re-marked" }) { revision } }`,
      {
        id: (
          await chain.ok(
            'query($id: ID!) { learningAgreement(id: $id) { assessments { id } } }',
            { id: LA },
            tokens.rvt,
          )
        ).learningAgreement.assessments[0].id,
      },
      tokens.assessor,
    );
    expect(corrected.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(corrected.body.errors?.[0]?.message).toContain('input.grade "4,5" is not a grade of the agreed scale');
    expect((await chain.ok(AGREEMENT, { id: LA }, tokens.rvt)).learningAgreement.assessments).toEqual(assessments);
  });

  it('per-outcome results with evidence name the outcomes achieved, beside the unit result', async () => {
    const recorded = await chain.ok(
      RECORD,
      assessment(U6, {
        grade: '7',
        result: 'ACHIEVED',
        outcomeResults: [
          { learningOutcomeId: `${U6}-LO1`, result: 'ACHIEVED', evidence: 'Test piece 3 passed the visual test' },
          { learningOutcomeId: `${U6}-LO2`, result: 'NOT_ACHIEVED', evidence: 'Porosity in the root pass' },
        ],
      }),
      tokens.assessor,
    );
    expect(recorded.recordAssessment).toEqual({
      result: 'ACHIEVED',
      grade: '7',
      ecvetPoints: 25,
      achievedLearningOutcomeIds: [`${U6}-LO1`],
    });
    const seen = (await chain.ok(AGREEMENT, { id: LA }, tokens.learner)).learningAgreement;
    const u6 = seen.assessments.find((a: { unitId: string }) => a.unitId === U6);
    expect(u6.gradingScale).toEqual({ id: SCALE });
    expect(u6.outcomeResults[1]).toEqual({
      learningOutcomeId: `${U6}-LO2`,
      result: 'NOT_ACHIEVED',
      evidence: 'Porosity in the root pass',
    });
  });

  it('the transcript carries scale, criteria and per-outcome results; its ELMO and EDC exports validate', async () => {
    await chain.ok(
      'mutation($id: ID!) { issueTranscript(learningAgreementId: $id, issuedBy: "Lucía Fernández") { version } }',
      { id: LA },
      tokens.cifp,
    );
    const data = await chain.ok(
      `query($id: ID!) { transcript(learningAgreementId: $id) {
        entries { unitId grade ${SCALE_FIELDS} ${CRITERIA_FIELDS} outcomeResults { learningOutcomeId result evidence } }
        elmo: document(format: ELMO) { content } edc: document(format: EDC) { content } } }`,
      { id: LA },
      tokens.rvt,
    );
    const entry = data.transcript.entries.find((e: { unitId: string }) => e.unitId === U6);
    expect(entry.gradingScale.id).toBe(SCALE);
    expect(entry.assessmentCriteria[0].learningOutcomeId).toBe(`${U6}-LO1`);
    expect(entry.outcomeResults.map((o: { evidence: string }) => o.evidence)).toEqual([
      'Test piece 3 passed the visual test',
      'Porosity in the root pass',
    ]);
    const elmo = data.transcript.elmo.content as string;
    expect(await validateElmo(elmo)).toEqual({ valid: true, problems: [] });
    expect(elmo).toContain(`<gradingSchemeLocalId>${SCALE}</gradingSchemeLocalId>`);
    expect(elmo).toContain(`<gradingScheme localId="${SCALE}">`);
    expect(elmo).toContain('Spanish VET grades 0–10');
    expect(elmo).toContain('Porosity in the root pass');
    const edc = JSON.parse(data.transcript.edc.content as string);
    expect(validateEdc(edc)).toEqual({ valid: true, problems: [] });
    const text = JSON.stringify(edc);
    expect(text).toContain('gradingScheme');
    expect(text).toContain('Soldadura en ángulo sin grietas');
  });

  it('partial recognition can offer exactly the outcomes achieved', async () => {
    await chain.ok(
      'mutation($id: ID!) { validateTranscript(learningAgreementId: $id) { id } }',
      { id: LA },
      tokens.rvt,
    );
    const achieved = (await chain.ok(AGREEMENT, { id: LA }, tokens.rvt)).learningAgreement.assessments.find(
      (a: { unitId: string }) => a.unitId === U6,
    ).achievedLearningOutcomeIds;
    const decided = await chain.ok(
      `mutation($input: RecognizeUnitsInput!) { recognizeUnits(input: $input) { unitId decision recognisedOutcomeIds } }`,
      {
        input: {
          learningAgreementId: LA,
          idempotencyKey: 'grading-LA-2026-G1',
          decisions: [
            { unitId: U6, decision: 'PARTIALLY_RECOGNISED', learningOutcomeIds: achieved },
            { unitId: U2, decision: 'REFUSED', reason: 'Not achieved abroad (grade 4 of 10)' },
          ],
        },
      },
      tokens.rvt,
    );
    expect(decided.recognizeUnits[0]).toEqual({
      unitId: U6,
      decision: 'PARTIALLY_RECOGNISED',
      recognisedOutcomeIds: [`${U6}-LO1`],
    });
  });

  it('changing the criteria after signing is a new version: binding only once every party approved it', async () => {
    const propose = `mutation($id: ID!, $terms: AgreementTermsInput!) { proposeLearningAgreementChange(id: $id, reason: "Stricter criterion",
      terms: $terms, signature: { signerName: "Jānis Ozols", signerPosition: "Coordinator" }) { id } }`;
    await chain.ok(propose, { id: LA, terms: terms(criteria('es', 'visual test to EN ISO 5817 level B')) }, tokens.rvt);
    const pending = (await chain.ok(AGREEMENT, { id: LA }, tokens.rvt)).learningAgreement;
    const text = (version: {
      units: Array<{ unitId: string; assessmentCriteria: Array<{ criteria: Array<{ text: string }> }> }>;
    }) => version.units.find((u) => u.unitId === U6)?.assessmentCriteria[0]?.criteria[0]?.text;
    expect(pending.current.number).toBe(1);
    expect(text(pending.current)).toContain('level C');
    expect(text(pending.pendingChange)).toContain('level B');
    const approve =
      'mutation($id: ID!, $n: String!, $p: String!) { approveLearningAgreementChange(id: $id, signature: { signerName: $n, signerPosition: $p }) { id } }';
    await chain.ok(approve, { id: LA, n: 'Lucía Fernández', p: 'Jefa de estudios' }, tokens.cifp);
    expect(text((await chain.ok(AGREEMENT, { id: LA }, tokens.rvt)).learningAgreement.current)).toContain('level C');
    await chain.ok(approve, { id: LA, n: 'Marta Liepa', p: 'learner' }, tokens.learner);
    const approved = (await chain.ok(AGREEMENT, { id: LA }, tokens.rvt)).learningAgreement;
    expect(approved.current.number).toBe(2);
    expect(text(approved.current)).toContain('level B');
  });

  it('a coordinator replaces a published scale: readers see it at once, the signed agreement keeps its copy', async () => {
    const publish =
      'mutation($input: PublishGradingScaleInput!) { publishGradingScale(input: $input) { id passGrade } }';
    const grades = Array.from({ length: 11 }, (_, i) => ({
      value: String(10 - i),
      labels: [{ lang: 'en', value: 10 - i >= 6 ? 'pass' : 'fail' }],
    }));
    const input = {
      localId: 'calificaciones-0-10',
      titles: [{ lang: 'en', value: 'Spanish VET grades 0–10' }],
      grades,
    };
    const READ = '{ institution(id: "cifp-aviles.es") { gradingScales { id passGrade } } }';
    expect((await chain.ok(READ, {})).institution.gradingScales).toEqual([{ id: SCALE, passGrade: '5' }]);
    const forbidden = await chain.request(publish, { input: { ...input, passGrade: '6' } }, tokens.assessor);
    expect(forbidden.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const off = await chain.request(publish, { input: { ...input, passGrade: '11' } }, tokens.cifp);
    expect(off.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(off.body.errors?.[0]?.message).toContain('input.passGrade "11" is not one of the grades');
    expect((await chain.ok(publish, { input: { ...input, passGrade: '6' } }, tokens.cifp)).publishGradingScale).toEqual(
      {
        id: SCALE,
        passGrade: '6',
      },
    );
    expect((await chain.ok(READ, {})).institution.gradingScales).toEqual([{ id: SCALE, passGrade: '6' }]);
    const agreed = (await chain.ok(AGREEMENT, { id: LA }, tokens.rvt)).learningAgreement.current.units;
    expect(agreed.map((u: { gradingScale: { passGrade: string } }) => u.gradingScale.passGrade)).toEqual(['5', '5']);
  });
});
