import { parseRegistry } from './registry';

const member = (code: string, extra: Record<string, unknown> = {}) => ({
  code,
  names: [{ lang: 'en', value: code }],
  country: 'FI',
  shards: {},
  ...extra,
});
const key = {
  kty: 'EC',
  crv: 'P-256',
  x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
  y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
};

describe('parseRegistry', () => {
  it('accepts members with their own issuers and keys', () => {
    const registry = parseRegistry({ institutions: [member('omnia.fi', { jwks: { keys: [key] } }), member('rvt.lv')] });
    expect(registry.institutions.map((entry) => entry.code)).toEqual(['omnia.fi', 'rvt.lv']);
  });

  it('refuses two members sharing a token issuer', () => {
    expect(() =>
      parseRegistry({
        institutions: [
          member('omnia.fi', { issuer: 'https://idp.example' }),
          member('rvt.lv', { issuer: 'https://idp.example' }),
        ],
      }),
    ).toThrow(
      'Registry gives omnia.fi and rvt.lv the same token issuer https://idp.example: each member needs its own',
    );
    expect(() =>
      parseRegistry({ institutions: [member('omnia.fi', { issuer: 'https://rvt.lv' }), member('rvt.lv')] }),
    ).toThrow(/same token issuer https:\/\/rvt.lv/);
  });

  it('refuses two members sharing a signing key, whatever its kid, or a key set URL', () => {
    expect(() =>
      parseRegistry({
        institutions: [
          member('omnia.fi', { jwks: { keys: [{ ...key, kid: 'a' }] } }),
          member('rvt.lv', { jwks: { keys: [{ ...key, kid: 'b' }] } }),
        ],
      }),
    ).toThrow('Registry gives omnia.fi and rvt.lv the same signing key b: each member needs its own');
    expect(() =>
      parseRegistry({
        institutions: [
          member('omnia.fi', { jwksUrl: 'https://idp.example/jwks' }),
          member('rvt.lv', { jwksUrl: 'https://idp.example/jwks' }),
        ],
      }),
    ).toThrow(/same jwksUrl/);
  });
});
