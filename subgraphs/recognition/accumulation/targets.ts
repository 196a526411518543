import { BadUserInputError } from '../../../schema/errors';
import { RecognitionDecisionKind } from '../../../schema/recognition/recognition';
import type { HubQualification } from '../hub';
import type { ValidatedUnit } from '../validation/validation.entity';

/** What a decision request says about home units, beside the decision itself. */
export interface TargetRequest {
  decision: RecognitionDecisionKind;
  learningOutcomeIds: readonly string[];
  homeUnitIds?: readonly string[] | null;
  homeOutcomeIds?: readonly string[] | null;
  overrideReason?: string | null;
}

export interface DecisionTargets {
  homeUnitIds: string[];
  homeOutcomeIds: string[];
  overrideReason: string | null;
}

/** What the agreement foresaw: its `recognisedAs`, or for older agreements the unit itself when it is a home unit. */
export function foreseenTargets(
  unit: ValidatedUnit,
  home: HubQualification,
): { homeUnitIds: string[]; homeOutcomeIds: string[] } | null {
  if (unit.recognisedAs) return unit.recognisedAs;
  return home.units.some((u) => u.id === unit.unitId) ? { homeUnitIds: [unit.unitId], homeOutcomeIds: [] } : null;
}

/** Outcomes credited in effect: those named of each unit, or all of a unit none of whose outcomes is named. */
function effectiveOutcomes(units: HubQualification['units'], named: readonly string[]): string[] {
  return units.flatMap((unit) => {
    const own = unit.learningOutcomes.map((o) => o.id);
    const some = own.filter((id) => named.includes(id));
    return some.length > 0 ? some : own;
  });
}

const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && new Set([...a, ...b]).size === new Set(a).size;

/**
 * The home units and outcomes a decision credits: the agreement's, or others named with a reason. A partial
 * recognition credits the home outcomes named (for a unit that is itself the home unit, the outcomes recognised).
 */
export function decisionTargets(
  field: string,
  unit: ValidatedUnit,
  request: TargetRequest,
  home: HubQualification,
): DecisionTargets {
  if (request.decision === RecognitionDecisionKind.REFUSED)
    return { homeUnitIds: [], homeOutcomeIds: [], overrideReason: null };
  const foreseen = foreseenTargets(unit, home);
  const homeUnitIds = [...(request.homeUnitIds ?? foreseen?.homeUnitIds ?? [])];
  if (homeUnitIds.length === 0)
    throw new BadUserInputError(
      `${field}.homeUnitIds: the agreement foresees no home unit of ${home.id} for ${unit.unitId}; name the home units it is recognised as, with an overrideReason`,
      `${field}.homeUnitIds`,
    );
  const units = homeUnitIds.map((id, index) => {
    const found = home.units.find((u) => u.id === id);
    if (!found)
      throw new BadUserInputError(
        `${field}.homeUnitIds[${index}] ${id} is not a unit of the home qualification ${home.id}`,
        `${field}.homeUnitIds[${index}]`,
      );
    return found;
  });
  const isSameUnit = homeUnitIds.length === 1 && homeUnitIds[0] === unit.unitId;
  let homeOutcomeIds: string[];
  if (request.homeOutcomeIds) homeOutcomeIds = [...request.homeOutcomeIds];
  else if (request.decision === RecognitionDecisionKind.PARTIALLY_RECOGNISED) {
    if (!isSameUnit)
      throw new BadUserInputError(
        `${field}.homeOutcomeIds must name the home learning outcomes a partial recognition of ${unit.unitId} credits`,
        `${field}.homeOutcomeIds`,
      );
    homeOutcomeIds = [...request.learningOutcomeIds];
  } else homeOutcomeIds = request.homeUnitIds ? [] : [...(foreseen?.homeOutcomeIds ?? [])];
  const outcomesOfUnits = new Set(units.flatMap((u) => u.learningOutcomes.map((o) => o.id)));
  homeOutcomeIds.forEach((id, index) => {
    if (!outcomesOfUnits.has(id))
      throw new BadUserInputError(
        `${field}.homeOutcomeIds[${index}] ${id} is not a learning outcome of the home units ${homeUnitIds.join(', ')}`,
        `${field}.homeOutcomeIds[${index}]`,
      );
  });
  // What is credited in effect (a unit none of whose outcomes is named counts whole) must lie within what the
  // agreement foresaw, or a reason is needed.
  const foreseenUnits = home.units.filter((u) => foreseen?.homeUnitIds.includes(u.id));
  const foreseenOutcomes = new Set(effectiveOutcomes(foreseenUnits, foreseen?.homeOutcomeIds ?? []));
  const deviates =
    !foreseen ||
    !sameSet(homeUnitIds, foreseen.homeUnitIds) ||
    effectiveOutcomes(units, homeOutcomeIds).some((id) => !foreseenOutcomes.has(id));
  const reason = request.overrideReason?.trim() ? request.overrideReason : null;
  if (deviates && !reason)
    throw new BadUserInputError(
      `${field}.overrideReason is required to credit home units or outcomes the agreement did not foresee for ${unit.unitId} (it foresaw ${foreseen ? foreseen.homeUnitIds.join(', ') : 'none'})`,
      `${field}.overrideReason`,
    );
  return { homeUnitIds, homeOutcomeIds, overrideReason: deviates ? reason : null };
}
