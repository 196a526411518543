import { parseArgs } from 'node:util';
import { SignJWT } from 'jose';
import { DEMO_ISSUER } from '../gateway/auth/auth';
import { isInstitutionCode } from '../schema/ids';
import { isRole, ROLES } from '../subgraphs/shared/caller';
import { DEMO_TOKEN_SECRET } from './demo-secret';

/**
 * `npm run token -- --institution rvt.lv --role coordinator [--role assessor] [--learner rvt.lv:L-1] [--hours 8]`
 * prints an HS256 token the demo hub accepts (signed with HUB_DEMO_TOKEN_SECRET, or the demo's default).
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
  return new SignJWT({ institution: options.institution, roles: options.roles, ...(options.learnerId ? { learner_id: options.learnerId } : {}) })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(DEMO_ISSUER)
    .setSubject(options.subject ?? `demo:${options.roles.join('+')}@${options.institution}`)
    .setIssuedAt()
    .setExpirationTime(`${options.hours ?? 8}h`)
    .sign(secret);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      institution: { type: 'string' },
      role: { type: 'string', multiple: true },
      learner: { type: 'string' },
      hours: { type: 'string', default: '8' },
    },
  });
  const roles = values.role ?? [];
  const problems = [
    ...(values.institution && isInstitutionCode(values.institution) ? [] : ['--institution <code> is required, e.g. rvt.lv']),
    ...(roles.length > 0 && roles.every(isRole) ? [] : [`--role must be one of ${ROLES.join(', ')} (repeat for several)`]),
    ...(roles.includes('learner') && !values.learner ? ['--learner <learner id> is required with --role learner'] : []),
  ];
  if (problems.length > 0) {
    console.error(problems.join('\n'));
    process.exit(2);
  }
  console.log(await mintDemoToken({ institution: values.institution as string, roles, learnerId: values.learner, hours: Number(values.hours) }));
}

if (require.main === module) void main();
