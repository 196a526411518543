import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { openDatabase, type Database } from '../database';
import { createSigningKeyTable, SigningKeyRecord } from './signing-key.entity';
import { keyId, publishedKeys, signCredential, signerOfKeyId } from './signing';
import { checkSignature, claimedSigner } from './verify';

class SigningKeys1763900000999 implements MigrationInterface {
  name = 'SigningKeys1763900000999';
  up = (runner: QueryRunner) => createSigningKeyTable(runner);
  down = async (runner: QueryRunner) => runner.dropTable('signing_key');
}

const signer = { institution: 'rvt.lv', kind: 'recognition' };
let dir: string;
const open = (name: string) =>
  openDatabase({
    url: `sqlite:${join(dir, `${name}.sqlite`)}`,
    entities: [SigningKeyRecord],
    migrations: [SigningKeys1763900000999],
  });
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hub-signing-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Replaces the payload of a compact JWS, keeping header and signature: what a forger would try. */
const withPayload = (jws: string, payload: string) => {
  const [header, , signature] = jws.split('.');
  return `${header}.${Buffer.from(payload).toString('base64url')}.${signature}`;
};

describe('credential signing', () => {
  let db: Database;
  beforeAll(async () => {
    db = await open('a');
  });
  afterAll(() => db?.close());

  it('makes one key on first use, even when asked twice at once, and publishes it', async () => {
    const [a, b] = await Promise.all([signCredential(db, signer, '{"a":1}'), signCredential(db, signer, '{"b":2}')]);
    expect(await db.dataSource.manager.count(SigningKeyRecord)).toBe(1);
    const keys = await publishedKeys(db, signer);
    expect(keys.keys).toEqual([
      expect.objectContaining({
        kty: 'EC',
        crv: 'P-256',
        alg: 'ES256',
        use: 'sig',
        kid: expect.stringMatching(/^rvt\.lv\/recognition#/),
      }),
    ]);
    expect(keys.keys[0]).not.toHaveProperty('d');
    for (const jws of [a, b]) expect(await claimedSigner(jws)).toEqual({ ok: true, signer, kid: keys.keys[0]?.kid });
  });

  it('verifies what it signed, byte for byte, and names what is wrong with a changed or foreign credential', async () => {
    const content = '{\n  "id": "urn:ecvet-hub:certificate:rvt.lv:AAAA-BBBB-CCCC",\n  "points": 25\n}\n';
    const jws = await signCredential(db, signer, content);
    const keys = await publishedKeys(db, signer);
    expect(await checkSignature(jws, keys, signer)).toEqual({ ok: true, payload: content });
    const tampered = await checkSignature(withPayload(jws, content.replace('25', '30')), keys, signer);
    expect(tampered).toEqual({
      ok: false,
      reason: expect.stringMatching(
        /^The signature does not match the content: the credential was changed after rvt\.lv signed it/,
      ),
    });

    const other = await open('b');
    try {
      const foreign = await signCredential(other, signer, content);
      expect((await checkSignature(foreign, keys, signer)).ok).toBe(false);
      expect(await checkSignature(foreign, keys, signer)).toEqual({
        ok: false,
        reason: expect.stringContaining('not among the keys rvt.lv publishes'),
      });
    } finally {
      await other.close();
    }
  });

  it('keeps signing with the stored key after a restart', async () => {
    const before = (await publishedKeys(db, signer)).keys[0]?.kid;
    await db.close();
    db = await open('a');
    const jws = await signCredential(db, signer, '{}');
    expect(await claimedSigner(jws)).toEqual(expect.objectContaining({ kid: before }));
  });

  it('reads the signer from a key ID, and refuses what is not a compact JWS of the hub', async () => {
    expect(signerOfKeyId(keyId(signer, 'abc_-1'))).toEqual({ ...signer, thumbprint: 'abc_-1' });
    expect(signerOfKeyId('some-other-key')).toBeNull();
    expect(await claimedSigner('{"not":"a jws"}')).toEqual({
      ok: false,
      reason: expect.stringContaining('not a compact JWS'),
    });
    const header = Buffer.from(JSON.stringify({ alg: 'ES256', kid: 'x' })).toString('base64url');
    expect(await claimedSigner(`${header}.e30.c2ln`)).toEqual({
      ok: false,
      reason: 'The JWS names no key of the hub (kid "x")',
    });
  });
});
