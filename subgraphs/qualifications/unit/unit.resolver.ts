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
import { LearningOutcomeCategory, ListOrder } from '../../../schema/enums';
import { Institution } from '../../../schema/institution';
import { LearningOutcome } from '../../../schema/learning-outcome';
import { Qualification } from '../../../schema/qualification';
import { EscoSkillUriScalar } from '../../../schema/scalars';
import { Unit } from '../../../schema/unit';
import { keysetPage, selects } from '../../shared/paging';
import type { QualificationsContext } from '../context';
import { toInstitution } from '../institution/institution.mapper';
import { toLearningOutcome } from '../learning-outcome/learning-outcome.mapper';
import { ownLocalId } from '../../shared/local-id';
import { toQualification } from '../qualification/qualification.mapper';
import { checkListOrder, isced, scopeExcludesShard, whereText } from '../search';
import { UnitRecord } from './unit.entity';
import { CreateUnitInput, UnitFilter, UpdateUnitInput, validateUnitFilter } from './unit.input';
import { readsList, tags } from '../cache-tags';
import { toUnit } from './unit.mapper';
import { resolveUnitReference } from './unit.reference';
import { createUnit, retireUnit, updateUnit } from './unit.service';
import { reviewUnitWrite, withReviews } from '../learning-outcome-review/unit-review';

@ObjectType({ description: 'A page of units of learning outcomes.' })
export class UnitConnection extends Connection(Unit, 'Unit', { nullableNodes: true }) {}

@Resolver(() => Unit)
export class UnitResolver {
  @Directive('@owner(argument: "id")')
  @Query(() => Unit, {
    nullable: true,
    description: 'One unit of learning outcomes by hub ID; null if its owner has none with that ID.',
  })
  async unit(
    @Arg('id', () => ID, { description: 'Hub ID, e.g. "rvt.lv:WELD-U3".' }) id: string,
    @Ctx() context: QualificationsContext,
  ): Promise<Unit | null> {
    return resolveUnitReference({ id }, context);
  }

  @Query(() => UnitConnection, {
    description:
      'Units of every institution, filtered, ordered by English title, paged. Compare units across countries with one query.',
  })
  async units(
    @Arg('filter', () => UnitFilter, { nullable: true, description: 'Conditions that must all hold.' })
    filter: UnitFilter | undefined,
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
  ): Promise<UnitConnection> {
    validateUnitFilter(filter);
    checkListOrder(orderBy, filter?.text);
    readsList(tags.unitList());
    const query = context.db.dataSource.manager.createQueryBuilder(UnitRecord, 'u');
    if (await scopeExcludesShard(filter, context)) query.andWhere('1 = 0');
    whereText(query, 'u.searchText', filter?.text);
    if (filter?.eqfLevel) query.andWhere('u.eqfLevel = :eqf', { eqf: filter.eqfLevel });
    if (filter?.ecvetPoints?.min != null)
      query.andWhere('u.ecvetPoints >= :minPoints', { minPoints: filter.ecvetPoints.min });
    if (filter?.ecvetPoints?.max != null)
      query.andWhere('u.ecvetPoints <= :maxPoints', { maxPoints: filter.ecvetPoints.max });
    if (filter?.status) query.andWhere('u.status = :status', { status: filter.status });
    if (filter?.qualification) {
      const localId = ownLocalId(context.institution, filter.qualification, 'filter.qualification');
      query.andWhere('u.qualificationId = :qualification', { qualification: localId ?? '' });
    }
    // The qualification's fields as scalar subqueries, not a join: without a join TypeORM pages with a plain
    // LIMIT (`take` over a join wraps the query in a DISTINCT subquery), and MariaDB cannot turn them into a
    // semi-join that reads qualifications first and sorts every match: it walks idx_unit_eqf_order in title
    // order and stops after the page (1 ms instead of 8 at 2,000 units).
    if (filter?.iscedField) {
      query.andWhere('(SELECT q.iscedCode FROM qualification q WHERE q.id = u.qualificationId) LIKE :isced', {
        isced: isced(filter.iscedField),
      });
    }
    if (filter?.escoOccupation) {
      query.andWhere('(SELECT q.escoOccupation FROM qualification q WHERE q.id = u.qualificationId) = :occupation', {
        occupation: filter.escoOccupation,
      });
    }
    if (filter?.escoSkills && filter.escoSkills.length > 0) {
      query.andWhere(
        'EXISTS (SELECT 1 FROM learning_outcome_skill s WHERE s.unitId = u.id AND s.skillUri IN (:...skills))',
        {
          skills: filter.escoSkills,
        },
      );
    }
    const page = await keysetPage(query, 'u', first, after, { totalCount: selects(info, 'totalCount') });
    // The page's records as the unit loader's: `qualification` below reads them, which would read them again.
    for (const record of page.records) context.loaders.unit.prime(record.id, record);
    const nodes = page.records.map((record) => toUnit(record, context.institution));
    return {
      edges: nodes.map((node, index) => ({ node, cursor: page.cursors[index] ?? '' })),
      nodes,
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.cursors.at(-1) ?? null },
      // Not counted only when not selected, so this 0 is never sent.
      totalCount: page.totalCount ?? 0,
    };
  }

  @FieldResolver(() => [LearningOutcome], { description: 'What the learner achieves with the unit, in order.' })
  async learningOutcomes(
    @Root() unit: Unit,
    @Arg('category', () => LearningOutcomeCategory, { nullable: true, description: 'Only outcomes of this category.' })
    category: LearningOutcomeCategory | null,
    @Ctx() context: QualificationsContext,
  ): Promise<LearningOutcome[]> {
    const records = await context.loaders.outcomesOfUnit.load(unit.localId);
    return records
      .filter((record) => !category || record.category === category)
      .map((record) => toLearningOutcome(record, context.institution));
  }

  @FieldResolver(() => [EscoSkillUriScalar], {
    description: 'Every ESCO skill its learning outcomes evidence, without repeats.',
  })
  async escoSkills(@Root() unit: Unit, @Ctx() context: QualificationsContext): Promise<string[]> {
    const outcomes = await context.loaders.outcomesOfUnit.load(unit.localId);
    const skills = await context.loaders.skillsOfOutcome.loadMany(outcomes.map((outcome) => outcome.id));
    return [...new Set(skills.flatMap((list) => (Array.isArray(list) ? list : [])))];
  }

  @FieldResolver(() => Qualification, { description: 'The qualification the unit is part of.' })
  async qualification(@Root() unit: Unit, @Ctx() context: QualificationsContext): Promise<Qualification> {
    const record = await context.loaders.unit.load(unit.localId);
    const qualification = record ? await context.loaders.qualification.load(record.qualificationId) : null;
    if (!qualification) throw new Error(`Unit ${unit.id} has no qualification`);
    return toQualification(qualification, context.institution);
  }

  @FieldResolver(() => Institution, { description: 'The institution that awards it.' })
  async institution(@Ctx() context: QualificationsContext): Promise<Institution> {
    const record = await context.loaders.institution.load(context.institution);
    if (!record) throw new Error(`Shard ${context.institution} has no institution record`);
    return toInstitution(record);
  }

  @Directive('@owner(argument: "input.qualificationId")')
  @Mutation(() => Unit, {
    description: "Adds a unit to a qualification; only the qualification owner's coordinators may.",
  })
  async createUnit(
    @Arg('input', () => CreateUnitInput) input: CreateUnitInput,
    @Arg('review', {
      defaultValue: false,
      description: 'Also review every outcome statement; the reviews come in `outcomeReviews`. Never blocks by itself.',
    })
    review: boolean,
    @Ctx() context: QualificationsContext,
  ): Promise<Unit> {
    // Blocking findings are checked on every write, asked for or not: a setting a write could skip would not hold.
    const reviews = await reviewUnitWrite(context, input.learningOutcomes, input.eqfLevel);
    const unit = await createUnit(context, input);
    return review ? withReviews(unit, reviews) : unit;
  }

  @Directive('@owner(argument: "id")')
  @Mutation(() => Unit, { description: "Changes a unit; only its owner's coordinators may." })
  async updateUnit(
    @Arg('id', () => ID, { description: 'Hub ID of the unit.' }) id: string,
    @Arg('input', () => UpdateUnitInput) input: UpdateUnitInput,
    @Arg('review', {
      defaultValue: false,
      description:
        'Also review the outcome statements sent (or, without them, the stored ones); the reviews come in `outcomeReviews`.',
    })
    review: boolean,
    @Ctx() context: QualificationsContext,
  ): Promise<Unit> {
    const stored = await resolveUnitReference({ id }, context);
    const outcomes =
      input.learningOutcomes ?? (review && stored ? await context.loaders.outcomesOfUnit.load(stored.localId) : []);
    const reviews = await reviewUnitWrite(context, outcomes, input.eqfLevel ?? stored?.eqfLevel ?? null);
    const unit = await updateUnit(context, id, input);
    return review ? withReviews(unit, reviews) : unit;
  }

  @Directive('@owner(argument: "id")')
  @Mutation(() => Unit, {
    description: 'Retires a unit: it stays readable for earlier agreements but is no longer offered.',
  })
  async retireUnit(
    @Arg('id', () => ID, { description: 'Hub ID of the unit.' }) id: string,
    @Ctx() context: QualificationsContext,
  ): Promise<Unit> {
    return retireUnit(context, id);
  }
}
