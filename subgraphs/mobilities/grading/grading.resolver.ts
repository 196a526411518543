import { Ctx, FieldResolver, ID, Resolver, Root } from 'type-graphql';
import { Assessment } from '../../../schema/mobility/assessment';
import { AgreedGradingScale } from '../../../schema/mobility/grading';
import { ownLocalId } from '../../shared/local-id';
import type { MobilitiesContext } from '../context';
import type { StoredAgreedUnit } from '../learning-agreement/learning-agreement.entity';
import { achievedOutcomes } from './grade';
import { toAgreedGradingScale } from './grading.content';

/** The agreed unit an assessment is of, in the agreement's binding version. */
async function agreedUnitOf(assessment: Assessment, context: MobilitiesContext): Promise<StoredAgreedUnit | null> {
  const localId = ownLocalId(context.institution, assessment.learningAgreementId);
  const agreement = localId === null ? null : await context.loaders.agreement.load(localId);
  if (!agreement) return null;
  const versions = await context.loaders.versionsOf.load(agreement.id);
  const binding = versions.find((v) => v.number === agreement.currentVersion);
  return binding?.content.units.find((u) => u.unitId === assessment.unitId) ?? null;
}

/** What the agreed grading terms make of an assessment. */
@Resolver(() => Assessment)
export class AssessmentGradingResolver {
  @FieldResolver(() => [ID], {
    description:
      'Hub IDs of the learning outcomes achieved: those recorded achieved one by one, else every agreed outcome of the unit when it is achieved. What partial recognition can offer.',
  })
  async achievedLearningOutcomeIds(
    @Root() assessment: Assessment,
    @Ctx() context: MobilitiesContext,
  ): Promise<string[]> {
    const agreed = await agreedUnitOf(assessment, context);
    return achievedOutcomes(assessment.result, assessment.outcomeResults, agreed?.learningOutcomeIds ?? []);
  }

  @FieldResolver(() => AgreedGradingScale, {
    nullable: true,
    description: 'The scale of the grade, as the binding version of the agreement fixed it; null when it names none.',
  })
  async gradingScale(
    @Root() assessment: Assessment,
    @Ctx() context: MobilitiesContext,
  ): Promise<AgreedGradingScale | null> {
    return toAgreedGradingScale((await agreedUnitOf(assessment, context))?.gradingScale);
  }
}
