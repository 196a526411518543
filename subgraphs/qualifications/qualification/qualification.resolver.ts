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
import { ListOrder } from '../../../schema/enums';
import { Institution } from '../../../schema/institution';
import { Qualification } from '../../../schema/qualification';
import { Unit } from '../../../schema/unit';
import { keysetPage, selects } from '../../shared/paging';
import type { QualificationsContext } from '../context';
import { toInstitution } from '../institution/institution.mapper';
import { checkListOrder, isced, scopeExcludesShard, whereText } from '../search';
import { toUnit } from '../unit/unit.mapper';
import { QualificationRecord } from './qualification.entity';
import {
  CreateQualificationInput,
  QualificationFilter,
  UpdateQualificationInput,
  validateQualificationFilter,
} from './qualification.input';
import { readsList, tags } from '../cache-tags';
import { toQualification } from './qualification.mapper';
import { resolveQualificationReference } from './qualification.reference';
import { createQualification, updateQualification } from './qualification.service';

@ObjectType({ description: 'A page of qualifications.' })
export class QualificationConnection extends Connection(Qualification, 'Qualification', { nullableNodes: true }) {}

@Resolver(() => Qualification)
export class QualificationResolver {
  @Directive('@owner(argument: "id")')
  @Query(() => Qualification, {
    nullable: true,
    description: 'One qualification by hub ID; null if its owner has none with that ID.',
  })
  async qualification(
    @Arg('id', () => ID, { description: 'Hub ID, e.g. "rvt.lv:WELD".' }) id: string,
    @Ctx() context: QualificationsContext,
  ): Promise<Qualification | null> {
    return resolveQualificationReference({ id }, context);
  }

  @Query(() => QualificationConnection, {
    description: 'Qualifications of every institution, filtered, ordered by English title, paged.',
  })
  async qualifications(
    @Arg('filter', () => QualificationFilter, { nullable: true, description: 'Conditions that must all hold.' })
    filter: QualificationFilter | undefined,
    @Arg('first', () => Int, { defaultValue: 20, description: 'Page size, 1-100.' }) first: number,
    @Arg('after', () => String, { nullable: true, description: 'Cursor of the last edge already read.' })
    after: string | undefined,
    @Arg('orderBy', () => ListOrder, {
      defaultValue: ListOrder.TITLE,
      description: 'TITLE, or RELEVANCE for a text search (best matches first).',
    })
    orderBy: ListOrder,
    @Ctx() context: QualificationsContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<QualificationConnection> {
    validateQualificationFilter(filter);
    checkListOrder(orderBy, filter?.text);
    readsList(tags.qualificationList());
    const query = context.db.dataSource.manager.createQueryBuilder(QualificationRecord, 'q');
    if (await scopeExcludesShard(filter, context)) query.andWhere('1 = 0');
    whereText(query, 'q.searchText', filter?.text);
    if (filter?.eqfLevel) query.andWhere('q.eqfLevel = :eqf', { eqf: filter.eqfLevel });
    if (filter?.ecvetPoints?.min != null)
      query.andWhere('q.ecvetPoints >= :minPoints', { minPoints: filter.ecvetPoints.min });
    if (filter?.ecvetPoints?.max != null)
      query.andWhere('q.ecvetPoints <= :maxPoints', { maxPoints: filter.ecvetPoints.max });
    if (filter?.iscedField) query.andWhere('q.iscedCode LIKE :isced', { isced: isced(filter.iscedField) });
    if (filter?.escoOccupation) query.andWhere('q.escoOccupation = :occupation', { occupation: filter.escoOccupation });
    if (filter?.status) query.andWhere('q.status = :status', { status: filter.status });
    if (filter?.escoSkill) {
      query.andWhere(
        'EXISTS (SELECT 1 FROM unit su JOIN learning_outcome_skill s ON s.unitId = su.id WHERE su.qualificationId = q.id AND s.skillUri = :skill)',
        { skill: filter.escoSkill },
      );
    }
    const page = await keysetPage(query, 'q', first, after, { totalCount: selects(info, 'totalCount') });
    const nodes = page.records.map((record) => toQualification(record, context.institution));
    return {
      edges: nodes.map((node, index) => ({ node, cursor: page.cursors[index] ?? '' })),
      nodes,
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.cursors.at(-1) ?? null },
      // Not counted only when not selected, so this 0 is never sent.
      totalCount: page.totalCount ?? 0,
    };
  }

  @FieldResolver(() => [Unit], {
    description: 'The units of learning outcomes that make up the qualification, by title.',
  })
  async units(@Root() qualification: Qualification, @Ctx() context: QualificationsContext): Promise<Unit[]> {
    const records = await context.loaders.unitsOfQualification.load(qualification.localId);
    return records.map((record) => toUnit(record, context.institution));
  }

  @FieldResolver(() => Institution, { description: 'The institution that awards it.' })
  async institution(@Ctx() context: QualificationsContext): Promise<Institution> {
    const record = await context.loaders.institution.load(context.institution);
    if (!record) throw new Error(`Shard ${context.institution} has no institution record`);
    return toInstitution(record);
  }

  @Directive('@owner')
  @Mutation(() => Qualification, { description: "Adds a qualification to the calling coordinator's institution." })
  async createQualification(
    @Arg('input', () => CreateQualificationInput) input: CreateQualificationInput,
    @Ctx() context: QualificationsContext,
  ): Promise<Qualification> {
    return createQualification(context, input);
  }

  @Directive('@owner(argument: "id")')
  @Mutation(() => Qualification, { description: "Changes a qualification; only its owner's coordinators may." })
  async updateQualification(
    @Arg('id', () => ID, { description: 'Hub ID of the qualification.' }) id: string,
    @Arg('input', () => UpdateQualificationInput) input: UpdateQualificationInput,
    @Ctx() context: QualificationsContext,
  ): Promise<Qualification> {
    return updateQualification(context, id, input);
  }
}
