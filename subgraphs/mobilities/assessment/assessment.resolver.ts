import { Arg, Ctx, Directive, ID, Mutation, Query, Resolver } from 'type-graphql';
import { Assessment, Transcript } from '../../../schema/mobility/assessment';
import { partyRoleOf, requireCaller } from '../../shared/access';
import { ownLocalId } from '../../shared/local-id';
import type { MobilitiesContext } from '../context';
import { partiesOf } from '../learning-agreement/learning-agreement.service';
import { AssessmentRecord, TranscriptRecord } from './assessment.entity';
import { CorrectAssessmentInput, RecordAssessmentInput } from './assessment.input';
import { toAssessment, toTranscript } from './assessment.mapper';
import { correctAssessment, issueTranscript, recordAssessment } from './assessment.service';

/** An assessment for the parties to its agreement; null for anyone else, as for an unknown ID. */
export async function resolveAssessmentReference(
  reference: { id: string },
  context: MobilitiesContext,
): Promise<Assessment | null> {
  const caller = requireCaller(context);
  const localId = ownLocalId(context.institution, reference.id);
  const record =
    localId === null ? null : await context.db.dataSource.manager.findOneBy(AssessmentRecord, { id: localId });
  const agreement = record ? await context.loaders.agreement.load(record.agreementId) : null;
  return record && agreement && partyRoleOf(caller, partiesOf(agreement))
    ? toAssessment(record, context.institution)
    : null;
}

/** A transcript for the parties to its agreement; null for anyone else, as for an unknown ID. */
export async function resolveTranscriptReference(
  reference: { id: string },
  context: MobilitiesContext,
): Promise<Transcript | null> {
  const caller = requireCaller(context);
  const localId = ownLocalId(context.institution, reference.id);
  const record =
    localId === null ? null : await context.db.dataSource.manager.findOneBy(TranscriptRecord, { id: localId });
  const agreement = record ? await context.loaders.agreement.load(record.agreementId) : null;
  return record && agreement && partyRoleOf(caller, partiesOf(agreement))
    ? toTranscript(record, context.institution)
    : null;
}

@Resolver(() => Assessment)
export class AssessmentResolver {
  @Directive('@owner(argument: "id")')
  @Query(() => Assessment, {
    nullable: true,
    description: 'An assessment by hub ID; for the parties to its learning agreement.',
  })
  async assessment(
    @Arg('id', () => ID, { description: 'Hub ID.' }) id: string,
    @Ctx() context: MobilitiesContext,
  ): Promise<Assessment | null> {
    return resolveAssessmentReference({ id }, context);
  }

  @Directive('@owner(argument: "input.learningAgreementId")')
  @Mutation(() => Assessment, {
    description: "Records the hosting institution's assessment of an agreed unit (its assessors only).",
  })
  async recordAssessment(
    @Arg('input', () => RecordAssessmentInput) input: RecordAssessmentInput,
    @Ctx() context: MobilitiesContext,
  ): Promise<Assessment> {
    return toAssessment(await recordAssessment(context, input), context.institution);
  }

  @Directive('@owner(argument: "id")')
  @Mutation(() => Assessment, { description: 'Corrects an assessment; the earlier value stays in its history.' })
  async correctAssessment(
    @Arg('id', () => ID, { description: 'Hub ID of the assessment.' }) id: string,
    @Arg('input', () => CorrectAssessmentInput) input: CorrectAssessmentInput,
    @Ctx() context: MobilitiesContext,
  ): Promise<Assessment> {
    return toAssessment(await correctAssessment(context, id, input), context.institution);
  }

  @Directive('@owner(argument: "learningAgreementId")')
  @Mutation(() => Transcript, {
    description:
      'Issues the transcript of records once every agreed unit is assessed (hosting coordinator). A reissue is a new version.',
  })
  async issueTranscript(
    @Arg('learningAgreementId', () => ID, { description: 'Hub ID of the learning agreement.' })
    learningAgreementId: string,
    @Arg('issuedBy', { description: 'Name of the issuing coordinator.' }) issuedBy: string,
    @Ctx() context: MobilitiesContext,
  ): Promise<Transcript> {
    return toTranscript(await issueTranscript(context, learningAgreementId, issuedBy), context.institution);
  }

  @Directive('@owner(argument: "learningAgreementId")')
  @Query(() => Transcript, {
    nullable: true,
    description: 'The current transcript of records of a learning agreement; null until issued. Parties only.',
  })
  async transcript(
    @Arg('learningAgreementId', () => ID, { description: 'Hub ID of the learning agreement.' })
    learningAgreementId: string,
    @Ctx() context: MobilitiesContext,
  ): Promise<Transcript | null> {
    const caller = requireCaller(context);
    const localId = ownLocalId(context.institution, learningAgreementId, 'learningAgreementId');
    const agreement = localId === null ? null : await context.loaders.agreement.load(localId);
    // A non-party gets what an unknown agreement gets.
    if (!agreement || !partyRoleOf(caller, partiesOf(agreement))) return null;
    const current = (await context.loaders.transcriptsOf.load(agreement.id)).find((t) => t.current);
    return current ? toTranscript(current, context.institution) : null;
  }
}
