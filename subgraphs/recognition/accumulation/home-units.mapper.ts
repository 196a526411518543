import { entityId } from '../../../schema/ids';
import { LearningOutcomeRef, ref } from '../../../schema/mobility/references';
import { RecognitionUnitRef } from '../../../schema/recognition/references';
import { HomeUnitProgress, HomeUnitStatus } from '../../../schema/recognition/recognition';
import type { HubQualification } from '../hub';
import type { CreditRecord } from '../record/credit.entity';
import { creditedPart, type CreditingDecision } from './accumulation';
import { creditSourceOf } from '../record/credit-source';

function statusOf(credit: CreditRecord | undefined): HomeUnitStatus {
  if (!credit) return HomeUnitStatus.MISSING;
  if (credit.outcomeIds) return HomeUnitStatus.PARTLY_ACHIEVED;
  return credit.source === 'HOME' ? HomeUnitStatus.ACHIEVED_AT_HOME : HomeUnitStatus.RECOGNISED;
}

/** Each active unit of a home qualification with its credit, the decisions behind it and the outcomes still missing. */
export function homeUnitsProgress(
  qualification: HubQualification,
  credits: readonly CreditRecord[],
  decisions: readonly CreditingDecision[],
  institution: string,
): HomeUnitProgress[] {
  const ordered = [...decisions].sort((a, b) => a.decidedAt.getTime() - b.decidedAt.getTime());
  return qualification.units
    .filter((unit) => unit.status === 'ACTIVE')
    .map((unit) => {
      const credit = credits.find((c) => c.unitId === unit.id);
      const credited = credit ? (credit.outcomeIds ?? unit.learningOutcomes.map((o) => o.id)) : [];
      const missing = unit.learningOutcomes.map((o) => o.id).filter((id) => !credited.includes(id));
      return Object.assign(new HomeUnitProgress(), {
        unitId: unit.id,
        unit: ref(RecognitionUnitRef, unit.id),
        status: statusOf(credit),
        source: credit ? creditSourceOf(credit.source) : null,
        unitEcvetPoints: unit.ecvetPoints,
        creditedEcvetPoints: credit?.ecvetPoints ?? 0,
        decisionIds: ordered.filter((d) => creditedPart(d, unit) !== null).map((d) => entityId(institution, d.id)),
        missingOutcomeIds: missing,
        missingOutcomes: missing.map((id) => ref(LearningOutcomeRef, id)),
      });
    });
}

/** Complete: every active unit credited in full and the required points reached. */
export function isComplete(units: readonly HomeUnitProgress[], accumulated: number, required: number): boolean {
  return (
    units.every((u) => u.status === HomeUnitStatus.ACHIEVED_AT_HOME || u.status === HomeUnitStatus.RECOGNISED) &&
    accumulated + 1e-9 >= required
  );
}
