import { calculateJwkThumbprint, exportJWK } from 'jose';
import { generateHopKeyPair, publicKeySet, readPublicKeys, readSigningKey } from './hop-keys';

describe('hop keys', () => {
  it('reads a private key as PKCS8 PEM or as a JWK, with its thumbprint as key id', async () => {
    const pair = await generateHopKeyPair();
    const fromPem = await readSigningKey(pair.privateKeyPem, 'HUB_HOP_PRIVATE_KEY');
    const jwk = await exportJWK(pair.key.privateKey);
    const fromJwk = await readSigningKey(JSON.stringify(jwk), 'HUB_HOP_PRIVATE_KEY');
    const { kty, crv, x } = jwk;
    expect(fromPem.kid).toBe(await calculateJwkThumbprint({ kty, crv, x }));
    expect(fromJwk.kid).toBe(fromPem.kid);
    expect(fromPem.publicJwk).toEqual({ kty: 'OKP', crv: 'Ed25519', x, kid: fromPem.kid, alg: 'EdDSA', use: 'sig' });
  });

  it('publishes public halves only', async () => {
    const pair = await generateHopKeyPair();
    const jwk = await exportJWK(pair.key.privateKey);
    const published = await publicKeySet([jwk]);
    expect(published.keys[0]).not.toHaveProperty('d');
    expect(JSON.stringify(pair.publicKeys)).not.toContain(String(jwk.d));
  });

  it('refuses a public key, a non-Ed25519 key and garbage where a private key is due, naming the setting', async () => {
    const pair = await generateHopKeyPair();
    await expect(readSigningKey(JSON.stringify(pair.publicKeys.keys[0]), 'HUB_HOP_PRIVATE_KEY')).rejects.toThrow(
      /HUB_HOP_PRIVATE_KEY .*private key is needed/,
    );
    await expect(
      readSigningKey(JSON.stringify({ kty: 'oct', k: 'c2VjcmV0', d: 'x' }), 'HUB_HOP_PRIVATE_KEY'),
    ).rejects.toThrow(/must be an Ed25519 key/);
    await expect(readSigningKey('a-shared-secret-of-old', 'SHARD_SERVICE_PRIVATE_KEY')).rejects.toThrow(
      /SHARD_SERVICE_PRIVATE_KEY must be an Ed25519 private key/,
    );
  });

  it('reads a JWKS or a single JWK of public keys, adding the key ids', async () => {
    const pair = await generateHopKeyPair();
    const { kty, crv, x } = pair.key.publicJwk;
    expect((await readPublicKeys(JSON.stringify({ kty, crv, x }), 'HUB_HOP_PUBLIC_KEYS')).keys[0]?.kid).toBe(
      pair.key.kid,
    );
    expect(await readPublicKeys(JSON.stringify(pair.publicKeys), 'HUB_HOP_PUBLIC_KEYS')).toEqual(pair.publicKeys);
    await expect(readPublicKeys('{"keys": [{"kty": "RSA"}]}', 'HUB_HOP_PUBLIC_KEYS')).rejects.toThrow(
      /HUB_HOP_PUBLIC_KEYS must be a JWKS of Ed25519 public keys/,
    );
  });
});
