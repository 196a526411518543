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
import { MemorandumStatus } from '../../../schema/mobility/enums';
import { Memorandum, MemorandumSignature } from '../../../schema/mobility/memorandum';
import { InstitutionRef, ref } from '../../../schema/mobility/references';
import { requireCaller } from '../../shared/access';
import { ownLocalId } from '../../shared/local-id';
import { keysetPage, selects } from '../../shared/paging';
import type { MobilitiesContext } from '../context';
import { MemorandumRecord } from './memorandum.entity';
import { ProposeMemorandumInput, SignatureInput } from './memorandum.input';
import { toMemorandum, type MemorandumView } from './memorandum.mapper';
import {
  isPartner,
  proposeMemorandum,
  signMemorandum,
  statusCondition,
  statusOf,
  terminateMemorandum,
} from './memorandum.service';

@ObjectType({ description: 'A page of memoranda.' })
export class MemorandumConnection extends Connection(Memorandum, 'Memorandum') {}

/** A memorandum for its partners; null for anyone else, as for an unknown ID. */
export async function resolveMemorandumReference(
  reference: { id: string },
  context: MobilitiesContext,
): Promise<Memorandum | null> {
  const caller = requireCaller(context);
  const localId = ownLocalId(context.institution, reference.id);
  const record =
    localId === null ? null : await context.db.dataSource.manager.findOneBy(MemorandumRecord, { id: localId });
  return record && isPartner(caller, record) ? toMemorandum(record) : null;
}

@Resolver(() => Memorandum)
export class MemorandumResolver {
  @Directive('@owner(argument: "id")')
  @Query(() => Memorandum, {
    nullable: true,
    description: 'A Memorandum of Understanding by hub ID; for its partners only.',
  })
  async memorandum(
    @Arg('id', () => ID, { description: 'Hub ID.' }) id: string,
    @Ctx() context: MobilitiesContext,
  ): Promise<Memorandum | null> {
    return resolveMemorandumReference({ id }, context);
  }

  @Query(() => MemorandumConnection, {
    description: "Memoranda the caller's institution is a partner of, across the federation, by title.",
  })
  async memoranda(
    @Arg('status', () => MemorandumStatus, { nullable: true, description: 'Only in this status.' })
    status: MemorandumStatus | undefined,
    @Arg('first', () => Int, { defaultValue: 20, description: 'Page size, 1-100.' }) first: number,
    @Arg('after', () => String, { nullable: true, description: 'Cursor of the last edge already read.' })
    after: string | undefined,
    @Ctx() context: MobilitiesContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<MemorandumConnection> {
    const caller = requireCaller(context);
    // Partners through the (institution, memorandumId) index; the status in SQL too, so pages are full and counts exact.
    const query = context.db.dataSource.manager
      .createQueryBuilder(MemorandumRecord, 'm')
      .where('m.id IN (SELECT p.memorandumId FROM memorandum_partner p WHERE p.institution = :partner)', {
        partner: caller.institution,
      });
    if (caller.roles.every((role) => role === 'learner')) query.andWhere('1 = 0');
    if (status) {
      const condition = statusCondition(status, 'm');
      query.andWhere(condition.where, condition.parameters);
    }
    const page = await keysetPage(query, 'm', first, after, { totalCount: selects(info, 'totalCount') });
    const nodes: MemorandumView[] = page.records.map(toMemorandum);
    return {
      edges: nodes.map((node, index) => ({ node, cursor: page.cursors[index] ?? '' })),
      nodes,
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.cursors.at(-1) ?? null },
      // Counted only when selected, so this 0 is never sent.
      totalCount: page.totalCount ?? 0,
    };
  }

  @FieldResolver(() => MemorandumStatus, { description: 'Where it stands today.' })
  async status(@Root() memorandum: MemorandumView, @Ctx() context: MobilitiesContext): Promise<MemorandumStatus> {
    return statusOf(memorandum.record, await context.loaders.memorandumSignaturesOf.load(memorandum.record.id));
  }

  @FieldResolver(() => [MemorandumSignature], { description: 'Signatures so far.' })
  async signatures(
    @Root() memorandum: MemorandumView,
    @Ctx() context: MobilitiesContext,
  ): Promise<MemorandumSignature[]> {
    const rows = await context.loaders.memorandumSignaturesOf.load(memorandum.record.id);
    return rows.map((row) =>
      Object.assign(new MemorandumSignature(), {
        institutionId: row.institution,
        institution: ref(InstitutionRef, row.institution),
        signerName: row.signerName,
        signerPosition: row.signerPosition,
        signedAt: row.signedAt.toISOString(),
        contentHash: row.contentHash,
      }),
    );
  }

  @Directive('@owner')
  @Mutation(() => Memorandum, {
    description: "Proposes a Memorandum of Understanding; the caller's institution owns it.",
  })
  async proposeMemorandum(
    @Arg('input', () => ProposeMemorandumInput) input: ProposeMemorandumInput,
    @Ctx() context: MobilitiesContext,
  ): Promise<Memorandum> {
    return toMemorandum(await proposeMemorandum(context, input));
  }

  @Directive('@owner(argument: "id")')
  @Mutation(() => Memorandum, {
    description: "Signs a memorandum for the caller's institution (a partner's coordinator), naming the text's hash.",
  })
  async signMemorandum(
    @Arg('id', () => ID, { description: 'Hub ID of the memorandum.' }) id: string,
    @Arg('contentHash', { description: 'The contentHash of the text being signed, as read.' }) contentHash: string,
    @Arg('signature', () => SignatureInput) signature: SignatureInput,
    @Ctx() context: MobilitiesContext,
  ): Promise<Memorandum> {
    return toMemorandum(await signMemorandum(context, id, contentHash, signature));
  }

  @Directive('@owner(argument: "id")')
  @Mutation(() => Memorandum, { description: "Ends a memorandum early; any partner's coordinator may." })
  async terminateMemorandum(
    @Arg('id', () => ID, { description: 'Hub ID of the memorandum.' }) id: string,
    @Arg('reason', { description: 'Why it ends.' }) reason: string,
    @Ctx() context: MobilitiesContext,
  ): Promise<Memorandum> {
    return toMemorandum(await terminateMemorandum(context, id, reason));
  }
}
