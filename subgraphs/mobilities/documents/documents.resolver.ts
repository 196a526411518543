import { Arg, Ctx, Directive, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { CredentialStatus, DocumentFormat, HubDocument } from '../../../schema/documents';
import { NotFoundError } from '../../../schema/errors';
import { Transcript } from '../../../schema/mobility/assessment';
import { partyRoleOf, requireCaller } from '../../shared/access';
import { publishedKeys } from '../../shared/documents/signing';
import { ownLocalId } from '../../shared/local-id';
import { toTranscript } from '../assessment/assessment.mapper';
import type { MobilitiesContext } from '../context';
import { partiesOf } from '../learning-agreement/learning-agreement.service';
import {
  importElmoTranscript,
  requireOwnInstitution,
  TRANSCRIPT_SIGNER_KIND,
  transcriptDocument,
  transcriptStatus,
} from './documents.service';
import { findTranscript } from './transcript-data';

const FORMAT_DESCRIPTION = 'ELMO (XML) or EDC (Europass Digital Credential, JSON-LD, signed).';

/** `Transcript.document`: the transcript in an official format, for whoever may read the transcript. */
@Resolver(() => Transcript)
export class TranscriptDocumentResolver {
  @FieldResolver(() => HubDocument, {
    nullable: true,
    description:
      'The transcript as an ELMO file or a signed Europass Digital Credential, with the units, learning outcomes, EQF levels and institutions read from their owners. Parties to the agreement only. ' +
      "Null, with an error, when it cannot be written (an owner's shard cannot answer, say): the transcript itself still arrives.",
  })
  async document(
    @Root() transcript: Transcript,
    @Arg('format', () => DocumentFormat, { description: FORMAT_DESCRIPTION }) format: DocumentFormat,
    @Ctx() context: MobilitiesContext,
  ): Promise<HubDocument> {
    const localId = ownLocalId(context.institution, transcript.id);
    const record = localId === null ? null : await findTranscript(context, localId);
    if (!record) throw new NotFoundError(`No transcript ${transcript.id} at ${context.institution}`);
    return transcriptDocument(context, record, format);
  }
}

@Resolver()
export class MobilityDocumentsResolver {
  @Directive('@owner(argument: "id")')
  @Query(() => HubDocument, {
    nullable: true,
    description:
      "A transcript (any version) by its hub ID, as a document; null if there is none. Parties to the agreement only. The hub's download route uses it.",
  })
  async transcriptDocument(
    @Arg('id', () => ID, { description: 'Hub ID of the transcript, e.g. "rvt.lv:T-LA-2026-001-1".' }) id: string,
    @Arg('format', () => DocumentFormat, { description: FORMAT_DESCRIPTION }) format: DocumentFormat,
    @Ctx() context: MobilitiesContext,
  ): Promise<HubDocument | null> {
    const caller = requireCaller(context);
    const localId = ownLocalId(context.institution, id);
    const record = localId === null ? null : await findTranscript(context, localId);
    const agreement = record ? await context.loaders.agreement.load(record.agreementId) : null;
    // A non-party gets what an unknown transcript gets.
    return record && agreement && partyRoleOf(caller, partiesOf(agreement))
      ? transcriptDocument(context, record, format)
      : null;
  }

  @Directive('@owner(argument: "institution")')
  @Query(() => String, {
    description:
      'Public: the JSON Web Key Set (RFC 7517, as JSON text) of the keys the institution\'s mobilities shard signs transcript credentials with. Key IDs read "<institution>/mobilities#<thumbprint>".',
  })
  async mobilitiesSigningKeys(
    @Arg('institution', () => ID, { description: 'The institution code.' }) institution: string,
    @Ctx() context: MobilitiesContext,
  ): Promise<string> {
    requireOwnInstitution(context, institution);
    return JSON.stringify(await publishedKeys(context.db, { institution, kind: TRANSCRIPT_SIGNER_KIND }));
  }

  @Directive('@owner(argument: "learningAgreementId")')
  @Query(() => CredentialStatus, {
    description:
      "Public, for holders of a transcript credential (`verifyCredential` asks it): whether the transcript the credential attests is still the agreement's current one. UNKNOWN unless `credential` is one this institution signed for this agreement, so it tells nobody else anything.",
  })
  async transcriptCredentialStatus(
    @Arg('learningAgreementId', () => ID, { description: 'Hub ID of the learning agreement the credential names.' })
    learningAgreementId: string,
    @Arg('credential', { description: 'The signed transcript credential (compact JWS).' }) credential: string,
    @Ctx() context: MobilitiesContext,
  ): Promise<CredentialStatus> {
    return transcriptStatus(context, learningAgreementId, credential);
  }

  @Directive('@owner(argument: "learningAgreementId")')
  @Mutation(() => Transcript, {
    description:
      "Imports a partner's transcript of records, as an ELMO file, as the agreement's transcript (sending institution's coordinators): valid against the ELMO schema, for the agreement's learner and hosting institution, every agreed unit matched by identifier or title. Stored as issueTranscript stores one; nothing is written on error.",
  })
  async importElmoTranscript(
    @Arg('learningAgreementId', () => ID, {
      description: "Hub ID of a signed learning agreement of the caller's institution.",
    })
    learningAgreementId: string,
    @Arg('document', {
      description: 'The ELMO file, as XML text: UTF-8, at most 500,000 bytes, without DOCTYPE, entities or XInclude.',
    })
    document: string,
    @Ctx() context: MobilitiesContext,
  ): Promise<Transcript> {
    return toTranscript(await importElmoTranscript(context, learningAgreementId, document), context.institution);
  }
}
