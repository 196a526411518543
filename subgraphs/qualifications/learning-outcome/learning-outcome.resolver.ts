import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { LearningOutcome } from '../../../schema/learning-outcome';
import { EscoSkillUriScalar } from '../../../schema/scalars';
import { Unit } from '../../../schema/unit';
import type { QualificationsContext } from '../context';
import { ownLocalId } from '../../shared/local-id';
import { toUnit } from '../unit/unit.mapper';

@Resolver(() => LearningOutcome)
export class LearningOutcomeResolver {
  @FieldResolver(() => [EscoSkillUriScalar], { description: 'ESCO skills and competences this outcome evidences.' })
  async escoSkills(@Root() outcome: LearningOutcome, @Ctx() context: QualificationsContext): Promise<string[]> {
    const localId = ownLocalId(context.institution, outcome.id);
    return localId === null ? [] : context.loaders.skillsOfOutcome.load(localId);
  }

  @FieldResolver(() => Unit, { description: 'The unit this outcome belongs to.' })
  async unit(@Root() outcome: LearningOutcome, @Ctx() context: QualificationsContext): Promise<Unit> {
    const localId = ownLocalId(context.institution, outcome.id);
    const record = localId === null ? null : await context.loaders.outcome.load(localId);
    const unit = record ? await context.loaders.unit.load(record.unitId) : null;
    if (!unit) throw new Error(`Learning outcome ${outcome.id} has no unit`);
    return toUnit(unit, context.institution);
  }
}
