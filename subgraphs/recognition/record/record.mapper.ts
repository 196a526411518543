import { QualificationRef, ref } from '../../../schema/mobility/references';
import { RecognitionUnitRef } from '../../../schema/recognition/references';
import { LearnerRecord, QualificationProgress } from '../../../schema/recognition/recognition';
import { toStatement } from '../certificate/certificate.mapper';
import { toDecision } from '../decision/decision.mapper';
import { homeUnitsProgress, isComplete } from '../accumulation/home-units.mapper';
import { toCredit } from './credit.mapper';
import type { LearnerRecordData } from './record.service';

/** Progress with why the qualification could not be read, if so (not in the schema: the field resolver raises it). */
export type ProgressView = QualificationProgress & { unreadable: string | null };

/** A learner's record with the progress towards each qualification: points accumulated and missing, units missing. */
export function toLearnerRecord(learnerId: string, data: LearnerRecordData, institution: string): LearnerRecord {
  const qualificationIds = [...new Set([...data.credits.map((c) => c.qualificationId), ...data.qualifications.keys()])];
  return Object.assign(new LearnerRecord(), {
    learnerId,
    qualifications: qualificationIds.map((id) => {
      const credits = data.credits.filter((c) => c.qualificationId === id);
      const qualification = data.qualifications.get(id);
      const accumulated = Math.round(credits.reduce((sum, c) => sum + c.ecvetPoints, 0) * 100) / 100;
      const unreadable = qualification ? null : data.qualificationsUnreadable;
      const required = unreadable ? null : (qualification?.ecvetPoints ?? 0);
      const credited = new Set(credits.map((c) => c.unitId));
      const units =
        qualification && !unreadable ? homeUnitsProgress(qualification, credits, data.crediting, institution) : null;
      const missing = unreadable
        ? null
        : (qualification?.units ?? []).filter((u) => u.status === 'ACTIVE' && !credited.has(u.id)).map((u) => u.id);
      const progress: ProgressView = Object.assign(new QualificationProgress(), {
        qualificationId: id,
        qualification: ref(QualificationRef, id),
        requiredEcvetPoints: required,
        accumulatedEcvetPoints: accumulated,
        missingEcvetPoints: required === null ? null : Math.max(0, required - accumulated),
        credits: credits.map((c) => toCredit(c, institution)),
        missingUnitIds: missing,
        missingUnits: missing?.map((unitId) => ref(RecognitionUnitRef, unitId)) ?? null,
        units,
        complete: units && required !== null ? isComplete(units, accumulated, required) : null,
        unreadable,
      });
      return progress;
    }),
    decisions: data.decisions.map((d) => toDecision(d, institution)),
    certificates: data.certificates.map((c) => toStatement(c, institution)),
  });
}
