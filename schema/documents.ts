import { Directive, Field, ObjectType, registerEnumType } from 'type-graphql';
import { InstitutionRef } from './mobility/references';
import { DateTimeScalar } from './scalars';

/** The official exchange formats the hub writes transcripts and certificates in. */
export enum DocumentFormat {
  ELMO = 'ELMO',
  EDC = 'EDC',
}
registerEnumType(DocumentFormat, {
  name: 'DocumentFormat',
  description: 'An official format for exchanging achievements outside the hub.',
  valuesConfig: {
    ELMO: {
      description:
        'ELMO XML (EMREX / Erasmus Without Paper transcript of records, schema v1): transcripts only. Valid against the official schema.xsd.',
    },
    EDC: {
      description:
        'Europass Digital Credential (ELM 3.2 on the W3C VC Data Model 2.0, JSON-LD), signed by the issuing institution as a JWS. Valid against the official EDC JSON Schema.',
    },
  },
});

@Directive('@shareable')
@ObjectType('Document', {
  description:
    'A transcript or certificate written in an official exchange format, ready to hand to systems outside the hub.',
})
export class HubDocument {
  @Field(() => DocumentFormat, { description: 'The format.' })
  format!: DocumentFormat;

  @Field({
    description:
      'Media type of `content`: "application/xml" (ELMO) or "application/vc" (EDC, the VCDM 2.0 media type of an unsecured credential).',
  })
  mediaType!: string;

  @Field({ description: 'A file name to save `content` under, e.g. "transcript-rvt.lv_T-LA-2026-001-1.xml".' })
  fileName!: string;

  @Field({ description: 'The document itself: the XML text, or the credential as JSON-LD text.' })
  content!: string;

  @Field(() => String, {
    nullable: true,
    description:
      'EDC only: the credential signed by the issuing institution\'s shard, as a compact JWS (RFC 7515, media type "application/vc+jwt", ES256) whose payload is `content` byte for byte. Check it with `verifyCredential`; the public keys are published by `mobilitiesSigningKeys` / `recognitionSigningKeys`. Null for ELMO.',
  })
  signedCredential!: string | null;

  @Field({
    description:
      'Where the hub serves the same document over plain HTTP (relative to the hub): "/documents/<transcript|certificate>/<hub ID>.<xml|json>".',
  })
  downloadUrl!: string;
}

/** Whether what a credential attests still stands, as its issuer's records say. */
export enum CredentialStatus {
  CURRENT = 'CURRENT',
  SUPERSEDED = 'SUPERSEDED',
  REVOKED = 'REVOKED',
  UNKNOWN = 'UNKNOWN',
}
registerEnumType(CredentialStatus, {
  name: 'CredentialStatus',
  description: "Whether the record a credential attests still stands, by its issuer's records.",
  valuesConfig: {
    CURRENT: { description: 'It is the current version of the record.' },
    SUPERSEDED: {
      description: 'A later version replaced it (a reissued transcript, a new certificate for the same qualification).',
    },
    REVOKED: { description: 'The issuer revoked it.' },
    UNKNOWN: { description: 'The issuer has no such record, or could not be asked.' },
  },
});

@ObjectType({
  description:
    "The result of checking a signed credential: its signature against the issuer's published keys, and its status at the issuer. Shows only what the credential itself states.",
})
export class CredentialVerification {
  @Field({ description: 'True when the signature holds and the credential is CURRENT.' })
  valid!: boolean;

  @Field(() => String, { nullable: true, description: 'Why it is not valid; null when it is.' })
  reason!: string | null;

  @Field({ description: 'Whether the signature matches a key the issuing institution publishes.' })
  signatureValid!: boolean;

  @Field(() => CredentialStatus, {
    description: 'Status of the attested record at the issuer (UNKNOWN when the signature does not hold).',
  })
  status!: CredentialStatus;

  @Field(() => InstitutionRef, {
    nullable: true,
    description:
      "The institution whose key signed it, when the key ID names one; also null when that institution's qualifications shard cannot answer (an error names it; `keyId` still names the institution).",
  })
  issuer!: InstitutionRef | null;

  @Field(() => String, { nullable: true, description: 'The key ID from the JWS header.' })
  keyId!: string | null;

  @Field(() => String, {
    nullable: true,
    description: "The credential's `id` (a URN naming the transcript or certificate), when the signature holds.",
  })
  credentialId!: string | null;

  @Field(() => DateTimeScalar, {
    nullable: true,
    description: 'When the attested record was issued, as the credential states it.',
  })
  issuedAt!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'The verified credential (JSON-LD text), when the signature holds.',
  })
  credential!: string | null;
}
