import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import { isInstitutionCode } from '../schema/ids';

/** What a member puts in its registry entry: the `iss` of its tokens and the public keys that verify them. */
export interface MemberRegistryKeys {
  issuer: string;
  jwks: { keys: JWK[] };
}

/**
 * A new ES256 key pair for a member institution's tokens. The private JWK (with `kid`, `alg`) is written to
 * `keyFile`, readable by its owner only; an existing file is never overwritten, so a key in use is not lost.
 */
export async function makeMemberKeys(options: {
  institution: string;
  keyFile: string;
  issuer?: string;
}): Promise<MemberRegistryKeys> {
  if (!isInstitutionCode(options.institution))
    throw new Error(`${options.institution} is not an institution code such as rvt.lv`);
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const meta = { kid, alg: 'ES256', use: 'sig' };
  try {
    writeFileSync(options.keyFile, `${JSON.stringify({ ...(await exportJWK(privateKey)), ...meta })}\n`, {
      mode: 0o600,
      flag: 'wx',
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(
      code === 'EEXIST'
        ? `${options.keyFile} exists already: keep that key, or name another file with --out`
        : `Cannot write ${options.keyFile}: ${(error as Error).message}`,
    );
  }
  return { issuer: options.issuer ?? `https://${options.institution}`, jwks: { keys: [{ ...publicJwk, ...meta }] } };
}

/**
 * `npm run -s member-keys -- <institution> [--out <file>] [--issuer <iss>]`: a member's token signing key. The
 * private key goes to the file (default `<institution>.member-key.json`), which the member keeps; stdout gets the
 * `issuer` and `jwks` fields for the member's entry in the hub's registry.
 */
async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { out: { type: 'string' }, issuer: { type: 'string' } },
  });
  const institution = positionals[0];
  if (!institution || positionals.length > 1)
    throw new Error('Usage: npm run -s member-keys -- <institution> [--out <file>] [--issuer <iss>]');
  const keyFile = values.out ?? `${institution}.member-key.json`;
  const fields = await makeMemberKeys({ institution, keyFile, issuer: values.issuer });
  console.error(
    `Private key written to ${keyFile}: keep it with ${institution}'s identity provider. Put these fields in ${institution}'s registry entry:`,
  );
  console.log(JSON.stringify(fields, null, 2));
}

if (require.main === module) {
  void main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
