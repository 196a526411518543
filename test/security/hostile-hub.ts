import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { createDemoMobilities } from '../../scripts/demo-mobilities';
import { startTestHub, type GraphQLAnswer, type TestHub } from '../harness/hub';

/**
 * A hub with the demo mobilities, as partners meet it: Riga sends Anna (rvt.lv:L-17) to Avilés, Avilés prepares
 * Pablo's (cifp-aviles.es:A-2208) stay in Riga, and omnia.fi is a member party to neither. omnia.fi and rvt.lv sign
 * their tokens with keys of their own, registered with the hub, so a test can act as a hostile member holding
 * its own genuine key.
 */
export interface HostileHub {
  hub: TestHub;
  /** A token signed with `signer`'s registered key; claims and header fields override the defaults of an honest token. */
  memberToken(
    signer: Member,
    claims?: Record<string, unknown>,
    options?: { issuer?: string; subject?: string; expires?: number | string },
  ): Promise<string>;
  /** A demo token (the hub's own secret), as the demo's partners use. */
  token(institution: string, roles: string[], learnerId?: string): Promise<string>;
  request(query: string, variables?: Record<string, unknown>, token?: string): Promise<GraphQLAnswer>;
  /** Runs an operation that must succeed. */
  ok(query: string, variables: Record<string, unknown>, token: string): Promise<Record<string, unknown>>;
}

export type Member = 'omnia.fi' | 'rvt.lv';

export const ANNA = { learnerId: 'rvt.lv:L-17', agreement: 'rvt.lv:LA-2026-001', transcript: 'rvt.lv:T-LA-2026-001-1' };
export const PABLO = { learnerId: 'cifp-aviles.es:A-2208', agreement: 'cifp-aviles.es:LA-2026-014' };
export const MOU = 'rvt.lv:MOU-WELD';

/** What must never reach a non-party: Anna's and Pablo's names, e-mails, dates of birth and IDs. */
export const PERSONAL = ['Anna', 'anna.berzina', '2007-04-12', 'L-17', 'Pablo', 'pablo.garcia', '2006-11-03', 'A-2208'];

/** `echoed`: what the caller itself sent (a learner ID in its own token), which an error may quote back. */
export function expectNothingPersonal(answer: unknown, echoed: readonly string[] = []): void {
  const text = echoed.reduce((left, value) => left.split(value).join('<echoed>'), JSON.stringify(answer));
  for (const value of PERSONAL)
    expect({ leaked: value, in: text.includes(value) ? text : '' }).toEqual({ leaked: value, in: '' });
}

const issuerOf = (member: Member) => `https://idp.${member}`;

export async function startHostileHub(): Promise<HostileHub> {
  const keys = new Map<Member, Awaited<ReturnType<typeof generateKeyPair>>['privateKey']>();
  const registryEntries: Record<string, Record<string, unknown>> = {};
  for (const member of ['omnia.fi', 'rvt.lv'] as const) {
    const pair = await generateKeyPair('ES256', { extractable: true });
    keys.set(member, pair.privateKey);
    registryEntries[member] = {
      issuer: issuerOf(member),
      jwks: { keys: [{ ...(await exportJWK(pair.publicKey)), kid: `${member}-2026`, alg: 'ES256', use: 'sig' }] },
    };
  }
  const hub = await startTestHub({
    institutions: ['rvt.lv', 'cifp-aviles.es', 'omnia.fi'],
    mobilities: true,
    recognition: true,
    shards: 'in-process',
    registryEntries,
  });
  try {
    await createDemoMobilities(hub.url, true, hub.tokenSecret);
  } catch (error) {
    await hub.dispose();
    throw error;
  }
  return {
    hub,
    memberToken: (signer, claims = {}, options = {}) =>
      new SignJWT({ institution: signer, roles: ['coordinator'], ...claims })
        .setProtectedHeader({ alg: 'ES256', kid: `${signer}-2026` })
        .setIssuer(options.issuer ?? issuerOf(signer))
        .setSubject(options.subject ?? `someone@${signer}`)
        .setExpirationTime(options.expires ?? '10m')
        .sign(keys.get(signer) as Parameters<SignJWT['sign']>[0]),
    token: (institution, roles, learnerId) => hub.token(institution, roles, learnerId),
    request: (query, variables, token) => hub.request(query, variables, token),
    ok: async (query, variables, token) => {
      const answer = await hub.request(query, variables, token);
      if (answer.body.errors) throw new Error(`${answer.body.errors.map((e) => e.message).join('; ')}\nin: ${query}`);
      return answer.body.data as Record<string, unknown>;
    },
  };
}
