import { randomBytes } from 'node:crypto';
import { createDemoMobilities } from '../scripts/demo-mobilities';
import {
  agreementTerms,
  CREATE_LEARNING_AGREEMENT,
  rigaToAvilesAgreement,
  SIGN_LEARNING_AGREEMENT,
  type AgreedUnit,
} from '../scripts/fixtures/learning-agreements';
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
  const hub = await startTestHub({
    institutions,
    mobilities: true,
    recognition: true,
    shards: 'in-process',
    gateway: { demoTokenSecret: secret },
  });
  try {
    await createDemoMobilities(hub.url, true, secret);
  } catch (error) {
    await hub.dispose();
    throw error;
  }
  const request = (query: string, variables: Record<string, unknown>, token?: string) =>
    hub.request(query, variables, token);
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

/** A learning agreement of Riga with Avilés under the demo memorandum, signed by all three parties; returns its hub ID. */
export async function signedAgreement(
  chain: DocumentsHub,
  localId: string,
  learner: { localId: string; name: string; dateOfBirth: string },
  units: readonly AgreedUnit[],
): Promise<string> {
  const end = addDays(today(), -10);
  const rvt = await chain.token('rvt.lv', ['coordinator']);
  await chain.ok(
    CREATE_LEARNING_AGREEMENT,
    { input: rigaToAvilesAgreement(localId, learner, agreementTerms(addDays(end, -40), end, units)) },
    rvt,
  );
  const id = `rvt.lv:${localId}`;
  await chain.ok(SIGN_LEARNING_AGREEMENT, { id, n: 'Jānis Ozols', p: 'Coordinator' }, rvt);
  await chain.ok(
    SIGN_LEARNING_AGREEMENT,
    { id, n: 'Lucía Fernández', p: 'Jefa de estudios' },
    await chain.token('cifp-aviles.es', ['coordinator']),
  );
  await chain.ok(
    SIGN_LEARNING_AGREEMENT,
    { id, n: learner.name, p: 'learner' },
    await chain.token('rvt.lv', ['learner'], `rvt.lv:${learner.localId}`),
  );
  return id;
}

export const assessedOn = () => addDays(today(), -12);
