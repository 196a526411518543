import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { LearningAgreement } from '../../../schema/mobility/learning-agreement';
import { UnitRef } from '../../../schema/mobility/references';
import { partyRoleOf } from '../../shared/access';
import type { MobilitiesContext } from '../context';
import { toAgreement } from '../learning-agreement/learning-agreement.mapper';
import { partiesOf } from '../learning-agreement/learning-agreement.service';

/** The unit's owner's shard knows the agreements it sends learners abroad under: ECVET agreements list the home institution's units. */
@Resolver(() => UnitRef)
export class UnitAgreementsResolver {
  @FieldResolver(() => [LearningAgreement], {
    nullable: true,
    description:
      "Learning agreements of the unit's institution that include the unit in their binding version, those the caller is party to. Empty for anonymous callers. " +
      "Null when that institution's mobilities shard cannot answer (an error names the institution): the unit itself still arrives.",
  })
  async learningAgreements(@Root() unit: UnitRef, @Ctx() context: MobilitiesContext): Promise<LearningAgreement[]> {
    if (!context.caller) return [];
    const agreements = await context.loaders.agreementsOfUnit.load(unit.id);
    return agreements.filter((row) => partyRoleOf(context.caller, partiesOf(row)) !== null).map(toAgreement);
  }
}

export async function resolveUnitReference(reference: { id: string }): Promise<UnitRef> {
  return Object.assign(new UnitRef(), { id: reference.id });
}
