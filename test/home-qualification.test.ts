import { agreementTerms, SIGN_LEARNING_AGREEMENT } from '../scripts/fixtures/learning-agreements';
import { addDays, today } from '../subgraphs/mobilities/dates';
import { startTestHub, type GraphQLAnswer, type TestHub } from './harness/hub';
import { socketClient } from './harness/socket-client';
import { validateEdc } from '../subgraphs/shared/documents/edc-schema';
import { validateElmoDocuments } from '../subgraphs/shared/documents/elmo-schema';

/**
 * Units from abroad count toward the home qualification, through the gateway only, with a new learner and new units:
 * a memorandum with a correspondence table (suggested from compareUnits), an agreement that takes what each unit
 * will be recognised as from it, assessment and transcript abroad, validation, one full and one partial recognition,
 * a unit achieved at home; the learner record per home unit; a revision that completes the qualification and is
 * followed by the learner's subscription. Bad correspondences, agreements and decisions change nothing.
 */
let hub: TestHub;
const tokens: Record<string, string> = {};
beforeAll(async () => {
  hub = await startTestHub({
    institutions: ['rvt.lv', 'bbs-hannover.de', 'omnia.fi'],
    mobilities: true,
    recognition: true,
  });
  tokens.rvt = await hub.token('rvt.lv', ['coordinator']);
  tokens.bbs = await hub.token('bbs-hannover.de', ['coordinator']);
  tokens.bbsAssessor = await hub.token('bbs-hannover.de', ['assessor']);
  tokens.rvtAssessor = await hub.token('rvt.lv', ['assessor']);
  tokens.learner = await hub.token('rvt.lv', ['learner'], 'rvt.lv:L-900');
}, 120_000);
afterAll(async () => hub?.dispose());

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the test walks deep answers whose shape each assertion states anyway.
async function ok(query: string, variables: Record<string, unknown>, token?: string): Promise<Record<string, any>> {
  const answer = await hub.request(query, variables, token);
  expect(answer.body.errors).toBeUndefined();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as the signature says
  return answer.body.data as Record<string, any>;
}

function refused(answer: GraphQLAnswer, code: string, message: RegExp, field?: string): void {
  expect(answer.body.errors?.[0]?.extensions?.code).toBe(code);
  expect(answer.body.errors?.[0]?.message).toMatch(message);
  if (field) expect(answer.body.errors?.[0]?.extensions?.field).toBe(field);
}

const SKILL = (n: number) =>
  [
    'http://data.europa.eu/esco/skill/24a39c1b-b8cc-4210-8b74-b388a90e8f59',
    'http://data.europa.eu/esco/skill/9c0f93f7-2592-4d4d-9673-fd640502345f',
    'http://data.europa.eu/esco/skill/5bcec244-3efe-45ac-8891-0ab4a91e9c48',
    'http://data.europa.eu/esco/skill/0b3930a2-8a13-4932-8a09-4c72ec8af464',
  ][n] as string;

const HOME = 'rvt.lv:HQ-ELEC';
const [U1, U2, U3, U4, U5] = ['rvt.lv:HQ-U1', 'rvt.lv:HQ-U2', 'rvt.lv:HQ-U3', 'rvt.lv:HQ-U4', 'rvt.lv:HQ-U5'];
const [B1, B2] = ['bbs-hannover.de:HQ-B1', 'bbs-hannover.de:HQ-B2'];
const MOU = 'rvt.lv:MOU-HQ';
const LA = 'rvt.lv:LA-HQ-1';
const start = addDays(today(), -40);
const end = addDays(today(), -5);

async function qualification(token: string, localId: string, points: number): Promise<void> {
  await ok(
    'mutation($input: CreateQualificationInput!) { createQualification(input: $input) { id } }',
    {
      input: {
        localId,
        titles: [{ lang: 'en', value: `Electrician ${localId}` }],
        eqfLevel: 4,
        iscedCode: '0713',
        ecvetPoints: points,
      },
    },
    token,
  );
}

async function unit(token: string, qualificationId: string, localId: string, points: number, skills: number[][]) {
  await ok(
    'mutation($input: CreateUnitInput!) { createUnit(input: $input) { id } }',
    {
      input: {
        qualificationId,
        localId,
        titles: [{ lang: 'en', value: `Unit ${localId}` }],
        eqfLevel: 4,
        ecvetPoints: points,
        validFrom: '2025-01-01',
        learningOutcomes: skills.map((outcome, index) => ({
          category: 'SKILLS',
          statements: [{ lang: 'en', value: `Outcome ${index + 1} of ${localId}` }],
          escoSkills: outcome.map(SKILL),
        })),
      },
    },
    token,
  );
}

test('new units at home and abroad; the hub suggests which home unit a unit from abroad could stand for', async () => {
  await qualification(tokens.rvt as string, 'HQ-ELEC', 50);
  await unit(tokens.rvt as string, HOME, 'HQ-U1', 10, [[0], [1]]);
  await unit(tokens.rvt as string, HOME, 'HQ-U2', 10, [[2], [3], [], []]);
  await unit(tokens.rvt as string, HOME, 'HQ-U3', 10, [[]]);
  await unit(tokens.rvt as string, HOME, 'HQ-U4', 10, [[], []]);
  await unit(tokens.rvt as string, HOME, 'HQ-U5', 10, [[]]);
  await qualification(tokens.bbs as string, 'HQ-EL', 30);
  await unit(tokens.bbs as string, 'bbs-hannover.de:HQ-EL', 'HQ-B1', 10, [[0], [1]]);
  await unit(tokens.bbs as string, 'bbs-hannover.de:HQ-EL', 'HQ-B2', 8, [[2]]);
  const suggested = await ok(
    '{ suggestCorrespondences(hostUnitId: "bbs-hannover.de:HQ-B1", homeQualificationId: "rvt.lv:HQ-ELEC") { homeUnitId score suggestedCoverage } }',
    {},
  );
  expect(suggested.suggestCorrespondences[0]).toEqual(
    expect.objectContaining({ homeUnitId: U1, suggestedCoverage: 'FULL' }),
  );
  expect(suggested.suggestCorrespondences[0].score).toBeGreaterThan(0.75);
  refused(
    await hub.request('{ suggestCorrespondences(hostUnitId: "x", homeQualificationId: "rvt.lv:HQ-ELEC") { score } }'),
    'BAD_USER_INPUT',
    /hostUnitId/,
  );
});

const PROPOSE = `mutation($input: ProposeMemorandumInput!) { proposeMemorandum(input: $input) {
  id contentHash correspondences { hostUnitIds homeUnitIds homeOutcomeIds coverage comparisonScore homeUnits { id title } } } }`;
const full = { hostUnitIds: [B1], homeUnitIds: [U1], coverage: 'FULL' };
const partial = {
  hostUnitIds: [B2],
  homeUnitIds: [U2],
  homeOutcomeIds: [`${U2}-LO1`, `${U2}-LO2`],
  coverage: 'PARTIAL',
};
const memorandum = (correspondences: unknown[]) => ({
  localId: 'MOU-HQ',
  titles: [{ lang: 'en', value: 'Electricians Riga–Hannover' }],
  partners: ['bbs-hannover.de'],
  qualificationIds: [HOME, 'bbs-hannover.de:HQ-EL'],
  procedures: {
    assessment: 'By the host',
    documentation: 'Transcript',
    validation: 'By the sender',
    recognition: 'As the table says',
  },
  validFrom: '2025-01-01',
  validUntil: '2028-12-31',
  correspondences,
});

test('a correspondence naming a unit of neither partner, a home unit outside the covered qualifications or foreign outcomes is refused; nothing is written', async () => {
  const cases: Array<[unknown, RegExp, string]> = [
    [
      { ...full, hostUnitIds: ['omnia.fi:COOK-U1'] },
      /omnia\.fi, which is not a partner/,
      'input.correspondences[0].hostUnitIds[0]',
    ],
    [
      { ...full, homeUnitIds: ['rvt.lv:WELD-U1'] },
      /belongs to rvt\.lv:WELD, which is not a qualification the memorandum covers/,
      'input.correspondences[0].homeUnitIds[0]',
    ],
    [
      { ...partial, homeOutcomeIds: [`${U1}-LO1`] },
      /is not a learning outcome of the named home units/,
      'input.correspondences[0].homeOutcomeIds[0]',
    ],
    [
      { ...partial, homeOutcomeIds: [] },
      /must name the home learning outcomes/,
      'input.correspondences[0].homeOutcomeIds',
    ],
  ];
  for (const [line, message, field] of cases)
    refused(await hub.request(PROPOSE, { input: memorandum([line]) }, tokens.rvt), 'BAD_USER_INPUT', message, field);
  expect((await ok('query($id: ID!) { memorandum(id: $id) { id } }', { id: MOU }, tokens.rvt)).memorandum).toBeNull();
});

test('the memorandum carries the correspondence table, with the comparison score as evidence, in its signed text', async () => {
  const proposed = (await ok(PROPOSE, { input: memorandum([full, partial]) }, tokens.rvt)).proposeMemorandum;
  expect(proposed.correspondences).toEqual([
    expect.objectContaining({ hostUnitIds: [B1], homeUnitIds: [U1], homeOutcomeIds: [], coverage: 'FULL' }),
    expect.objectContaining({ hostUnitIds: [B2], homeOutcomeIds: [`${U2}-LO1`, `${U2}-LO2`], coverage: 'PARTIAL' }),
  ]);
  expect(proposed.correspondences[0].comparisonScore).toBeGreaterThan(0.75);
  expect(proposed.correspondences[0].homeUnits).toEqual([{ id: U1, title: 'Unit HQ-U1' }]);
  const sign =
    'mutation($id: ID!, $h: String!) { signMemorandum(id: $id, contentHash: $h, signature: { signerName: "N", signerPosition: "Director" }) { status } }';
  await ok(sign, { id: MOU, h: proposed.contentHash }, tokens.bbs);
  expect((await ok(sign, { id: MOU, h: proposed.contentHash }, tokens.rvt)).signMemorandum.status).toBe('IN_EFFECT');
});

const CREATE = `mutation($input: CreateLearningAgreementInput!) { createLearningAgreement(input: $input) {
  id current { units { unitId recognisedAs { homeUnitIds homeOutcomeIds coverage source } } } } }`;
const agreement = (units: Array<Record<string, unknown>>) => {
  const terms = agreementTerms(start, end, [
    [B1, 10],
    [B2, 8],
  ]);
  return {
    localId: 'LA-HQ-1',
    hostingInstitution: 'bbs-hannover.de',
    memorandumId: MOU,
    learner: {
      localId: 'L-900',
      name: 'Ilze Kalniņa',
      dateOfBirth: '2007-02-01',
      email: 'ilze@example.lv',
      homeQualificationId: HOME,
      progress: '2nd year',
    },
    sendingContact: { name: 'J', position: 'Coordinator', email: 'j@example.lv' },
    hostingContact: { name: 'K', position: 'Koordinatorin', email: 'k@example.de' },
    terms: { ...terms, units: terms.units.map((u, i) => ({ ...u, ...units[i] })) },
  };
};

test('the agreement states per unit what it will be recognised as, from the memorandum; a unit outside the home qualification is refused', async () => {
  refused(
    await hub.request(
      CREATE,
      { input: agreement([{ recognisedAs: { homeUnitIds: ['rvt.lv:WELD-U1'], coverage: 'FULL' } }]) },
      tokens.rvt,
    ),
    'BAD_USER_INPUT',
    /is not a unit of the learner's home qualification rvt\.lv:HQ-ELEC/,
    'input.terms.units[0].recognisedAs.homeUnitIds[0]',
  );
  const created = (await ok(CREATE, { input: agreement([]) }, tokens.rvt)).createLearningAgreement;
  expect(created.current.units).toEqual([
    { unitId: B1, recognisedAs: { homeUnitIds: [U1], homeOutcomeIds: [], coverage: 'FULL', source: 'MEMORANDUM' } },
    {
      unitId: B2,
      recognisedAs: {
        homeUnitIds: [U2],
        homeOutcomeIds: [`${U2}-LO1`, `${U2}-LO2`],
        coverage: 'PARTIAL',
        source: 'MEMORANDUM',
      },
    },
  ]);
  await ok(SIGN_LEARNING_AGREEMENT, { id: LA, n: 'J', p: 'Coordinator' }, tokens.rvt);
  await ok(SIGN_LEARNING_AGREEMENT, { id: LA, n: 'K', p: 'Koordinatorin' }, tokens.bbs);
  await ok(SIGN_LEARNING_AGREEMENT, { id: LA, n: 'Ilze Kalniņa', p: 'learner' }, tokens.learner);
});

test('assessed and documented abroad, validated at home', async () => {
  for (const unitId of [B1, B2])
    await ok(
      'mutation($i: RecordAssessmentInput!) { recordAssessment(input: $i) { id } }',
      {
        i: {
          learningAgreementId: LA,
          unitId,
          result: 'ACHIEVED',
          method: 'Practical test',
          assessorName: 'M. Schulz',
          assessedOn: addDays(end, -2),
        },
      },
      tokens.bbsAssessor,
    );
  await ok(
    'mutation($id: ID!) { issueTranscript(learningAgreementId: $id, issuedBy: "K") { version } }',
    { id: LA },
    tokens.bbs,
  );
  await ok('mutation($id: ID!) { validateTranscript(learningAgreementId: $id) { id } }', { id: LA }, tokens.rvt);
});

test('the ELMO transcript states, per unit, what the agreement says it will be recognised as at home, valid against the official schema', async () => {
  const { learningAgreement } = await ok(
    'query($id: ID!) { learningAgreement(id: $id) { transcripts { document(format: ELMO) { content } } } }',
    { id: LA },
    tokens.rvt,
  );
  const [transcript] = learningAgreement.transcripts;
  const xml = transcript.document.content as string;
  expect((await validateElmoDocuments([xml])).map((r) => r.problems)).toEqual([[]]);
  const recognisedAs = [...xml.matchAll(/<hub:recognisedAs [\s\S]*?<\/hub:recognisedAs>/g)].map((m) => m[0]);
  expect(recognisedAs).toHaveLength(2);
  expect(recognisedAs[0]).toMatch(/coverage="FULL" source="MEMORANDUM"/);
  expect(recognisedAs[0]).toMatch(
    new RegExp(`<hub:homeUnit id="${U1}">\\s*<hub:title xml:lang="en">Unit HQ-U1</hub:title>`),
  );
  expect(recognisedAs[1]).toMatch(/coverage="PARTIAL"/);
  expect([...(recognisedAs[1] ?? '').matchAll(/<hub:homeOutcome id="([^"]+)"/g)].map((m) => m[1])).toEqual([
    `${U2}-LO1`,
    `${U2}-LO2`,
  ]);
});

const RECOGNIZE = `mutation($input: RecognizeUnitsInput!) { recognizeUnits(input: $input) {
  id unitId decision ecvetPoints homeUnitIds homeOutcomeIds overrideReason homeUnits { title } } }`;

test('a decision crediting what the agreement did not foresee needs a reason; one full and one partial recognition credit home units', async () => {
  const bad: Array<[Record<string, unknown>, RegExp, string]> = [
    [
      { unitId: B1, decision: 'RECOGNISED', homeUnitIds: [U3] },
      /overrideReason is required .* \(it foresaw rvt\.lv:HQ-U1\)/,
      'input.decisions[0].overrideReason',
    ],
    [
      { unitId: B1, decision: 'RECOGNISED', homeUnitIds: ['rvt.lv:WELD-U1'], overrideReason: 'x' },
      /is not a unit of the home qualification rvt\.lv:HQ-ELEC/,
      'input.decisions[0].homeUnitIds[0]',
    ],
    [
      { unitId: B1, decision: 'RECOGNISED', homeOutcomeIds: [`${U2}-LO1`] },
      /is not a learning outcome of the home units rvt\.lv:HQ-U1/,
      'input.decisions[0].homeOutcomeIds[0]',
    ],
    [
      { unitId: B2, decision: 'PARTIALLY_RECOGNISED', learningOutcomeIds: [`${B2}-LO1`] },
      /homeOutcomeIds must name the home learning outcomes a partial recognition of bbs-hannover\.de:HQ-B2 credits/,
      'input.decisions[0].homeOutcomeIds',
    ],
  ];
  for (const [decision, message, field] of bad)
    refused(
      await hub.request(
        RECOGNIZE,
        { input: { learningAgreementId: LA, idempotencyKey: 'bad', decisions: [decision] } },
        tokens.rvt,
      ),
      'BAD_USER_INPUT',
      message,
      field,
    );
  const decided = await ok(
    RECOGNIZE,
    {
      input: {
        learningAgreementId: LA,
        idempotencyKey: 'hq-1',
        decisions: [
          { unitId: B1, decision: 'RECOGNISED' },
          {
            unitId: B2,
            decision: 'PARTIALLY_RECOGNISED',
            learningOutcomeIds: [`${B2}-LO1`],
            homeOutcomeIds: [`${U2}-LO1`, `${U2}-LO2`],
          },
        ],
      },
    },
    tokens.rvt,
  );
  expect(decided.recognizeUnits.map((d: Record<string, unknown>) => ({ ...d, id: undefined }))).toEqual([
    {
      id: undefined,
      unitId: B1,
      decision: 'RECOGNISED',
      ecvetPoints: 10,
      homeUnitIds: [U1],
      homeOutcomeIds: [],
      overrideReason: null,
      homeUnits: [{ title: 'Unit HQ-U1' }],
    },
    {
      id: undefined,
      unitId: B2,
      decision: 'PARTIALLY_RECOGNISED',
      ecvetPoints: 5,
      homeUnitIds: [U2],
      homeOutcomeIds: [`${U2}-LO1`, `${U2}-LO2`],
      overrideReason: null,
      homeUnits: [{ title: 'Unit HQ-U2' }],
    },
  ]);
  await ok(
    'mutation($i: HomeCreditInput!) { recordHomeCredit(input: $i) { unitId } }',
    { i: { learnerId: 'rvt.lv:L-900', unitId: U3, achievedOn: addDays(today(), -100) } },
    tokens.rvt,
  );
});

const HOME_LEARNING = `mutation($i: RecognizeHomeLearningInput!) { recognizeHomeLearning(input: $i) {
  id route decision ecvetPoints homeUnitIds sourceUnitId } }`;
const priorLearning = {
  learnerId: 'rvt.lv:L-900',
  idempotencyKey: 'vpl-L-900-1',
  route: 'PRIOR_LEARNING',
  qualificationId: HOME,
  achievedAt: 'Two summers as an electrician’s helper at a building company',
  evidence: 'Employer statement and a photo log of installations',
  method: 'Practical demonstration and interview',
  assessorName: 'A. Bērziņš',
  decision: 'RECOGNISED',
  homeUnitIds: [U4],
};

test('a unit validated from prior learning and one by transfer credit the same record through the same decision model', async () => {
  const bad: Array<[Record<string, unknown>, string, string, RegExp]> = [
    [
      { evidence: ' ' },
      tokens.rvtAssessor as string,
      'BAD_USER_INPUT',
      /input\.evidence is required to validate prior learning/,
    ],
    [
      { homeUnitIds: ['rvt.lv:WELD-U1'] },
      tokens.rvtAssessor as string,
      'BAD_USER_INPUT',
      /is not a unit of the qualification rvt\.lv:HQ-ELEC/,
    ],
    [
      { homeOutcomeIds: [`${U5}-LO1`] },
      tokens.rvtAssessor as string,
      'BAD_USER_INPUT',
      /is not a learning outcome of the units rvt\.lv:HQ-U4/,
    ],
    [{}, tokens.rvt as string, 'FORBIDDEN', /Only a assessor of rvt\.lv/],
  ];
  for (const [change, token, code, message] of bad)
    refused(await hub.request(HOME_LEARNING, { i: { ...priorLearning, ...change } }, token), code, message);
  const vpl = (await ok(HOME_LEARNING, { i: priorLearning }, tokens.rvtAssessor)).recognizeHomeLearning;
  expect(vpl).toEqual(
    expect.objectContaining({ route: 'PRIOR_LEARNING', decision: 'RECOGNISED', ecvetPoints: 10, homeUnitIds: [U4] }),
  );
  // A retry under the same key gets the same decision and writes nothing; the key with another request is refused.
  expect((await ok(HOME_LEARNING, { i: priorLearning }, tokens.rvtAssessor)).recognizeHomeLearning).toEqual(vpl);
  refused(
    await hub.request(HOME_LEARNING, { i: { ...priorLearning, method: 'Interview only' } }, tokens.rvtAssessor),
    'CONFLICT',
    /input\.idempotencyKey "vpl-L-900-1" was used for a different request/,
    'input.idempotencyKey',
  );
  const HOME_RECOGNITIONS = 'query { learnerRecord(learnerId: "rvt.lv:L-900") { homeRecognitions { id } } }';
  expect((await ok(HOME_RECOGNITIONS, {}, tokens.rvt)).learnerRecord.homeRecognitions).toEqual([{ id: vpl.id }]);
  refused(
    await hub.request(
      HOME_LEARNING,
      { i: { ...priorLearning, route: 'TRANSFER', homeUnitIds: [U5] } },
      tokens.rvtAssessor,
    ),
    'FORBIDDEN',
    /Only a coordinator of rvt\.lv may decide on transfers/,
  );
  const transfer = (
    await ok(
      HOME_LEARNING,
      {
        i: {
          learnerId: 'rvt.lv:L-900',
          idempotencyKey: 'transfer-L-900-1',
          route: 'TRANSFER',
          qualificationId: HOME,
          sourceUnitId: 'rvt.lv:WELD-U1',
          achievedAt: 'Welder programme at Riga State Technical School, 2024',
          decision: 'RECOGNISED',
          homeUnitIds: [U5],
        },
      },
      tokens.rvt,
    )
  ).recognizeHomeLearning;
  refused(
    await hub.request(
      HOME_LEARNING,
      {
        i: {
          learnerId: 'rvt.lv:L-900',
          idempotencyKey: 'transfer-L-900-2',
          route: 'TRANSFER',
          qualificationId: HOME,
          sourceUnitId: B1,
          achievedAt: 'BBS Hannover',
          decision: 'RECOGNISED',
          homeUnitIds: [U3],
        },
      },
      tokens.rvt,
    ),
    'BAD_USER_INPUT',
    /input\.sourceUnitId must be a unit of an institution in the home country LV: .* \(DE\)/,
    'input.sourceUnitId',
  );
  expect((await ok(HOME_RECOGNITIONS, {}, tokens.rvt)).learnerRecord.homeRecognitions).toHaveLength(2);
  expect(transfer).toEqual(
    expect.objectContaining({ route: 'TRANSFER', ecvetPoints: 10, sourceUnitId: 'rvt.lv:WELD-U1' }),
  );
});

const RECORD = `query { learnerRecord(learnerId: "rvt.lv:L-900") { qualifications {
  qualificationId requiredEcvetPoints accumulatedEcvetPoints missingEcvetPoints missingUnitIds complete
  credits { unitId unit { title } achievedAsUnitId source ecvetPoints creditedOutcomeIds }
  units { unitId status source unitEcvetPoints creditedEcvetPoints decisionIds missingOutcomeIds } } } }`;

test('the learner record lists each home unit as recognised, partly achieved (with the missing outcomes) or achieved at home', async () => {
  const [progress] = (await ok(RECORD, {}, tokens.learner)).learnerRecord.qualifications;
  expect(progress).toEqual(
    expect.objectContaining({
      qualificationId: HOME,
      requiredEcvetPoints: 50,
      accumulatedEcvetPoints: 45,
      missingEcvetPoints: 5,
      missingUnitIds: [],
      complete: false,
    }),
  );
  expect(progress.credits).toEqual(
    expect.arrayContaining([
      {
        unitId: U1,
        unit: { title: 'Unit HQ-U1' },
        achievedAsUnitId: B1,
        source: 'ABROAD',
        ecvetPoints: 10,
        creditedOutcomeIds: null,
      },
      {
        unitId: U2,
        unit: { title: 'Unit HQ-U2' },
        achievedAsUnitId: B2,
        source: 'ABROAD',
        ecvetPoints: 5,
        creditedOutcomeIds: [`${U2}-LO1`, `${U2}-LO2`],
      },
      {
        unitId: U3,
        unit: { title: 'Unit HQ-U3' },
        achievedAsUnitId: null,
        source: 'HOME',
        ecvetPoints: 10,
        creditedOutcomeIds: null,
      },
    ]),
  );
  expect(
    progress.units.map((u: Record<string, unknown>) => [
      u.unitId,
      u.status,
      u.creditedEcvetPoints,
      u.missingOutcomeIds,
    ]),
  ).toEqual([
    [U1, 'RECOGNISED', 10, []],
    [U2, 'PARTLY_ACHIEVED', 5, [`${U2}-LO3`, `${U2}-LO4`]],
    [U3, 'ACHIEVED_AT_HOME', 10, []],
    [U4, 'RECOGNISED', 10, []],
    [U5, 'RECOGNISED', 10, []],
  ]);
  expect(progress.units.map((u: { source: string }) => u.source)).toEqual([
    'ABROAD',
    'ABROAD',
    'HOME',
    'PRIOR_LEARNING',
    'TRANSFER',
  ]);
  expect(progress.credits).toContainEqual(
    expect.objectContaining({ unitId: U5, source: 'TRANSFER', achievedAsUnitId: 'rvt.lv:WELD-U1' }),
  );
  expect(progress.units[0].decisionIds).toHaveLength(1);
});

test('revising the partial decision completes the qualification, and the learner is told with the home units credited', async () => {
  const { learnerRecord } = await ok(
    'query { learnerRecord(learnerId: "rvt.lv:L-900") { decisions { id unitId } } }',
    {},
    tokens.rvt,
  );
  const partialId = learnerRecord.decisions.find((d: { unitId: string }) => d.unitId === B2).id as string;
  const revise =
    'mutation($id: ID!, $input: ReviseRecognitionInput!) { reviseRecognition(id: $id, input: $input) { ecvetPoints homeOutcomeIds overrideReason history { decision homeUnitIds } } }';
  const revised = await ok(
    revise,
    {
      id: partialId,
      input: {
        decision: 'RECOGNISED',
        reason: 'Outcomes 3 and 4 shown in the host company project',
        homeOutcomeIds: [],
      },
    },
    tokens.rvt,
  );
  expect(revised.reviseRecognition).toEqual({
    ecvetPoints: 10,
    homeOutcomeIds: [],
    overrideReason: 'Outcomes 3 and 4 shown in the host company project',
    history: [{ decision: 'PARTIALLY_RECOGNISED', homeUnitIds: [U2] }],
  });
  const [progress] = (await ok(RECORD, {}, tokens.learner)).learnerRecord.qualifications;
  expect(progress).toEqual(
    expect.objectContaining({ accumulatedEcvetPoints: 50, missingEcvetPoints: 0, missingUnitIds: [], complete: true }),
  );
  expect(progress.units.map((u: { status: string }) => u.status)).toEqual([
    'RECOGNISED',
    'RECOGNISED',
    'ACHIEVED_AT_HOME',
    'RECOGNISED',
    'RECOGNISED',
  ]);

  const client = socketClient(hub.url, tokens.learner);
  const events: Array<{
    type: string;
    recognitionDecision: { unitId: string; homeUnitIds: string[]; homeUnits: Array<{ title: string }> };
  }> = [];
  try {
    for await (const result of client.iterate<{ recognitionDecided: (typeof events)[number] }>({
      query:
        'subscription { recognitionDecided { type recognitionDecision { unitId homeUnitIds homeUnits { title } } } }',
    })) {
      if (result.data) events.push(result.data.recognitionDecided);
      if (events.length === 3 || result.errors) break;
    }
  } finally {
    await client.dispose();
  }
  expect(events.map((e) => [e.type, e.recognitionDecision.unitId, e.recognitionDecision.homeUnitIds])).toEqual([
    ['RECOGNITION_DECIDED', B1, [U1]],
    ['RECOGNITION_DECIDED', B2, [U2]],
    ['RECOGNITION_REVISED', B2, [U2]],
  ]);
  expect(events[2]?.recognitionDecision.homeUnits).toEqual([{ title: 'Unit HQ-U2' }]);
});

test('the certificate of the completed qualification states its units and where each was achieved, valid against the EDC schema', async () => {
  await ok(
    'mutation { issueCertificate(learnerId: "rvt.lv:L-900", qualificationId: "rvt.lv:HQ-ELEC") { code totalEcvetPoints } }',
    {},
    tokens.rvt,
  );
  const { learnerRecord } = await ok(
    'query { learnerRecord(learnerId: "rvt.lv:L-900") { certificates { totalEcvetPoints units { unitId source } document(format: EDC) { content } } } }',
    {},
    tokens.learner,
  );
  const [certificate] = learnerRecord.certificates;
  expect(certificate.totalEcvetPoints).toBe(50);
  expect(certificate.units.map((u: { unitId: string; source: string }) => [u.unitId, u.source])).toEqual([
    [U1, 'ABROAD'],
    [U2, 'ABROAD'],
    [U3, 'HOME'],
    [U4, 'PRIOR_LEARNING'],
    [U5, 'TRANSFER'],
  ]);
  const credential = JSON.parse(certificate.document.content as string);
  expect(validateEdc(credential)).toEqual({ valid: true, problems: [] });
  const [qualification] = credential.credentialSubject.hasClaim;
  expect(qualification.identifier.notation).toBe(HOME);
  expect(
    qualification.hasPart.map(
      (part: { additionalNote: Array<{ noteLiteral: { en: string[] } }> }) => part.additionalNote[0]?.noteLiteral.en[0],
    ),
  ).toEqual([
    expect.stringContaining(`achieved abroad (as unit ${B1})`),
    expect.stringContaining(`achieved abroad (as unit ${B2})`),
    expect.stringContaining('achieved at the home institution'),
    expect.stringContaining('validation of prior learning'),
    expect.stringContaining('(as unit rvt.lv:WELD-U1) and recognised by transfer'),
  ]);
});

test('revising the prior-learning decision to a partial one keeps its history and takes the qualification back to incomplete', async () => {
  const { learnerRecord } = await ok(
    'query { learnerRecord(learnerId: "rvt.lv:L-900") { homeRecognitions { id route } } }',
    {},
    tokens.rvt,
  );
  const vpl = learnerRecord.homeRecognitions.find((d: { route: string }) => d.route === 'PRIOR_LEARNING');
  const revised = await ok(
    `mutation($id: ID!, $input: ReviseHomeRecognitionInput!) { reviseHomeRecognition(id: $id, input: $input) {
      decision ecvetPoints homeOutcomeIds history { decision homeUnitIds } } }`,
    {
      id: vpl.id,
      input: {
        decision: 'PARTIALLY_RECOGNISED',
        homeOutcomeIds: [`${U4}-LO1`],
        reason: 'Second outcome not evidenced',
      },
    },
    tokens.rvt,
  );
  expect(revised.reviseHomeRecognition).toEqual({
    decision: 'PARTIALLY_RECOGNISED',
    ecvetPoints: 5,
    homeOutcomeIds: [`${U4}-LO1`],
    history: [{ decision: 'RECOGNISED', homeUnitIds: [U4] }],
  });
  const [progress] = (await ok(RECORD, {}, tokens.learner)).learnerRecord.qualifications;
  expect(progress).toEqual(
    expect.objectContaining({ accumulatedEcvetPoints: 45, missingEcvetPoints: 5, complete: false }),
  );
  expect(progress.units[3]).toEqual(
    expect.objectContaining({
      unitId: U4,
      status: 'PARTLY_ACHIEVED',
      source: 'PRIOR_LEARNING',
      missingOutcomeIds: [`${U4}-LO2`],
    }),
  );
});

test('transfer and prior-learning decisions reach the learner and the home coordinators live, resumable after a cursor', async () => {
  type HomeEvent = {
    cursor: string;
    type: string;
    homeRecognitionDecision: { route: string; decision: string; homeUnits: Array<{ title: string }> };
  };
  const SUBSCRIBE = `subscription($after: String) { homeRecognitionDecided(after: $after) {
    cursor type homeRecognitionDecision { route decision homeUnits { title } } } }`;
  const follow = async (token: string, after: string | null, count: number) => {
    const client = socketClient(hub.url, token);
    const events: HomeEvent[] = [];
    try {
      for await (const result of client.iterate<{ homeRecognitionDecided: HomeEvent }>({
        query: SUBSCRIBE,
        variables: { after },
      })) {
        if (result.errors) throw new Error(JSON.stringify(result.errors));
        if (result.data) events.push(result.data.homeRecognitionDecided);
        if (events.length === count) break;
      }
    } finally {
      await client.dispose();
    }
    return events;
  };
  const learnerEvents = await follow(tokens.learner as string, null, 3);
  expect(
    learnerEvents.map((e) => [
      e.type,
      e.homeRecognitionDecision.route,
      e.homeRecognitionDecision.decision,
      e.homeRecognitionDecision.homeUnits.map((u) => u.title),
    ]),
  ).toEqual([
    // Each event carries the decision as it is now, as `recognitionDecided` does.
    ['HOME_RECOGNITION_DECIDED', 'PRIOR_LEARNING', 'PARTIALLY_RECOGNISED', ['Unit HQ-U4']],
    ['HOME_RECOGNITION_DECIDED', 'TRANSFER', 'RECOGNISED', ['Unit HQ-U5']],
    ['HOME_RECOGNITION_REVISED', 'PRIOR_LEARNING', 'PARTIALLY_RECOGNISED', ['Unit HQ-U4']],
  ]);
  const resumed = await follow(tokens.rvt as string, learnerEvents[0]?.cursor ?? null, 2);
  expect(resumed.map((e) => [e.type, e.homeRecognitionDecision.route])).toEqual([
    ['HOME_RECOGNITION_DECIDED', 'TRANSFER'],
    ['HOME_RECOGNITION_REVISED', 'PRIOR_LEARNING'],
  ]);
  // The by-ID query the gateway resolves the event's decision through tells nothing to another institution.
  const BY_ID = 'query($id: ID!) { homeRecognitionDecision(id: $id) { route } }';
  const { learnerRecord } = await ok(
    'query { learnerRecord(learnerId: "rvt.lv:L-900") { homeRecognitions { id route } } }',
    {},
    tokens.rvt,
  );
  const [{ id, route }] = learnerRecord.homeRecognitions as [{ id: string; route: string }];
  expect((await ok(BY_ID, { id }, tokens.learner)).homeRecognitionDecision).toEqual({ route });
  expect((await ok(BY_ID, { id }, tokens.bbs)).homeRecognitionDecision).toBeNull();
});
