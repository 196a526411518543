import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { readThirdParty } from './third-party';

/**
 * The Europass EDC JSON Schema (ELM 3.2 on VCDM 2.0), as the official copy under `third_party/europass-edc/`.
 * The EDC schema refers to the EBSI attestation schema by the relative path `./vcdm2.0-attestation-schema/schema.json`;
 * both are loaded into one Ajv 2020 validator, the attestation schema under the URI that reference resolves to.
 * Compiling takes about two seconds, so it happens once per process, on first use.
 */
let compiled: ValidateFunction | null = null;

interface SchemaFile {
  $id?: string;
  [key: string]: unknown;
}

function compile(): ValidateFunction {
  const edc = JSON.parse(readThirdParty('europass-edc', 'vcdm2.0-europass-edc-schema', 'schema.json')) as SchemaFile;
  const attestation = JSON.parse(
    readThirdParty('europass-edc', 'vcdm2.0-attestation-schema', 'schema.json'),
  ) as SchemaFile;
  if (!edc.$id)
    throw new Error('third_party/europass-edc: the EDC schema has no $id to resolve its references against');
  // The official schemas use keywords and formats Ajv's strict mode questions; they are meant as published.
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(attestation, new URL('./vcdm2.0-attestation-schema/schema.json', edc.$id).href);
  return ajv.compile(edc);
}

export interface EdcValidation {
  valid: boolean;
  /** Ajv's errors as "<instance path> <message>", the most specific first. */
  problems: string[];
}

function describe(errors: readonly ErrorObject[]): string[] {
  // An `anyOf` over the credential's node types reports every branch that failed; the deepest paths say most.
  return [...errors]
    .sort((a, b) => b.instancePath.split('/').length - a.instancePath.split('/').length)
    .map(
      (e) =>
        `${e.instancePath || '/'} ${e.message ?? 'is invalid'}${e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : ''}`,
    );
}

/** Validates a credential (the parsed JSON-LD, not the JWS) against the official EDC schema. */
export function validateEdc(credential: unknown): EdcValidation {
  compiled ??= compile();
  const valid = compiled(credential);
  return { valid, problems: valid ? [] : describe(compiled.errors ?? []) };
}
