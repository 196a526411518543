import { addDays, today } from '../subgraphs/mobilities/dates';
import {
  agreementTerms,
  AVILES_COORDINATOR,
  CREATE_LEARNING_AGREEMENT,
  DEMO_MEMORANDUM,
  RIGA_COORDINATOR,
  rigaToAvilesAgreement,
  SIGN_LEARNING_AGREEMENT,
} from './fixtures/learning-agreements';
import { mintDemoToken } from './token';

/**
 * The demo's mobilities, made through the hub's own API as the schools would make them: a memorandum
 * between Riga and Avilés, one finished mobility (signed, assessed, transcript issued; with recognition
 * shards also validated, recognised and certified) and one agreement still waiting for signatures. Runs once, on a hub whose mobilities shards are empty.
 */
type Answer = { data?: Record<string, unknown> | null; errors?: Array<{ message: string }> };

async function call(
  url: string,
  token: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as Answer;
  if (body.errors?.length) throw new Error(`Demo mobilities: ${body.errors.map((e) => e.message).join('; ')}`);
  return body.data ?? {};
}

/** Returns false when the demo mobilities exist already. */
export async function createDemoMobilities(url: string, withRecognition: boolean, secret?: string): Promise<boolean> {
  const token = (institution: string, roles: string[], learnerId?: string) =>
    mintDemoToken({ institution, roles, learnerId, secret });
  const rvt = await token('rvt.lv', ['coordinator']);
  const existing = await call(url, rvt, '{ memoranda { totalCount } }');
  if ((existing.memoranda as { totalCount: number }).totalCount > 0) return false;
  const cifp = await token('cifp-aviles.es', ['coordinator']);

  const mou = DEMO_MEMORANDUM;
  const proposed = await call(
    url,
    rvt,
    'mutation($input: ProposeMemorandumInput!) { proposeMemorandum(input: $input) { contentHash } }',
    {
      input: {
        localId: 'MOU-WELD',
        titles: [
          { lang: 'en', value: 'ECVET partnership in welding, Riga and Avilés' },
          { lang: 'lv', value: 'ECVET partnerība metināšanā, Rīga un Avilesa' },
          { lang: 'es', value: 'Asociación ECVET en soldadura, Riga y Avilés' },
        ],
        partners: ['cifp-aviles.es'],
        qualificationIds: ['rvt.lv:WELD', 'cifp-aviles.es:SOLCAL'],
        procedures: {
          assessment:
            "The host assesses agreed units against the sending school's assessment criteria, by practical test pieces.",
          documentation: 'The host issues a transcript of records; the learner receives Europass Mobility.',
          validation: 'The sending school checks the transcript against the learning agreement within four weeks.',
          recognition: 'Units achieved abroad are recognised as the corresponding units of the home qualification.',
        },
        validFrom: addDays(today(), -365),
        validUntil: addDays(today(), 3 * 365),
      },
    },
  );
  const hash = (proposed.proposeMemorandum as { contentHash: string }).contentHash;
  const signMou =
    'mutation($id: ID!, $h: String!, $n: String!) { signMemorandum(id: $id, contentHash: $h, signature: { signerName: $n, signerPosition: "Director" }) { status } }';
  await call(url, rvt, signMou, { id: mou, h: hash, n: 'Director of Riga State Technical School' });
  await call(url, cifp, signMou, { id: mou, h: hash, n: 'Directora del CIFP de Avilés' });

  // A finished mobility: Riga learner in Avilés, assessed, transcript issued.
  const start = addDays(today(), -70);
  const end = addDays(today(), -14);
  await call(url, rvt, CREATE_LEARNING_AGREEMENT, {
    input: rigaToAvilesAgreement(
      'LA-2026-001',
      {
        localId: 'L-17',
        name: 'Anna Bērziņa',
        dateOfBirth: '2007-04-12',
        email: 'anna.berzina@example.lv',
        progress: '2nd year, 40 of 120 ECVET points',
      },
      agreementTerms(start, end, [
        ['rvt.lv:WELD-U4', 25],
        ['rvt.lv:WELD-U5', 30],
      ]),
    ),
  });
  const la = 'rvt.lv:LA-2026-001';
  await call(url, rvt, SIGN_LEARNING_AGREEMENT, { id: la, n: 'Jānis Ozols', p: 'Mobility coordinator' });
  await call(url, cifp, SIGN_LEARNING_AGREEMENT, { id: la, n: 'Lucía Fernández', p: 'Jefa de estudios' });
  await call(url, await token('rvt.lv', ['learner'], 'rvt.lv:L-17'), SIGN_LEARNING_AGREEMENT, {
    id: la,
    n: 'Anna Bērziņa',
    p: 'learner',
  });
  const assessor = await token('cifp-aviles.es', ['assessor']);
  for (const [unitId, grade] of [
    ['rvt.lv:WELD-U4', '8/10'],
    ['rvt.lv:WELD-U5', '7/10'],
  ] as const) {
    await assessInAviles(url, assessor, la, unitId, 'ACHIEVED', grade, end);
  }
  await issueAvilesTranscript(url, cifp, la);
  if (withRecognition) {
    // Riga validates the transcript and recognises both units towards the learner's welding qualification.
    await call(url, rvt, 'mutation($id: ID!) { validateTranscript(learningAgreementId: $id) { id } }', { id: la });
    await call(url, rvt, 'mutation($input: RecognizeUnitsInput!) { recognizeUnits(input: $input) { id } }', {
      input: {
        learningAgreementId: la,
        idempotencyKey: 'demo-LA-2026-001',
        decisions: [
          { unitId: 'rvt.lv:WELD-U4', decision: 'RECOGNISED' },
          { unitId: 'rvt.lv:WELD-U5', decision: 'RECOGNISED' },
        ],
      },
    });
    await call(
      url,
      rvt,
      'mutation { issueCertificate(learnerId: "rvt.lv:L-17", qualificationId: "rvt.lv:WELD") { code } }',
    );
  }

  // A mobility being prepared: an Avilés learner going to Riga, signed so far by the sending school only.
  const next = addDays(today(), 60);
  await call(url, cifp, CREATE_LEARNING_AGREEMENT, {
    input: {
      localId: 'LA-2026-014',
      hostingInstitution: 'rvt.lv',
      memorandumId: mou,
      learner: {
        localId: 'A-2208',
        name: 'Pablo García Suárez',
        dateOfBirth: '2006-11-03',
        email: 'pablo.garcia@example.es',
        homeQualificationId: 'cifp-aviles.es:SOLCAL',
        progress: '1st year completed',
      },
      sendingContact: AVILES_COORDINATOR,
      hostingContact: RIGA_COORDINATOR,
      terms: agreementTerms(next, addDays(next, 42), [['cifp-aviles.es:SOLCAL-0094', 30]], 'Workshop master of RVT'),
    },
  });
  await call(url, cifp, SIGN_LEARNING_AGREEMENT, {
    id: 'cifp-aviles.es:LA-2026-014',
    n: 'Lucía Fernández',
    p: 'Jefa de estudios',
  });
  return true;
}

/** Anna's classmates in the same welding mobility to Avilés: with her, six learners. */
const COHORT = [
  { localId: 'L-18', name: 'Mārtiņš Liepiņš', dateOfBirth: '2007-01-23', results: ['ACHIEVED', 'ACHIEVED'] },
  { localId: 'L-19', name: 'Elīna Kalniņa', dateOfBirth: '2006-09-08', results: ['ACHIEVED', 'ACHIEVED'] },
  { localId: 'L-20', name: 'Kristaps Ozoliņš', dateOfBirth: '2007-06-30', results: ['ACHIEVED', 'NOT_ACHIEVED'] },
  { localId: 'L-21', name: 'Laura Jansone', dateOfBirth: '2007-02-14', results: ['ACHIEVED', 'ACHIEVED'] },
  { localId: 'L-22', name: 'Roberts Krūmiņš', dateOfBirth: '2006-12-01', results: ['ACHIEVED', 'ACHIEVED'] },
] as const;

/**
 * The rest of Anna's class in the same mobility (after createDemoMobilities), through the same steps: a national
 * agency's overview counts a cell only when 5 learners or more stand behind it, so one mobility alone would show
 * nothing but suppressed cells. One learner does not achieve the second unit, so results and decisions differ.
 */
export async function createDemoCohort(url: string, withRecognition: boolean, secret?: string): Promise<void> {
  const token = (institution: string, roles: string[], learnerId?: string) =>
    mintDemoToken({ institution, roles, learnerId, secret });
  const start = addDays(today(), -70);
  const end = addDays(today(), -14);
  const rvt = await token('rvt.lv', ['coordinator']);
  const cifp = await token('cifp-aviles.es', ['coordinator']);
  const assessor = await token('cifp-aviles.es', ['assessor']);
  const units = ['rvt.lv:WELD-U4', 'rvt.lv:WELD-U5'] as const;
  for (const [index, learner] of COHORT.entries()) {
    const localId = `LA-2026-${String(index + 2).padStart(3, '0')}`;
    const la = `rvt.lv:${localId}`;
    await call(url, rvt, CREATE_LEARNING_AGREEMENT, {
      input: rigaToAvilesAgreement(
        localId,
        { localId: learner.localId, name: learner.name, dateOfBirth: learner.dateOfBirth },
        agreementTerms(start, end, [
          [units[0], 25],
          [units[1], 30],
        ]),
      ),
    });
    await call(url, rvt, SIGN_LEARNING_AGREEMENT, { id: la, n: 'Jānis Ozols', p: 'Mobility coordinator' });
    await call(url, cifp, SIGN_LEARNING_AGREEMENT, { id: la, n: 'Lucía Fernández', p: 'Jefa de estudios' });
    await call(url, await token('rvt.lv', ['learner'], `rvt.lv:${learner.localId}`), SIGN_LEARNING_AGREEMENT, {
      id: la,
      n: learner.name,
      p: 'learner',
    });
    const results = [
      [units[0], learner.results[0]],
      [units[1], learner.results[1]],
    ] as const;
    for (const [unitId, result] of results) {
      await assessInAviles(url, assessor, la, unitId, result, result === 'ACHIEVED' ? '7/10' : '4/10', end);
    }
    await issueAvilesTranscript(url, cifp, la);
    if (!withRecognition) continue;
    await call(url, rvt, 'mutation($id: ID!) { validateTranscript(learningAgreementId: $id) { id } }', { id: la });
    await call(url, rvt, 'mutation($input: RecognizeUnitsInput!) { recognizeUnits(input: $input) { id } }', {
      input: {
        learningAgreementId: la,
        idempotencyKey: `demo-${localId}`,
        decisions: units.map((unitId, unit) => ({
          unitId,
          decision: learner.results[unit] === 'ACHIEVED' ? 'RECOGNISED' : 'REFUSED',
          ...(learner.results[unit] === 'ACHIEVED' ? {} : { reason: 'Unit not achieved abroad' }),
        })),
      },
    });
  }
}

/**
 * Whether the last step of createDemoCohort has been done: the last classmate's recognition decisions, or without
 * recognition shards that classmate's transcript. Tells a data directory whose demo mobilities were made in full
 * before the launcher marked them (see scripts/demo.ts) from one whose making was interrupted.
 */
export async function demoMobilitiesComplete(url: string, withRecognition: boolean, secret?: string): Promise<boolean> {
  const last = COHORT[COHORT.length - 1] as (typeof COHORT)[number];
  const rvt = await mintDemoToken({ institution: 'rvt.lv', roles: ['coordinator'], secret });
  const agreement = await call(url, rvt, 'query($id: ID!) { learningAgreement(id: $id) { transcript { version } } }', {
    id: `rvt.lv:LA-2026-${String(COHORT.length + 1).padStart(3, '0')}`,
  });
  if ((agreement.learningAgreement as { transcript: unknown } | null)?.transcript == null) return false;
  if (!withRecognition) return true;
  const record = await call(url, rvt, 'query($id: ID!) { learnerRecord(learnerId: $id) { decisions { id } } }', {
    id: `rvt.lv:${last.localId}`,
  });
  return (record.learnerRecord as { decisions: unknown[] }).decisions.length === last.results.length;
}

/** Avilés' assessor records one unit's result of a demo mobility, two days before it ends. */
async function assessInAviles(
  url: string,
  assessor: string,
  la: string,
  unitId: string,
  result: 'ACHIEVED' | 'NOT_ACHIEVED',
  grade: string,
  end: string,
): Promise<void> {
  await call(url, assessor, 'mutation($i: RecordAssessmentInput!) { recordAssessment(input: $i) { id } }', {
    i: {
      learningAgreementId: la,
      unitId,
      result,
      grade,
      method: 'Practical test piece and oral questions',
      assessorName: 'Carlos Menéndez',
      assessedOn: addDays(end, -2),
      evidence: 'Test pieces inspected visually and by bend test.',
    },
  });
}

/** Avilés' coordinator issues a demo mobility's transcript once every unit is assessed. */
async function issueAvilesTranscript(url: string, cifp: string, la: string): Promise<void> {
  await call(
    url,
    cifp,
    'mutation($id: ID!) { issueTranscript(learningAgreementId: $id, issuedBy: "Lucía Fernández") { version } }',
    { id: la },
  );
}
