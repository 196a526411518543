import type { GraphQLResolveInfo } from 'graphql';
import {
  Arg,
  Ctx,
  Directive,
  FieldResolver,
  ID,
  Info,
  Int,
  Mutation,
  ObjectType,
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import { Connection } from '../../../schema/connection';
import { Assessment, Evaluation, Transcript } from '../../../schema/mobility/assessment';
import { AgreementParty } from '../../../schema/mobility/enums';
import { LearningAgreement, LearningAgreementVersion } from '../../../schema/mobility/learning-agreement';
import { partyRoleOf, requireCaller } from '../../shared/access';
import { ownLocalId } from '../../shared/local-id';
import { keysetPage, selects } from '../../shared/paging';
import { LearningAgreementRecord } from './learning-agreement.entity';
import { toAssessment, toTranscript } from '../assessment/assessment.mapper';
import type { MobilitiesContext } from '../context';
import { SignatureInput } from '../memorandum/memorandum.input';
import { AgreementTermsInput, CreateLearningAgreementInput, LearningAgreementFilter } from './learning-agreement.input';
import { toAgreement, toVersion, type AgreementView } from './learning-agreement.mapper';
import {
  cancelLearningAgreement,
  createLearningAgreement,
  decideChange,
  partiesOf,
  proposeChange,
  recordEvaluation,
  signLearningAgreement,
} from './learning-agreement.service';

@ObjectType({ description: 'A page of learning agreements.' })
export class LearningAgreementConnection extends Connection(LearningAgreement, 'LearningAgreement') {}

/** An agreement for its parties; null for anyone else, as for an unknown ID, so nobody learns which exist. */
export async function resolveAgreementReference(
  reference: { id: string },
  context: MobilitiesContext,
): Promise<LearningAgreement | null> {
  const caller = requireCaller(context);
  const localId = ownLocalId(context.institution, reference.id);
  const record = localId === null ? null : await context.loaders.agreement.load(localId);
  return record && partyRoleOf(caller, partiesOf(record)) ? toAgreement(record) : null;
}

@Resolver(() => LearningAgreement)
export class LearningAgreementResolver {
  @Directive('@owner(argument: "id")')
  @Query(() => LearningAgreement, {
    nullable: true,
    description: 'A Learning Agreement by hub ID; for its parties only.',
  })
  async learningAgreement(
    @Arg('id', () => ID, { description: 'Hub ID.' }) id: string,
    @Ctx() context: MobilitiesContext,
  ): Promise<LearningAgreement | null> {
    return resolveAgreementReference({ id }, context);
  }

  @Query(() => LearningAgreementConnection, {
    description: 'Learning agreements the caller is party to, across the federation, by mobility start.',
  })
  async learningAgreements(
    @Arg('filter', () => LearningAgreementFilter, { nullable: true, description: 'Conditions that must all hold.' })
    filter: LearningAgreementFilter | undefined,
    @Arg('first', () => Int, { defaultValue: 20, description: 'Page size, 1-100.' }) first: number,
    @Arg('after', () => String, { nullable: true, description: 'Cursor of the last edge already read.' })
    after: string | undefined,
    @Ctx() context: MobilitiesContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<LearningAgreementConnection> {
    const caller = requireCaller(context);
    const query = context.db.dataSource.manager.createQueryBuilder(LearningAgreementRecord, 'a');
    // Only what the caller is party to: staff see their institution's agreements, a learner their own.
    const staff = caller.roles.some((role) => role !== 'learner');
    if (staff && caller.institution === context.institution) query.andWhere('1 = 1');
    else if (staff) query.andWhere('a.hostingInstitution = :me', { me: caller.institution });
    else query.andWhere('a.learnerId = :learner', { learner: caller.learnerId ?? '' });
    if (filter?.institution) {
      const side =
        filter.role === AgreementParty.SENDING
          ? 'a.sendingInstitution = :inst'
          : filter.role === AgreementParty.HOSTING
            ? 'a.hostingInstitution = :inst'
            : '(a.sendingInstitution = :inst OR a.hostingInstitution = :inst)';
      query.andWhere(side, { inst: filter.institution });
    }
    if (filter?.status) query.andWhere('a.status = :status', { status: filter.status });
    if (filter?.learnerId) query.andWhere('a.learnerId = :learnerId', { learnerId: filter.learnerId });
    if (filter?.activeOn) {
      query.andWhere(
        'EXISTS (SELECT 1 FROM agreement_version v WHERE v.agreementId = a.id AND v.number = a.currentVersion AND v.mobilityStart <= :on AND v.mobilityEnd >= :on)',
        { on: filter.activeOn },
      );
    }
    const page = await keysetPage(query, 'a', first, after, { totalCount: selects(info, 'totalCount') });
    const nodes = page.records.map(toAgreement);
    return {
      edges: nodes.map((node, index) => ({ node, cursor: page.cursors[index] ?? '' })),
      nodes,
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.cursors.at(-1) ?? null },
      // Counted only when selected, so this 0 is never sent.
      totalCount: page.totalCount ?? 0,
    };
  }

  @FieldResolver(() => LearningAgreementVersion, { description: 'The binding version (or version 1 while unsigned).' })
  async current(
    @Root() agreement: AgreementView,
    @Ctx() context: MobilitiesContext,
  ): Promise<LearningAgreementVersion> {
    const versions = await this.versions(agreement, context);
    return versions.find((v) => v.number === agreement.record.currentVersion) as LearningAgreementVersion;
  }

  @FieldResolver(() => LearningAgreementVersion, {
    nullable: true,
    description: 'An amendment waiting for approval, if any.',
  })
  async pendingChange(
    @Root() agreement: AgreementView,
    @Ctx() context: MobilitiesContext,
  ): Promise<LearningAgreementVersion | null> {
    if (agreement.record.pendingVersion === null) return null;
    return (await this.versions(agreement, context)).find((v) => v.number === agreement.record.pendingVersion) ?? null;
  }

  @FieldResolver(() => [LearningAgreementVersion], { description: 'Every version, oldest first.' })
  async versions(
    @Root() agreement: AgreementView,
    @Ctx() context: MobilitiesContext,
  ): Promise<LearningAgreementVersion[]> {
    const [versions, signatures] = await Promise.all([
      context.loaders.versionsOf.load(agreement.record.id),
      context.loaders.signaturesOf.load(agreement.record.id),
    ]);
    return versions.map((version) => toVersion(version, signatures));
  }

  @FieldResolver(() => [Assessment], { description: 'Assessments recorded by the hosting institution, by date.' })
  async assessments(@Root() agreement: AgreementView, @Ctx() context: MobilitiesContext): Promise<Assessment[]> {
    return (await context.loaders.assessmentsOf.load(agreement.record.id)).map((a) =>
      toAssessment(a, agreement.record.sendingInstitution),
    );
  }

  @FieldResolver(() => Transcript, {
    nullable: true,
    description: 'The current transcript of records, once the hosting institution issued one.',
  })
  async transcript(@Root() agreement: AgreementView, @Ctx() context: MobilitiesContext): Promise<Transcript | null> {
    const current = (await context.loaders.transcriptsOf.load(agreement.record.id)).find((t) => t.current);
    return current ? toTranscript(current, agreement.record.sendingInstitution) : null;
  }

  @FieldResolver(() => [Transcript], { description: 'Every transcript issued, oldest first.' })
  async transcripts(@Root() agreement: AgreementView, @Ctx() context: MobilitiesContext): Promise<Transcript[]> {
    return (await context.loaders.transcriptsOf.load(agreement.record.id)).map((t) =>
      toTranscript(t, agreement.record.sendingInstitution),
    );
  }

  @FieldResolver(() => [Evaluation], { description: "The partners' evaluations of the finished mobility." })
  async evaluations(@Root() agreement: AgreementView, @Ctx() context: MobilitiesContext): Promise<Evaluation[]> {
    const rows = await context.loaders.evaluationsOf.load(agreement.record.id);
    return rows.map((row) => Object.assign(new Evaluation(), { ...row, recordedAt: row.recordedAt.toISOString() }));
  }

  @Directive('@owner')
  @Mutation(() => LearningAgreement, {
    description: "Creates a Learning Agreement (version 1, unsigned) for a learner of the caller's institution.",
  })
  async createLearningAgreement(
    @Arg('input', () => CreateLearningAgreementInput) input: CreateLearningAgreementInput,
    @Ctx() context: MobilitiesContext,
  ): Promise<LearningAgreement> {
    return toAgreement(await createLearningAgreement(context, input));
  }

  @Directive('@owner(argument: "id")')
  @Mutation(() => LearningAgreement, {
    description:
      "Signs version 1 for the caller's party (sending or hosting coordinator, or the learner). Three signatures make it binding.",
  })
  async signLearningAgreement(
    @Arg('id', () => ID, { description: 'Hub ID.' }) id: string,
    @Arg('signature', () => SignatureInput) signature: SignatureInput,
    @Ctx() context: MobilitiesContext,
  ): Promise<LearningAgreement> {
    return toAgreement(await signLearningAgreement(context, id, signature));
  }

  @Directive('@owner(argument: "id")')
  @Mutation(() => LearningAgreement, {
    description:
      'Proposes an amendment of a signed agreement as a new version, approved by the proposer; the other parties approve or reject it.',
  })
  async proposeLearningAgreementChange(
    @Arg('id', () => ID, { description: 'Hub ID.' }) id: string,
    @Arg('reason', { description: 'Why it changes.' }) reason: string,
    @Arg('terms', () => AgreementTermsInput, { description: 'The terms of the new version, whole.' })
    terms: AgreementTermsInput,
    @Arg('signature', () => SignatureInput, { description: "The proposer's approval." }) signature: SignatureInput,
    @Ctx() context: MobilitiesContext,
  ): Promise<LearningAgreement> {
    return toAgreement(await proposeChange(context, id, reason, terms, signature));
  }

  @Directive('@owner(argument: "id")')
  @Mutation(() => LearningAgreement, {
    description: "Approves the pending amendment for the caller's party; the third approval makes it binding.",
  })
  async approveLearningAgreementChange(
    @Arg('id', () => ID, { description: 'Hub ID.' }) id: string,
    @Arg('signature', () => SignatureInput) signature: SignatureInput,
    @Ctx() context: MobilitiesContext,
  ): Promise<LearningAgreement> {
    return toAgreement(await decideChange(context, id, 'approve', signature));
  }

  @Directive('@owner(argument: "id")')
  @Mutation(() => LearningAgreement, {
    description: 'Rejects the pending amendment; the binding version stays as it was.',
  })
  async rejectLearningAgreementChange(
    @Arg('id', () => ID, { description: 'Hub ID.' }) id: string,
    @Arg('reason', { description: 'Why.' }) reason: string,
    @Ctx() context: MobilitiesContext,
  ): Promise<LearningAgreement> {
    return toAgreement(await decideChange(context, id, 'reject', reason));
  }

  @Directive('@owner(argument: "id")')
  @Mutation(() => LearningAgreement, {
    description: 'Cancels an agreement (sending or hosting coordinator) unless a transcript was issued.',
  })
  async cancelLearningAgreement(
    @Arg('id', () => ID, { description: 'Hub ID.' }) id: string,
    @Arg('reason', { description: 'Why.' }) reason: string,
    @Ctx() context: MobilitiesContext,
  ): Promise<LearningAgreement> {
    return toAgreement(await cancelLearningAgreement(context, id, reason));
  }

  @Directive('@owner(argument: "id")')
  @Mutation(() => LearningAgreement, {
    description: "Records the caller's institution's evaluation of the finished mobility.",
  })
  async recordEvaluation(
    @Arg('id', () => ID, { description: 'Hub ID of the learning agreement.' }) id: string,
    @Arg('wentAsAgreed', { description: 'Whether the mobility went as agreed.' }) wentAsAgreed: boolean,
    @Arg('comments', { description: 'What went well and what did not.' }) comments: string,
    @Ctx() context: MobilitiesContext,
  ): Promise<LearningAgreement> {
    await recordEvaluation(context, id, wentAsAgreed, comments);
    return (await resolveAgreementReference({ id }, context)) as LearningAgreement;
  }
}
