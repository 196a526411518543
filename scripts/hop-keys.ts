import { exportJWK } from 'jose';
import { generateHopKeyPair } from '../platform/hop-keys';

/**
 * `npm run -s hop-keys [-- <VARIABLE>]`: a new Ed25519 key pair as env lines, ready for a .env file. The private key
 * (a one-line JWK) is assigned to VARIABLE (default HUB_HOP_PRIVATE_KEY, the gateway's; a shard's service key goes
 * in its SHARD_SERVICE_PRIVATE_KEY). The public JWKS follows: as HUB_HOP_PUBLIC_KEYS for the gateway's key, as a
 * comment to copy into the registry's `serviceJwks` for a shard's.
 */
async function main(): Promise<void> {
  const variable = process.argv[2] ?? 'HUB_HOP_PRIVATE_KEY';
  if (!/^[A-Z_][A-Z0-9_]*$/.test(variable))
    throw new Error(`${variable} is not an environment variable name (A-Z, 0-9, _)`);
  const { key, publicKeys } = await generateHopKeyPair();
  const { kty, crv, x, d } = await exportJWK(key.privateKey);
  const jwks = JSON.stringify(publicKeys);
  process.stdout.write(
    [
      `# ${variable}: key id (JWK thumbprint) ${key.kid}; keep this private key with the one process that signs`,
      `${variable}='${JSON.stringify({ kty, crv, x, d })}'`,
      variable === 'HUB_HOP_PRIVATE_KEY'
        ? `HUB_HOP_PUBLIC_KEYS='${jwks}'`
        : `# public half, for the registry's serviceJwks: ${jwks}`,
      '',
    ].join('\n'),
  );
}

void main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
