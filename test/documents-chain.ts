import { randomBytes } from 'node:crypto';
import { createDemoMobilities } from '../scripts/demo-mobilities';
import { mintDemoToken } from '../scripts/token';
import { addDays, today } from '../subgraphs/mobilities/dates';
import { startTestHub, type GraphQLAnswer, type TestHub } from './harness/hub';

/**
 * The demo's ECVET chain on a test hub, for the document tests: the demo mobilities exactly as `npm start`
 * makes them (through the API, with the demo's own script), plus the helpers to add more mobilities. The
 * gateway is given a token secret of the test's own, so the demo script can mint tokens for it.
 */
export interface DocumentsHub {
  hub: TestHub;
  token(institution: string, roles: string[], learnerId?: string): Promise<string>;
  /** Runs an operation that must succeed. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- callers walk deep answers whose shape each assertion states
  ok(query: string, variables: Record<string, unknown>, token?: string): Promise<Record<string, any>>;
  request(query: string, variables: Record<string, unknown>, token?: string): Promise<GraphQLAnswer>;
}

export async function startDocumentsHub(institutions: readonly string[]): Promise<DocumentsHub> {
  const secret = randomBytes(24).toString('base64url');
  const hub = await startTestHub({ institutions, mobilities: true, recognition: true, shards: 'in-process', gateway: { demoTokenSecret: secret } });
  try {
    await createDemoMobilities(hub.url, true, secret);
  } catch (error) {
    await hub.dispose();
    throw error;
  }
  const request = (query: string, variables: Record<string, unknown>, token?: string) => hub.request(query, variables, token);
  return {
    hub,
    token: (institution, roles, learnerId) => mintDemoToken({ institution, roles, learnerId, secret }),
    request,
    ok: async (query, variables, token) => {
      const answer = await request(query, variables, token);
      if (answer.body.errors) throw new Error(`${answer.body.errors.map((e) => e.message).join('; ')}\nin: ${query}`);
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as the signature says
      return answer.body.data as Record<string, any>;
    },
  };
}

export const MOU = 'rvt.lv:MOU-WELD';
export const SIGN = 'mutation($id: ID!, $n: String!, $p: String!) { signLearningAgreement(id: $id, signature: { signerName: $n, signerPosition: $p }) { status } }';

/** A learning agreement of Riga with Avilés under the demo memorandum, signed by all three parties; returns its hub ID. */
export async function signedAgreement(
  chain: DocumentsHub,
  localId: string,
  learner: { localId: string; name: string; dateOfBirth: string },
  units: Array<[string, number]>,
): Promise<string> {
  const end = addDays(today(), -10);
  const rvt = await chain.token('rvt.lv', ['coordinator']);
  await chain.ok(
    'mutation($input: CreateLearningAgreementInput!) { createLearningAgreement(input: $input) { id } }',
    {
      input: {
        localId,
        hostingInstitution: 'cifp-aviles.es',
        memorandumId: MOU,
        learner: { ...learner, email: 'learner@example.lv', homeQualificationId: 'rvt.lv:WELD', progress: '2nd year' },
        sendingContact: { name: 'Jānis Ozols', position: 'Mobility coordinator', email: 'mobility@example.lv' },
        hostingContact: { name: 'Lucía Fernández', position: 'Jefa de estudios', email: 'movilidad@example.es' },
        terms: {
          mobilityStart: addDays(end, -40),
          mobilityEnd: end,
          units: units.map(([unitId, ecvetPoints]) => ({
            unitId,
            ecvetPoints,
            learningActivities: 'Workshop practice with a tutor.',
            assessment: { assessor: 'Workshop master', method: 'Practical test', plannedOn: addDays(end, -3) },
          })),
          qualityAssurance: 'Weekly calls.',
          validationAndRecognition: 'Validated and recognised by the sending school.',
          documentation: 'Transcript of records.',
        },
      },
    },
    rvt,
  );
  const id = `rvt.lv:${localId}`;
  await chain.ok(SIGN, { id, n: 'Jānis Ozols', p: 'Coordinator' }, rvt);
  await chain.ok(SIGN, { id, n: 'Lucía Fernández', p: 'Jefa de estudios' }, await chain.token('cifp-aviles.es', ['coordinator']));
  await chain.ok(SIGN, { id, n: learner.name, p: 'learner' }, await chain.token('rvt.lv', ['learner'], `rvt.lv:${learner.localId}`));
  return id;
}

export const assessedOn = () => addDays(today(), -12);
