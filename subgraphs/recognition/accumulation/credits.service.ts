import type { EntityManager } from 'typeorm';
import { RecognitionDecisionRecord } from '../decision/decision.entity';
import { CreditRecord } from '../record/credit.entity';
import type { StoredCreditSource } from '../record/credit-source';
import { RouteDecisionRecord } from '../routes/route-decision.entity';
import { accumulate, type CreditingDecision, type HomeUnit } from './accumulation';

/** A route decision as accumulation reads decisions: its source unit (if any) stands for the unit decided on. */
export function asCrediting(record: RouteDecisionRecord): CreditingDecision {
  return {
    id: record.id,
    unitId: record.sourceUnitId ?? '',
    decision: record.decision,
    recognisedOutcomeIds: [],
    homeUnitIds: record.homeUnitIds,
    homeOutcomeIds: record.homeOutcomeIds,
    decidedAt: record.decidedAt,
  };
}

type Sourced = CreditingDecision & { source: StoredCreditSource };

/** Every decision of a learner that may credit home units: after mobilities, by transfer, from prior learning. */
export async function creditingDecisions(manager: EntityManager, learnerId: string): Promise<Sourced[]> {
  const [abroad, routes] = await Promise.all([
    manager.findBy(RecognitionDecisionRecord, { learnerId }),
    manager.findBy(RouteDecisionRecord, { learnerId }),
  ]);
  return [
    ...abroad.map((d): Sourced => ({ ...d, source: 'ABROAD' })),
    ...routes.map((d): Sourced => ({ ...asCrediting(d), source: d.route === 'TRANSFER' ? 'TRANSFER' : 'VPL' })),
  ];
}

/**
 * Rebuilds the recognition credits of the given home units from every decision of the learner that credits them,
 * in the caller's transaction: a unit credited by several decisions is one credit (its source is the earliest's),
 * and a revised decision changes it. A unit achieved at home keeps that credit; a recognition adds nothing to it.
 */
export async function rebuildCredits(
  manager: EntityManager,
  learnerId: string,
  qualificationId: string,
  units: readonly HomeUnit[],
  creditedOn: string,
): Promise<void> {
  if (units.length === 0) return;
  const decisions = await creditingDecisions(manager, learnerId);
  for (const unit of units) {
    const existing = await manager.findOneBy(CreditRecord, { learnerId, unitId: unit.id });
    if (existing?.source === 'HOME') continue;
    const credit = accumulate(unit, decisions);
    const first = decisions.find((d) => d.id === credit?.first.id);
    if (existing) await manager.delete(CreditRecord, { learnerId, unitId: unit.id });
    if (!credit) continue;
    await manager.insert(CreditRecord, {
      learnerId,
      unitId: unit.id,
      qualificationId,
      ecvetPoints: credit.ecvetPoints,
      source: first?.source ?? 'ABROAD',
      creditedOn: existing?.creditedOn ?? creditedOn,
      decisionId: credit.first.id,
      achievedAsUnitId: credit.first.unitId || null,
      outcomeIds: credit.outcomeIds,
    });
  }
}
