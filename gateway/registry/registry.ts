import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { isInstitutionCode } from '../../schema/ids';
import { isCountryCode, isLanguageCode } from '../../schema/scalars';

/**
 * The federation's members: which institutions there are and where each kind's shard of each one
 * answers. Adding an institution is an edit of this file, never of code.
 */
const institutionSchema = z.object({
  code: z.string().refine(isInstitutionCode, 'must be an institution code such as "rvt.lv"'),
  names: z
    .array(
      z.object({
        lang: z.string().refine(isLanguageCode, 'must be a known BCP 47 language'),
        value: z.string().min(1),
      }),
    )
    .min(1),
  country: z.string().refine(isCountryCode, 'must be an ISO 3166-1 alpha-2 code'),
  /** Subgraph kind → URL of this institution's shard of it. */
  shards: z.record(z.string(), z.url()),
  /** Subgraph kind → public keys (JWKS) of that shard's own service key, for the calls it makes to the hub. */
  serviceJwks: z.record(z.string(), z.object({ keys: z.array(z.looseObject({ kty: z.string() })).min(1) })).optional(),
  /** …or, by kind, where that shard publishes it (its /.well-known/service-keys.json), fetched and cached. */
  serviceJwksUrl: z.record(z.string(), z.url()).optional(),
  /** `iss` of the institution's tokens (default https://<code>). */
  issuer: z.string().optional(),
  /** Where the institution publishes the public keys of its identity provider… */
  jwksUrl: z.url().optional(),
  /** …or the keys themselves. */
  jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }).optional(),
  /**
   * Present for a national agency (or the European level) instead of a school: the countries whose institutions'
   * aggregates its `agency` tokens read. An agency runs no shards and its tokens read no record.
   */
  agency: z
    .object({ countries: z.array(z.string().refine(isCountryCode, 'must be an ISO 3166-1 alpha-2 code')).min(1) })
    .optional(),
});
const registrySchema = z.object({ institutions: z.array(institutionSchema).min(1) });

export type RegisteredInstitution = z.infer<typeof institutionSchema>;

export interface Shard {
  institution: string;
  kind: string;
  url: string;
}

export class Registry {
  private readonly byCode: Map<string, RegisteredInstitution>;
  /** Institutions ordered by code: the order fanned-out lists are merged in when they have no sort key. */
  readonly institutions: readonly RegisteredInstitution[];

  constructor(institutions: RegisteredInstitution[]) {
    this.institutions = [...institutions].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
    this.byCode = new Map();
    // A token's issuer and key must point at one member only, or one member could sign as another.
    const issuers = new Map<string, string>();
    const keys = new Map<string, string>();
    const claim = (seen: Map<string, string>, value: string, code: string, what: string) => {
      const other = seen.get(value);
      if (other !== undefined && other !== code)
        throw new Error(`Registry gives ${other} and ${code} the same ${what}: each member needs its own`);
      seen.set(value, code);
    };
    for (const institution of this.institutions) {
      if (this.byCode.has(institution.code)) throw new Error(`Registry lists ${institution.code} twice`);
      if (institution.agency && Object.keys(institution.shards).length > 0)
        throw new Error(`Registry gives agency ${institution.code} shards: an agency holds no records`);
      this.byCode.set(institution.code, institution);
      claim(issuers, issuerOf(institution), institution.code, `token issuer ${issuerOf(institution)}`);
      if (institution.jwksUrl)
        claim(keys, `url ${institution.jwksUrl}`, institution.code, `jwksUrl ${institution.jwksUrl}`);
      for (const key of institution.jwks?.keys ?? [])
        claim(
          keys,
          keyMaterial(key),
          institution.code,
          `signing key${typeof key.kid === 'string' ? ` ${key.kid}` : ''}`,
        );
    }
  }

  institution(code: string): RegisteredInstitution | undefined {
    return this.byCode.get(code);
  }

  /** The shard of `kind` that `institution` runs; undefined when it is not a member or runs none. */
  shard(kind: string, institution: string): Shard | undefined {
    const entry = this.byCode.get(institution);
    const url = entry?.shards[kind];
    return entry && url ? { institution, kind, url } : undefined;
  }

  /** Every shard of a kind, in institution code order. */
  shards(kind: string): Shard[] {
    return this.institutions.flatMap((entry) => {
      const url = entry.shards[kind];
      return url ? [{ institution: entry.code, kind, url }] : [];
    });
  }

  /** The countries an agency oversees; null when `code` is not an agency of the registry. */
  agencyCountries(code: string): readonly string[] | null {
    return this.byCode.get(code)?.agency?.countries ?? null;
  }

  kinds(): string[] {
    return [...new Set(this.institutions.flatMap((entry) => Object.keys(entry.shards)))].sort();
  }
}

/** The `iss` an institution's tokens must carry. */
export function issuerOf(institution: RegisteredInstitution): string {
  return institution.issuer ?? `https://${institution.code}`;
}

/** The public part of a JWK that identifies the key whatever its `kid` or other metadata. */
function keyMaterial(key: Record<string, unknown>): string {
  return JSON.stringify(['kty', 'crv', 'n', 'e', 'x', 'y'].map((name) => key[name] ?? null));
}

export function parseRegistry(json: unknown, source = 'registry'): Registry {
  const result = registrySchema.safeParse(json);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`${source} is invalid:\n${lines.join('\n')}`);
  }
  return new Registry(result.data.institutions);
}

export function loadRegistry(path: string): Registry {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`Cannot read the registry ${path}: ${(error as Error).message}`);
  }
  return parseRegistry(json, path);
}
