import {
  agreementTerms,
  AVILES_COORDINATOR,
  RIGA_COORDINATOR,
  SIGN_LEARNING_AGREEMENT,
  type AgreedUnit,
} from '../scripts/fixtures/learning-agreements';
import { addDays, today } from '../subgraphs/mobilities/dates';
import { startTestHub, type GraphQLAnswer, type TestHub } from './harness/hub';

/**
 * The ECVET chain through the gateway, as three institutions and a learner: memorandum proposed and signed,
 * learning agreement created and signed by all three, an amendment approved, assessments recorded and
 * corrected, the transcript issued; then the sending institution validates it, recognises units, and the
 * learner's record and certificate show the credit. A non-party institution sees none of it.
 */
let hub: TestHub;
const tokens: Record<string, string> = {};
beforeAll(async () => {
  hub = await startTestHub({
    institutions: ['rvt.lv', 'cifp-aviles.es', 'omnia.fi'],
    mobilities: true,
    recognition: true,
  });
  tokens.rvt = await hub.token('rvt.lv', ['coordinator']);
  tokens.rvtAssessor = await hub.token('rvt.lv', ['assessor']);
  tokens.cifp = await hub.token('cifp-aviles.es', ['coordinator']);
  tokens.cifpAssessor = await hub.token('cifp-aviles.es', ['assessor']);
  tokens.omnia = await hub.token('omnia.fi', ['coordinator']);
  tokens.learner = await hub.token('rvt.lv', ['learner'], 'rvt.lv:L-17');
});
afterAll(async () => hub?.dispose());

const MOU = 'rvt.lv:MOU-WELD-2026';
const LA = 'rvt.lv:LA-2026-001';
const start = addDays(today(), -40);
const end = addDays(today(), -5);

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the test walks deep answers whose shape each assertion states anyway.
async function ok(query: string, variables: Record<string, unknown>, token: string): Promise<Record<string, any>> {
  const answer = await hub.request(query, variables, token);
  expect(answer.body.errors).toBeUndefined();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as the signature says
  return answer.body.data as Record<string, any>;
}

function refused(answer: GraphQLAnswer, code: string, message?: RegExp): void {
  expect(answer.body.errors?.[0]?.extensions?.code).toBe(code);
  if (message) expect(answer.body.errors?.[0]?.message).toMatch(message);
}

const terms = (units: readonly AgreedUnit[]) => agreementTerms(start, end, units, 'Workshop master');

test('a memorandum is proposed, read by its partners with a content hash, and signed by both', async () => {
  const proposed = await ok(
    `mutation($input: ProposeMemorandumInput!) { proposeMemorandum(input: $input) { id status contentHash partners { id name } } }`,
    {
      input: {
        localId: 'MOU-WELD-2026',
        titles: [{ lang: 'en', value: 'Welding mobilities Riga–Avilés' }],
        partners: ['cifp-aviles.es'],
        qualificationIds: ['rvt.lv:WELD'],
        procedures: {
          assessment: 'By the host',
          documentation: 'Transcript of records',
          validation: 'By the sender',
          recognition: 'Full credit',
        },
        validFrom: '2025-01-01',
        validUntil: '2028-12-31',
      },
    },
    tokens.rvt as string,
  );
  expect(proposed.proposeMemorandum).toEqual(expect.objectContaining({ id: MOU, status: 'DRAFT' }));
  expect(proposed.proposeMemorandum.partners.map((p: { id: string }) => p.id)).toEqual(['cifp-aviles.es', 'rvt.lv']);

  const read = await ok('query($id: ID!) { memorandum(id: $id) { contentHash } }', { id: MOU }, tokens.cifp as string);
  const hash = read.memorandum.contentHash as string;
  const signMou =
    'mutation($id: ID!, $h: String!) { signMemorandum(id: $id, contentHash: $h, signature: { signerName: "N", signerPosition: "Director" }) { status } }';
  refused(await hub.request(signMou, { id: MOU, h: 'f'.repeat(64) }, tokens.cifp), 'CONFLICT', /not the hash/);
  expect((await ok(signMou, { id: MOU, h: hash }, tokens.cifp as string)).signMemorandum.status).toBe(
    'PARTIALLY_SIGNED',
  );
  expect((await ok(signMou, { id: MOU, h: hash }, tokens.rvt as string)).signMemorandum.status).toBe('IN_EFFECT');
  // A non-partner learns nothing, not even that the memorandum exists.
  expect((await hub.request('query($id: ID!) { memorandum(id: $id) { id } }', { id: MOU }, tokens.omnia)).body).toEqual(
    { data: { memorandum: null } },
  );
});

const CREATE =
  'mutation($input: CreateLearningAgreementInput!) { createLearningAgreement(input: $input) { id status current { number totalEcvetPoints } } }';
const agreement = (change: Record<string, unknown> = {}) => ({
  localId: 'LA-2026-001',
  hostingInstitution: 'cifp-aviles.es',
  memorandumId: MOU,
  learner: {
    localId: 'L-17',
    name: 'Anna Bērziņa',
    dateOfBirth: '2007-04-12',
    email: 'anna@example.lv',
    homeQualificationId: 'rvt.lv:WELD',
    progress: '2nd year, 40 of 120 points',
  },
  sendingContact: RIGA_COORDINATOR,
  hostingContact: AVILES_COORDINATOR,
  terms: terms([
    ['rvt.lv:WELD-U4', 25],
    ['rvt.lv:WELD-U5', 30],
    ['rvt.lv:WELD-U1', 10],
  ]),
  ...change,
});

test('a learning agreement breaking a rule is refused with the rule named, and nothing is written', async () => {
  const cases: Array<[Record<string, unknown>, string, RegExp]> = [
    [
      { terms: terms([['rvt.lv:WELD-U4', 20]]) },
      'BAD_USER_INPUT',
      /ecvetPoints 20 does not match unit rvt\.lv:WELD-U4's 25/,
    ],
    [
      { terms: { ...terms([['rvt.lv:WELD-U4', 25]]), mobilityEnd: addDays(start, -1) } },
      'BAD_USER_INPUT',
      /mobilityEnd .* must not be before mobilityStart/,
    ],
    [{ terms: terms([['rvt.lv:ELEC-U1', 10]]) }, 'CONFLICT', /not covered by memorandum/],
    [{ hostingInstitution: 'omnia.fi' }, 'CONFLICT', /omnia\.fi is not a partner/],
  ];
  for (const [change, code, message] of cases)
    refused(await hub.request(CREATE, { input: agreement(change) }, tokens.rvt), code, message);
  refused(
    await hub.request(CREATE, { input: agreement() }, await hub.token('rvt.lv', ['viewer'])),
    'FORBIDDEN',
    /Only a coordinator of rvt\.lv/,
  );
  const list = await ok('{ learningAgreements { totalCount } }', {}, tokens.rvt as string);
  expect(list.learningAgreements.totalCount).toBe(0);
});

test('the agreement is created, signed by sending, hosting and learner, and then binding', async () => {
  const created = await ok(CREATE, { input: agreement() }, tokens.rvt as string);
  expect(created.createLearningAgreement).toEqual({
    id: LA,
    status: 'DRAFT',
    current: { number: 1, totalEcvetPoints: 65 },
  });
  refused(
    await hub.request(
      'mutation($i: RecordAssessmentInput!) { recordAssessment(input: $i) { id } }',
      {
        i: {
          learningAgreementId: LA,
          unitId: 'rvt.lv:WELD-U4',
          result: 'ACHIEVED',
          method: 'Test',
          assessorName: 'M',
          assessedOn: addDays(end, -1),
        },
      },
      tokens.cifpAssessor,
    ),
    'CONFLICT',
    /not signed by all three/,
  );
  expect(
    (await ok(SIGN_LEARNING_AGREEMENT, { id: LA, n: 'Jānis Ozols', p: 'Coordinator' }, tokens.rvt as string))
      .signLearningAgreement.status,
  ).toBe('DRAFT');
  expect(
    (await ok(SIGN_LEARNING_AGREEMENT, { id: LA, n: 'Lucía Fernández', p: 'Jefa de estudios' }, tokens.cifp as string))
      .signLearningAgreement.status,
  ).toBe('DRAFT');
  refused(
    await hub.request(SIGN_LEARNING_AGREEMENT, { id: LA, n: 'Again', p: 'Coordinator' }, tokens.cifp),
    'CONFLICT',
    /signed version 1 .* already/,
  );
  expect(
    (await ok(SIGN_LEARNING_AGREEMENT, { id: LA, n: 'Anna Bērziņa', p: 'learner' }, tokens.learner as string))
      .signLearningAgreement.status,
  ).toBe('SIGNED');
});

test('an amendment is proposed by the host and approved by the others; every version stays readable', async () => {
  const propose = `mutation($id: ID!, $terms: AgreementTermsInput!) { proposeLearningAgreementChange(id: $id, reason: "Unit 1 is not offered this term", terms: $terms,
    signature: { signerName: "Lucía Fernández", signerPosition: "Jefa de estudios" }) { pendingChange { number status } } }`;
  const proposed = await ok(
    propose,
    {
      id: LA,
      terms: terms([
        ['rvt.lv:WELD-U4', 25],
        ['rvt.lv:WELD-U5', 30],
        ['rvt.lv:WELD-U2', 15],
      ]),
    },
    tokens.cifp as string,
  );
  expect(proposed.proposeLearningAgreementChange.pendingChange).toEqual({ number: 2, status: 'PROPOSED' });
  const approve =
    'mutation($id: ID!, $n: String!) { approveLearningAgreementChange(id: $id, signature: { signerName: $n, signerPosition: "x" }) { current { number } pendingChange { number } } }';
  expect(
    (await ok(approve, { id: LA, n: 'Jānis Ozols' }, tokens.rvt as string)).approveLearningAgreementChange,
  ).toEqual({ current: { number: 1 }, pendingChange: { number: 2 } });
  expect(
    (await ok(approve, { id: LA, n: 'Anna Bērziņa' }, tokens.learner as string)).approveLearningAgreementChange,
  ).toEqual({ current: { number: 2 }, pendingChange: null });
  const versions = await ok(
    'query($id: ID!) { learningAgreement(id: $id) { versions { number status totalEcvetPoints changeReason signatures { party } } } }',
    { id: LA },
    tokens.learner as string,
  );
  expect(
    versions.learningAgreement.versions.map((v: { number: number; status: string; totalEcvetPoints: number }) => [
      v.number,
      v.status,
      v.totalEcvetPoints,
    ]),
  ).toEqual([
    [1, 'SUPERSEDED', 65],
    [2, 'SIGNED', 70],
  ]);
});

const RECORD = 'mutation($i: RecordAssessmentInput!) { recordAssessment(input: $i) { id result ecvetPoints } }';
const assessment = (unitId: string, result: string) => ({
  learningAgreementId: LA,
  unitId,
  result,
  grade: result === 'ACHIEVED' ? '8/10' : '4/10',
  method: 'Practical welding test',
  assessorName: 'Carlos Menéndez',
  assessedOn: addDays(end, -2),
});

test("the host's assessors record and correct assessments; the transcript waits for every unit", async () => {
  refused(
    await hub.request(RECORD, { i: assessment('rvt.lv:WELD-U4', 'ACHIEVED') }, tokens.rvtAssessor),
    'FORBIDDEN',
    /Only the hosting institution/,
  );
  refused(
    await hub.request(RECORD, { i: assessment('rvt.lv:WELD-U1', 'ACHIEVED') }, tokens.cifpAssessor),
    'CONFLICT',
    /not in the signed learning agreement/,
  );
  const u4 = await ok(RECORD, { i: assessment('rvt.lv:WELD-U4', 'ACHIEVED') }, tokens.cifpAssessor as string);
  expect(u4.recordAssessment).toEqual(expect.objectContaining({ result: 'ACHIEVED', ecvetPoints: 25 }));
  const issue =
    'mutation($id: ID!) { issueTranscript(learningAgreementId: $id, issuedBy: "Lucía Fernández") { version totalEcvetPoints entries { unit { id title } result grade ecvetPoints } } }';
  refused(
    await hub.request(issue, { id: LA }, tokens.cifp),
    'CONFLICT',
    /not assessed yet: rvt\.lv:WELD-U5, rvt\.lv:WELD-U2/,
  );
  await ok(RECORD, { i: assessment('rvt.lv:WELD-U2', 'NOT_ACHIEVED') }, tokens.cifpAssessor as string);
  const u5 = await ok(RECORD, { i: assessment('rvt.lv:WELD-U5', 'NOT_ACHIEVED') }, tokens.cifpAssessor as string);
  const corrected = await ok(
    'mutation($id: ID!) { correctAssessment(id: $id, input: { result: ACHIEVED, grade: "7/10", assessedOn: "' +
      addDays(end, 1) +
      '", reason: "Retest passed" }) { revision ecvetPoints history { revision result reason } } }',
    { id: u5.recordAssessment.id },
    tokens.cifpAssessor as string,
  );
  expect(corrected.correctAssessment.history.map((h: { result: string }) => h.result)).toEqual([
    'NOT_ACHIEVED',
    'ACHIEVED',
  ]);
  expect(corrected.correctAssessment.ecvetPoints).toBe(30);
  const transcript = await ok(issue, { id: LA }, tokens.cifp as string);
  expect(transcript.issueTranscript).toEqual({
    version: 1,
    totalEcvetPoints: 55,
    entries: [
      {
        unit: { id: 'rvt.lv:WELD-U4', title: 'Manual metal arc welding with covered electrodes (111)' },
        result: 'ACHIEVED',
        grade: '8/10',
        ecvetPoints: 25,
      },
      {
        unit: { id: 'rvt.lv:WELD-U5', title: 'MAG welding with solid and flux-cored wire (135, 136)' },
        result: 'ACHIEVED',
        grade: '7/10',
        ecvetPoints: 30,
      },
      {
        unit: { id: 'rvt.lv:WELD-U2', title: 'Reading technical drawings and welding documentation' },
        result: 'NOT_ACHIEVED',
        grade: '4/10',
        ecvetPoints: 0,
      },
    ],
  });
});

test('the parties read it all, with units from the qualifications shards; a non-party sees none of it', async () => {
  const query = `query($id: ID!) { learningAgreement(id: $id) { status learner { name homeQualification { title } } hostingInstitution { name country }
    current { units { unit { title } ecvetPoints } } transcript { version totalEcvetPoints } assessments { result } } }`;
  for (const token of [tokens.rvt, tokens.cifp, tokens.learner]) {
    const read = await ok(query, { id: LA }, token as string);
    expect(read.learningAgreement.transcript).toEqual({ version: 1, totalEcvetPoints: 55 });
    expect(read.learningAgreement.hostingInstitution.country).toBe('ES');
    expect(read.learningAgreement.current.units[0].unit.title).toMatch(/arc welding/);
  }
  // A non-party gets what an unknown ID gets.
  expect((await hub.request(query, { id: LA }, tokens.omnia)).body).toEqual({ data: { learningAgreement: null } });
  expect(
    (
      await hub.request(
        'query($id: ID!) { transcript(learningAgreementId: $id) { version } }',
        { id: LA },
        tokens.omnia,
      )
    ).body,
  ).toEqual({ data: { transcript: null } });
  expect(
    (await ok('{ learningAgreements { totalCount } }', {}, tokens.omnia as string)).learningAgreements.totalCount,
  ).toBe(0);
  expect(
    (await ok('{ learningAgreements { totalCount nodes { id } } }', {}, tokens.cifp as string)).learningAgreements,
  ).toEqual({ totalCount: 1, nodes: [{ id: LA }] });
  const unit = 'query { unit(id: "rvt.lv:WELD-U4") { title learningAgreements { id status } } }';
  expect((await ok(unit, {}, tokens.rvt as string)).unit.learningAgreements).toEqual([{ id: LA, status: 'SIGNED' }]);
  expect((await ok(unit, {}, tokens.omnia as string)).unit.learningAgreements).toEqual([]);
});

test('both institutions evaluate the finished mobility; a cancelled agreement is not possible after the transcript', async () => {
  const evaluate =
    'mutation($id: ID!) { recordEvaluation(id: $id, wentAsAgreed: true, comments: "As agreed") { evaluations { institution wentAsAgreed } } }';
  await ok(evaluate, { id: LA }, tokens.rvt as string);
  const both = await ok(evaluate, { id: LA }, tokens.cifp as string);
  expect(both.recordEvaluation.evaluations.map((e: { institution: string }) => e.institution).sort()).toEqual([
    'cifp-aviles.es',
    'rvt.lv',
  ]);
  refused(
    await hub.request(
      'mutation($id: ID!) { cancelLearningAgreement(id: $id, reason: "x") { status } }',
      { id: LA },
      tokens.rvt,
    ),
    'CONFLICT',
    /transcript/,
  );
});

const RECOGNIZE = `mutation($input: RecognizeUnitsInput!) { recognizeUnits(input: $input) { id unit { id } decision ecvetPoints reason } }`;
const decisions = [
  { unitId: 'rvt.lv:WELD-U4', decision: 'RECOGNISED' },
  { unitId: 'rvt.lv:WELD-U5', decision: 'RECOGNISED' },
  {
    unitId: 'rvt.lv:WELD-U2',
    decision: 'REFUSED',
    reason: 'Not achieved abroad; to be taken at home in the spring term',
  },
];

test('no recognition before validation; the sending coordinator validates the transcript against the agreement', async () => {
  refused(
    await hub.request(RECOGNIZE, { input: { learningAgreementId: LA, idempotencyKey: 'k-0', decisions } }, tokens.rvt),
    'CONFLICT',
    /No recognition before validation/,
  );
  refused(
    await hub.request(
      'mutation($id: ID!) { validateTranscript(learningAgreementId: $id) { id } }',
      { id: LA },
      tokens.cifp,
    ),
    'FORBIDDEN',
  );
  const validation = await ok(
    'mutation($id: ID!) { validateTranscript(learningAgreementId: $id) { transcriptVersion agreementVersion consistent findings { unit { id } achieved differences } } }',
    { id: LA },
    tokens.rvt as string,
  );
  expect(validation.validateTranscript).toEqual({
    transcriptVersion: 1,
    agreementVersion: 2,
    consistent: false,
    findings: [
      { unit: { id: 'rvt.lv:WELD-U4' }, achieved: true, differences: [] },
      { unit: { id: 'rvt.lv:WELD-U5' }, achieved: true, differences: [] },
      { unit: { id: 'rvt.lv:WELD-U2' }, achieved: false, differences: ['reported not achieved'] },
    ],
  });
});

test('two units are recognised and one refused with a reason; a retry with the same key changes nothing', async () => {
  refused(
    await hub.request(
      RECOGNIZE,
      {
        input: {
          learningAgreementId: LA,
          idempotencyKey: 'k-1',
          decisions: [{ unitId: 'rvt.lv:WELD-U2', decision: 'REFUSED' }],
        },
      },
      tokens.rvt,
    ),
    'BAD_USER_INPUT',
    /reason is required when a unit is refused/,
  );
  refused(
    await hub.request(
      RECOGNIZE,
      {
        input: {
          learningAgreementId: LA,
          idempotencyKey: 'k-1',
          decisions: [
            {
              unitId: 'rvt.lv:WELD-U4',
              decision: 'PARTIALLY_RECOGNISED',
              learningOutcomeIds: ['omnia.fi:COOK-U1-LO1'],
            },
          ],
        },
      },
      tokens.rvt,
    ),
    'BAD_USER_INPUT',
    /is not an agreed learning outcome/,
  );
  const first = await ok(
    RECOGNIZE,
    { input: { learningAgreementId: LA, idempotencyKey: 'k-1', decisions } },
    tokens.rvt as string,
  );
  expect(
    first.recognizeUnits.map((d: { decision: string; ecvetPoints: number }) => [d.decision, d.ecvetPoints]),
  ).toEqual([
    ['RECOGNISED', 25],
    ['RECOGNISED', 30],
    ['REFUSED', 0],
  ]);
  const retry = await ok(
    RECOGNIZE,
    { input: { learningAgreementId: LA, idempotencyKey: 'k-1', decisions } },
    tokens.rvt as string,
  );
  // The same answer, in the same order (IDs are random UUIDs: an order read back by ID would differ most times).
  expect(retry.recognizeUnits).toEqual(first.recognizeUnits);
  refused(
    await hub.request(
      RECOGNIZE,
      { input: { learningAgreementId: LA, idempotencyKey: 'k-2', decisions: decisions.slice(0, 1) } },
      tokens.rvt,
    ),
    'CONFLICT',
    /decided already/,
  );
  refused(
    await hub.request(
      RECOGNIZE,
      { input: { learningAgreementId: LA, idempotencyKey: 'k-1', decisions: decisions.slice(0, 1) } },
      tokens.rvt,
    ),
    'CONFLICT',
    /used for a different request/,
  );
});

test("the learner's record shows the points added and the gap to the qualification; the certificate verifies publicly", async () => {
  const record = await ok(
    `query($id: ID!) { learnerRecord(learnerId: $id) { qualifications { qualification { id title } requiredEcvetPoints accumulatedEcvetPoints missingEcvetPoints
      credits { unit { id } ecvetPoints source } missingUnits { id } } decisions { decision } } }`,
    { id: 'rvt.lv:L-17' },
    tokens.learner as string,
  );
  expect(record.learnerRecord.qualifications).toEqual([
    {
      qualification: { id: 'rvt.lv:WELD', title: 'Welder' },
      requiredEcvetPoints: 120,
      accumulatedEcvetPoints: 55,
      missingEcvetPoints: 65,
      credits: [
        { unit: { id: 'rvt.lv:WELD-U4' }, ecvetPoints: 25, source: 'ABROAD' },
        { unit: { id: 'rvt.lv:WELD-U5' }, ecvetPoints: 30, source: 'ABROAD' },
      ],
      missingUnits: expect.arrayContaining([
        { id: 'rvt.lv:WELD-U1' },
        { id: 'rvt.lv:WELD-U2' },
        { id: 'rvt.lv:WELD-U3' },
        { id: 'rvt.lv:WELD-U6' },
      ]),
    },
  ]);
  expect(record.learnerRecord.qualifications[0].missingUnits).toHaveLength(4);
  refused(
    await hub.request('query { learnerRecord(learnerId: "rvt.lv:L-17") { learnerId } }', {}, tokens.cifp),
    'FORBIDDEN',
  );

  const issued = await ok(
    'mutation { issueCertificate(learnerId: "rvt.lv:L-17", qualificationId: "rvt.lv:WELD") { code totalEcvetPoints } }',
    {},
    tokens.rvt as string,
  );
  const code = issued.issueCertificate.code as string;
  expect(code).toMatch(/^rvt\.lv:[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
  const verified = await hub.request(
    'query($code: String!) { verifyCertificate(code: $code) { learnerName totalEcvetPoints current issuer { name } units { unit { title } ecvetPoints } } }',
    { code },
  );
  expect(verified.body.errors).toBeUndefined();
  expect(verified.body.data?.verifyCertificate).toEqual({
    learnerName: 'Anna Bērziņa',
    totalEcvetPoints: 55,
    current: true,
    issuer: { name: 'Riga State Technical School' },
    units: [
      { unit: { title: 'Manual metal arc welding with covered electrodes (111)' }, ecvetPoints: 25 },
      { unit: { title: 'MAG welding with solid and flux-cored wire (135, 136)' }, ecvetPoints: 30 },
    ],
  });
  expect((await hub.request('{ verifyCertificate(code: "rvt.lv:AAAA-BBBB-CCCC") { learnerName } }')).body.data).toEqual(
    { verifyCertificate: null },
  );
});

test('LearningAgreement.recognition and Unit.recognitions come from the recognition kind, for the sending side only', async () => {
  const query =
    'query($id: ID!) { learningAgreement(id: $id) { recognition { validation { consistent } decisions { decision unit { title } } } } }';
  const seen = await ok(query, { id: LA }, tokens.rvt as string);
  expect(seen.learningAgreement.recognition.decisions.map((d: { decision: string }) => d.decision)).toEqual([
    'REFUSED',
    'RECOGNISED',
    'RECOGNISED',
  ]);
  const host = await hub.request(query, { id: LA }, tokens.cifp);
  // The host sees the agreement, not the home institution's recognition of it, and no learner ID in an error.
  expect(host.body).toEqual({ data: { learningAgreement: { recognition: null } } });
  const unit = await ok(
    '{ unit(id: "rvt.lv:WELD-U2") { recognitions { decision reason } } }',
    {},
    tokens.rvt as string,
  );
  expect(unit.unit.recognitions).toEqual([{ decision: 'REFUSED', reason: decisions[2]?.reason }]);
});
