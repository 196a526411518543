import type { EntityManager } from 'typeorm';
import { RecognitionDecisionRecord } from '../decision/decision.entity';
import { CreditRecord } from '../record/credit.entity';
import { accumulate, type HomeUnit } from './accumulation';

/**
 * Rebuilds the recognition credits of the given home units from every decision of the learner that credits them,
 * in the caller's transaction: a unit credited by several decisions is one credit, and a revised decision changes
 * it. A unit achieved at home keeps that credit; a recognition adds nothing to it.
 */
export async function rebuildCredits(
  manager: EntityManager,
  learnerId: string,
  qualificationId: string,
  units: readonly HomeUnit[],
  creditedOn: string,
): Promise<void> {
  if (units.length === 0) return;
  const decisions = await manager.findBy(RecognitionDecisionRecord, { learnerId });
  for (const unit of units) {
    const existing = await manager.findOneBy(CreditRecord, { learnerId, unitId: unit.id });
    if (existing && existing.source !== 'ABROAD') continue;
    const credit = accumulate(unit, decisions);
    if (existing) await manager.delete(CreditRecord, { learnerId, unitId: unit.id });
    if (!credit) continue;
    await manager.insert(CreditRecord, {
      learnerId,
      unitId: unit.id,
      qualificationId,
      ecvetPoints: credit.ecvetPoints,
      source: 'ABROAD',
      creditedOn: existing?.creditedOn ?? creditedOn,
      decisionId: credit.first.id,
      achievedAsUnitId: credit.first.unitId,
      outcomeIds: credit.outcomeIds,
    });
  }
}
