import { generateHopKeyPair } from '../subgraphs/shared/hop-keys';

/**
 * `npm run hop-keys`: a new Ed25519 key pair in the settings' format. The private key goes to the one process that
 * signs (HUB_HOP_PRIVATE_KEY for the gateway, SHARD_SERVICE_PRIVATE_KEY for a shard); the public JWKS goes to those
 * that check (HUB_HOP_PUBLIC_KEYS or HUB_HOP_ROLLOVER_PUBLIC_KEYS, or the registry's `serviceJwks`).
 */
async function main(): Promise<void> {
  const { key, privateKeyPem, publicKeys } = await generateHopKeyPair();
  const quoted = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;
  process.stdout.write(
    [
      `# key id (JWK thumbprint): ${key.kid}`,
      '# private: only for the signer (gateway: HUB_HOP_PRIVATE_KEY; a shard: SHARD_SERVICE_PRIVATE_KEY)',
      `PRIVATE_KEY=${quoted(privateKeyPem.trim())}`,
      '# public: for the checkers (shards: HUB_HOP_PUBLIC_KEYS; rotation: HUB_HOP_ROLLOVER_PUBLIC_KEYS; registry: serviceJwks)',
      `PUBLIC_KEYS=${quoted(JSON.stringify(publicKeys))}`,
      '',
    ].join('\n'),
  );
}

void main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
