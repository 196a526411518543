import { Arg, Ctx, Directive, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import { CredentialVerification, DocumentFormat, HubDocument } from '../../../schema/documents';
import { NotFoundError } from '../../../schema/errors';
import { CertificateStatement } from '../../../schema/recognition/recognition';
import { publishedKeys } from '../../shared/documents/signing';
import type { RecognitionContext } from '../context';
import { findCertificate } from '../certificate/certificate.service';
import { CERTIFICATE_SIGNER_KIND, certificateDocument } from './documents.service';
import { verifyCredential } from './verify.service';

/** `CertificateStatement.document`: readable wherever the statement is (its verification is public). */
@Resolver(() => CertificateStatement)
export class CertificateDocumentResolver {
  @FieldResolver(() => HubDocument, {
    nullable: true,
    description:
      'The certificate as a Europass Digital Credential signed by its issuer (EDC only), stating what the certificate states, with the units, learning outcomes and EQF levels as their owner publishes them. ' +
      "Null, with an error, when it cannot be written (an owner's shard cannot answer, say): the statement itself still arrives.",
  })
  async document(
    @Root() statement: CertificateStatement,
    @Arg('format', () => DocumentFormat, { description: 'EDC (ELMO is for transcripts).' }) format: DocumentFormat,
    @Ctx() context: RecognitionContext,
  ): Promise<HubDocument> {
    const record = await findCertificate(context, statement.code);
    if (!record) throw new NotFoundError(`No certificate ${statement.code} at ${context.institution}`);
    return certificateDocument(context, record, format);
  }
}

@Resolver()
export class RecognitionDocumentsResolver {
  @Directive('@owner(argument: "institution")')
  @Query(() => String, {
    description:
      'Public: the JSON Web Key Set (RFC 7517, as JSON text) of the keys the institution\'s recognition shard signs certificate credentials with. Key IDs read "<institution>/recognition#<thumbprint>".',
  })
  async recognitionSigningKeys(
    @Arg('institution', () => ID, { description: 'The institution code.' }) institution: string,
    @Ctx() context: RecognitionContext,
  ): Promise<string> {
    if (institution !== context.institution)
      throw new NotFoundError(`This shard signs for ${context.institution}, not ${institution}`, {
        field: 'institution',
      });
    return JSON.stringify(await publishedKeys(context.db, { institution, kind: CERTIFICATE_SIGNER_KIND }));
  }

  @Query(() => CredentialVerification, {
    description:
      "Public: checks a credential the hub signed (the `signedCredential` of a Document, a compact JWS) — the signature against the issuing institution's published keys, and whether the transcript or certificate it attests was superseded or revoked. A changed credential fails, with the reason.",
  })
  async verifyCredential(
    @Arg('credential', { description: 'The signed credential (compact JWS).' }) credential: string,
    @Ctx() context: RecognitionContext,
  ): Promise<CredentialVerification> {
    return verifyCredential(context, credential);
  }
}
