import { createPrivateKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { SignJWT } from 'jose';
import { DEMO_ISSUER } from '../gateway/auth/auth';
import { isInstitutionCode } from '../schema/ids';
import { isRole, ROLES } from '../platform/caller';
import { DEMO_TOKEN_SECRET } from './demo-secret';

/**
 * `npm run token -- --institution rvt.lv --role coordinator [--role assessor] [--learner rvt.lv:L-1] [--hours 8]`
 * prints an HS256 token the demo hub accepts (signed with HUB_DEMO_TOKEN_SECRET, or the demo's default).
 * With `--key <file> [--issuer <iss>] [--subject <sub>]` it signs as the member itself, RS256 or ES256, with a
 * private key (JWK, e.g. from `npm run member-keys`, or PKCS8 PEM) whose public half is in the registry.
 */
export async function mintDemoToken(options: {
  institution: string;
  roles: string[];
  learnerId?: string;
  hours?: number;
  secret?: string;
  subject?: string;
}): Promise<string> {
  const secret = new TextEncoder().encode(options.secret ?? process.env.HUB_DEMO_TOKEN_SECRET ?? DEMO_TOKEN_SECRET);
  return new SignJWT({
    institution: options.institution,
    roles: options.roles,
    ...(options.learnerId ? { learner_id: options.learnerId } : {}),
  })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(DEMO_ISSUER)
    .setSubject(options.subject ?? `demo:${options.roles.join('+')}@${options.institution}`)
    .setIssuedAt()
    .setExpirationTime(`${options.hours ?? 8}h`)
    .sign(secret);
}

interface MemberKey {
  key: KeyObject;
  alg: 'RS256' | 'ES256';
  /** The JWK's `kid`; a PEM has none, and a token without one is checked against each of the member's keys. */
  kid: string | undefined;
}

/** A member's private key from a JWK or PKCS8 PEM file. */
function readMemberKey(file: string): MemberKey {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`Cannot read the key file ${file}: ${(error as Error).message}`);
  }
  let key: KeyObject;
  let jwk: JsonWebKey | null = null;
  try {
    jwk = text.trimStart().startsWith('{') ? (JSON.parse(text) as JsonWebKey) : null;
    key = jwk ? createPrivateKey({ key: jwk, format: 'jwk' }) : createPrivateKey(text);
  } catch (error) {
    throw new Error(`${file} is not a private key (JWK or PKCS8 PEM): ${(error as Error).message}`);
  }
  const alg =
    key.asymmetricKeyType === 'rsa'
      ? 'RS256'
      : key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1'
        ? 'ES256'
        : null;
  if (!alg)
    throw new Error(
      `${file} holds a ${key.asymmetricKeyType ?? 'unknown'} key: the hub accepts RS256 (RSA) or ES256 (EC P-256) tokens only`,
    );
  return { key, alg, kid: typeof jwk?.kid === 'string' ? jwk.kid : undefined };
}

/** A token a member signs with its own key, as its identity provider would; the hub checks it against the registry. */
export async function mintMemberToken(options: {
  keyFile: string;
  institution: string;
  roles: string[];
  learnerId?: string;
  hours?: number;
  issuer?: string;
  subject?: string;
}): Promise<string> {
  const { key, alg, kid } = readMemberKey(options.keyFile);
  return (
    new SignJWT({
      institution: options.institution,
      roles: options.roles,
      ...(options.learnerId ? { learner_id: options.learnerId } : {}),
    })
      .setProtectedHeader(kid ? { alg, kid } : { alg })
      // The registry's default issuer of a member (issuerOf in gateway/registry/registry.ts).
      .setIssuer(options.issuer ?? `https://${options.institution}`)
      .setSubject(options.subject ?? `${options.roles.join('+')}@${options.institution}`)
      .setIssuedAt()
      .setExpirationTime(`${options.hours ?? 8}h`)
      .sign(key)
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      institution: { type: 'string' },
      role: { type: 'string', multiple: true },
      learner: { type: 'string' },
      hours: { type: 'string', default: '8' },
      key: { type: 'string' },
      issuer: { type: 'string' },
      subject: { type: 'string' },
    },
  });
  const roles = values.role ?? [];
  const problems = [
    ...(values.institution && isInstitutionCode(values.institution)
      ? []
      : ['--institution <code> is required, e.g. rvt.lv']),
    ...(roles.length > 0 && roles.every(isRole)
      ? []
      : [`--role must be one of ${ROLES.join(', ')} (repeat for several)`]),
    ...(roles.includes('learner') && !values.learner ? ['--learner <learner id> is required with --role learner'] : []),
    ...(!values.key && (values.issuer || values.subject)
      ? ['--issuer and --subject go with --key <private key file>: demo tokens have their own']
      : []),
  ];
  if (problems.length > 0) {
    console.error(problems.join('\n'));
    process.exit(2);
  }
  const claims = {
    institution: values.institution as string,
    roles,
    learnerId: values.learner,
    hours: Number(values.hours),
  };
  console.log(
    values.key
      ? await mintMemberToken({ ...claims, keyFile: values.key, issuer: values.issuer, subject: values.subject })
      : await mintDemoToken(claims),
  );
}

if (require.main === module) {
  void main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
