import { entityId } from '../../../schema/ids';
import {
  AgreedUnit,
  AgreementSignature,
  AssessmentArrangement,
  ContactPerson,
  Learner,
  LearningAgreement,
  LearningAgreementVersion,
} from '../../../schema/mobility/learning-agreement';
import {
  InstitutionRef,
  LearningOutcomeRef,
  QualificationRef,
  ref,
  UnitRef,
} from '../../../schema/mobility/references';
import { toAgreedGradingScale, toOutcomeCriteria } from '../grading/grading.content';
import type {
  AgreementSignatureRecord,
  AgreementVersionRecord,
  LearningAgreementRecord,
} from './learning-agreement.entity';

import { toRecognitionTarget } from '../correspondence/correspondence.mapper';

export type AgreementView = LearningAgreement & { record: LearningAgreementRecord };

export function toAgreement(record: LearningAgreementRecord): AgreementView {
  return Object.assign(new LearningAgreement(), {
    id: entityId(record.sendingInstitution, record.id),
    status: record.status,
    sendingInstitutionId: record.sendingInstitution,
    sendingInstitution: ref(InstitutionRef, record.sendingInstitution),
    hostingInstitutionId: record.hostingInstitution,
    hostingInstitution: ref(InstitutionRef, record.hostingInstitution),
    sendingContact: Object.assign(new ContactPerson(), record.sendingContact),
    hostingContact: Object.assign(new ContactPerson(), record.hostingContact),
    learner: Object.assign(new Learner(), {
      id: record.learner.id,
      name: record.learner.name,
      dateOfBirth: record.learner.dateOfBirth,
      email: record.learner.email,
      homeQualificationId: record.learner.homeQualificationId,
      homeQualification: ref(QualificationRef, record.learner.homeQualificationId),
      progress: record.learner.progress,
    }),
    memorandumId: record.memorandumId ?? '',
    record,
  });
}

export function toVersion(
  version: AgreementVersionRecord,
  signatures: readonly AgreementSignatureRecord[],
): LearningAgreementVersion {
  return Object.assign(new LearningAgreementVersion(), {
    number: version.number,
    status: version.status,
    mobilityStart: version.mobilityStart,
    mobilityEnd: version.mobilityEnd,
    units: version.content.units.map((unit) =>
      Object.assign(new AgreedUnit(), {
        unitId: unit.unitId,
        unit: ref(UnitRef, unit.unitId),
        ecvetPoints: unit.ecvetPoints,
        learningOutcomeIds: unit.learningOutcomeIds,
        learningOutcomes: unit.learningOutcomeIds.map((id) => ref(LearningOutcomeRef, id)),
        learningActivities: unit.learningActivities,
        assessment: Object.assign(new AssessmentArrangement(), unit.assessment),
        gradingScale: toAgreedGradingScale(unit.gradingScale),
        assessmentCriteria: toOutcomeCriteria(unit.assessmentCriteria),
        recognisedAs: toRecognitionTarget(unit.recognisedAs),
      }),
    ),
    totalEcvetPoints: version.content.units.reduce((sum, unit) => sum + unit.ecvetPoints, 0),
    qualityAssurance: version.content.qualityAssurance,
    validationAndRecognition: version.content.validationAndRecognition,
    documentation: version.content.documentation,
    changeReason: version.changeReason,
    signatures: signatures
      .filter((s) => s.number === version.number)
      .map((s) =>
        Object.assign(new AgreementSignature(), {
          party: s.party,
          signerName: s.signerName,
          signerPosition: s.signerPosition,
          signedAt: s.signedAt.toISOString(),
        }),
      ),
    createdAt: version.createdAt.toISOString(),
  });
}
