import { RecognitionDecisionKind } from '../../../schema/recognition/recognition';

/** A unit of the home qualification as its owner publishes it. */
export interface HomeUnit {
  id: string;
  ecvetPoints: number;
  status: string;
  learningOutcomes: Array<{ id: string }>;
}

/** What accumulation reads of a decision. */
export interface CreditingDecision {
  id: string;
  /** The unit achieved elsewhere that was decided on. */
  unitId: string;
  decision: RecognitionDecisionKind;
  recognisedOutcomeIds: string[];
  /** Null on decisions made before decisions named home units: they credit their own unit. */
  homeUnitIds: string[] | null;
  homeOutcomeIds: string[] | null;
  decidedAt: Date;
}

/** Part of one home unit a decision credits: all of it, some outcomes, or nothing. */
export type CreditedPart = { whole: true } | { whole: false; outcomeIds: string[] } | null;

export const homeUnitsOf = (decision: CreditingDecision): string[] => decision.homeUnitIds ?? [decision.unitId];

/**
 * A home unit none of whose outcomes the decision names is credited whole; one with some named, those outcomes (all
 * of them named is the whole unit). A decision without home units credits its own unit's recognised outcomes.
 */
export function creditedPart(decision: CreditingDecision, unit: HomeUnit): CreditedPart {
  if (decision.decision === RecognitionDecisionKind.REFUSED || !homeUnitsOf(decision).includes(unit.id)) return null;
  const own = new Set(unit.learningOutcomes.map((o) => o.id));
  const named = [...new Set(decision.homeOutcomeIds ?? decision.recognisedOutcomeIds)].filter((id) => own.has(id));
  if (named.length === 0 || named.length >= own.size) return { whole: true };
  return { whole: false, outcomeIds: named };
}

const round2 = (value: number) => Math.round(value * 100) / 100;

/** Points of a part of a unit: all its points, or a share by outcomes. */
export function pointsOf(unit: HomeUnit, part: CreditedPart): number {
  if (!part) return 0;
  if (part.whole) return unit.ecvetPoints;
  return unit.learningOutcomes.length === 0
    ? 0
    : round2((unit.ecvetPoints * part.outcomeIds.length) / unit.learningOutcomes.length);
}

/** What a decision credits in all, each home unit counted as if no other decision credited it. */
export function decisionPoints(decision: CreditingDecision, units: ReadonlyMap<string, HomeUnit>): number {
  return round2(
    homeUnitsOf(decision).reduce((sum, id) => {
      const unit = units.get(id);
      return unit ? sum + pointsOf(unit, creditedPart(decision, unit)) : sum;
    }, 0),
  );
}

export interface AccumulatedUnit {
  ecvetPoints: number;
  /** Null when the unit is credited whole. */
  outcomeIds: string[] | null;
  /** The earliest decision crediting it: the credit's source. */
  first: CreditingDecision;
  decisionIds: string[];
}

/**
 * One home unit's credit from every decision that credits it: once, however many do (whole if any credits it
 * whole, else the union of their outcomes). Null when none does.
 */
export function accumulate(unit: HomeUnit, decisions: readonly CreditingDecision[]): AccumulatedUnit | null {
  const parts = [...decisions]
    .sort((a, b) => a.decidedAt.getTime() - b.decidedAt.getTime() || (a.id < b.id ? -1 : 1))
    .map((decision) => ({ decision, part: creditedPart(decision, unit) }))
    .filter((c): c is { decision: CreditingDecision; part: NonNullable<CreditedPart> } => c.part !== null);
  const first = parts[0];
  if (!first) return null;
  const whole = parts.some((c) => c.part.whole);
  const outcomeIds = whole
    ? null
    : unit.learningOutcomes
        .map((o) => o.id)
        .filter((id) => parts.some((c) => !c.part.whole && c.part.outcomeIds.includes(id)));
  const part: CreditedPart = outcomeIds === null ? { whole: true } : { whole: false, outcomeIds };
  const complete = outcomeIds !== null && outcomeIds.length >= unit.learningOutcomes.length;
  return {
    ecvetPoints: pointsOf(unit, complete ? { whole: true } : part),
    outcomeIds: complete ? null : outcomeIds,
    first: first.decision,
    decisionIds: parts.map((c) => c.decision.id),
  };
}
