import { RecognitionTarget, UnitCorrespondence } from '../../../schema/mobility/correspondence';
import { LearningOutcomeRef, ref, UnitRef } from '../../../schema/mobility/references';
import type { StoredCorrespondence, StoredRecognitionTarget } from './correspondence.entity';

const units = (ids: readonly string[]) => ids.map((id) => ref(UnitRef, id));
const outcomes = (ids: readonly string[]) => ids.map((id) => ref(LearningOutcomeRef, id));

export function toCorrespondence(line: StoredCorrespondence): UnitCorrespondence {
  return Object.assign(new UnitCorrespondence(), {
    ...line,
    hostUnits: units(line.hostUnitIds),
    homeUnits: units(line.homeUnitIds),
    homeOutcomes: outcomes(line.homeOutcomeIds),
  });
}

export function toRecognitionTarget(target: StoredRecognitionTarget | null | undefined): RecognitionTarget | null {
  if (!target) return null;
  return Object.assign(new RecognitionTarget(), {
    ...target,
    homeUnits: units(target.homeUnitIds),
    homeOutcomes: outcomes(target.homeOutcomeIds),
  });
}
