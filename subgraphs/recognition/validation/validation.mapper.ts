import { entityId } from '../../../schema/ids';
import { LearningOutcomeRef, ref } from '../../../schema/mobility/references';
import { RecognitionUnitRef } from '../../../schema/recognition/references';
import { TranscriptValidation, ValidationFinding } from '../../../schema/recognition/recognition';
import type { TranscriptValidationRecord } from './validation.entity';

export function toValidation(record: TranscriptValidationRecord, institution: string): TranscriptValidation {
  return Object.assign(new TranscriptValidation(), {
    id: entityId(institution, record.id),
    learningAgreementId: record.agreementId,
    transcriptVersion: record.transcriptVersion,
    agreementVersion: record.agreementVersion,
    consistent: record.consistent,
    findings: record.units.map((unit) => {
      const notAchieved = unit.achievedOutcomeIds
        ? unit.agreedOutcomeIds.filter((id) => !unit.achievedOutcomeIds?.includes(id))
        : [];
      return Object.assign(new ValidationFinding(), {
        unitId: unit.unitId,
        unit: ref(RecognitionUnitRef, unit.unitId),
        achieved: unit.achieved,
        agreedEcvetPoints: unit.agreedEcvetPoints,
        transcriptEcvetPoints: unit.transcriptEcvetPoints,
        outcomeIdsNotAchieved: notAchieved,
        outcomesNotAchieved: notAchieved.map((id) => ref(LearningOutcomeRef, id)),
        differences: unit.differences,
      });
    }),
    validatedAt: record.validatedAt.toISOString(),
    validatedBy: record.validatedBy,
  });
}
