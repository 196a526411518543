import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { BadUserInputError, ConflictError, ForbiddenError, NotFoundError } from '../../../schema/errors';
import { entityId } from '../../../schema/ids';
import { AgreementStatus, AssessmentResult } from '../../../schema/mobility/enums';
import { requireCaller, requireParty, requireStaffRole } from '../../shared/access';
import { recordAudit } from '../../shared/audit/audit';
import { inTransaction } from '../../shared/outbox/outbox';
import type { Caller } from '../../../platform/caller';
import { ownLocalId } from '../../shared/local-id';
import type { MobilitiesContext } from '../context';
import { addDays, today } from '../dates';
import {
  AgreementVersionRecord,
  LearningAgreementRecord,
  type StoredAgreedUnit,
} from '../learning-agreement/learning-agreement.entity';
import { agreementEvent, loadAgreement, partiesOf } from '../learning-agreement/learning-agreement.service';
import { decideResult } from '../grading/grade';
import {
  AssessmentRecord,
  TranscriptRecord,
  type StoredOutcomeResult,
  type StoredTranscriptEntry,
} from './assessment.entity';
import type { CorrectAssessmentInput, OutcomeResultInput, RecordAssessmentInput } from './assessment.input';

/** How long after the mobility an assessment may still be dated. */
export const ASSESSMENT_GRACE_DAYS = 30;

function requireHostingRole(
  context: MobilitiesContext,
  record: LearningAgreementRecord,
  role: 'assessor' | 'coordinator',
  action: string,
): Caller {
  const caller = requireCaller(context);
  if (caller.institution !== record.hostingInstitution) {
    throw new ForbiddenError(
      `Only the hosting institution ${record.hostingInstitution} may ${action}; the caller belongs to ${caller.institution}`,
    );
  }
  return requireStaffRole(context, record.hostingInstitution, role, action);
}

async function bindingTerms(manager: EntityManager, record: LearningAgreementRecord): Promise<AgreementVersionRecord> {
  if (record.status === AgreementStatus.CANCELLED)
    throw new ConflictError(
      `Learning agreement ${entityId(record.sendingInstitution, record.id)} is cancelled: nothing more is assessed`,
    );
  if (record.status !== AgreementStatus.SIGNED) {
    throw new ConflictError(
      `Learning agreement ${entityId(record.sendingInstitution, record.id)} is not signed by all three parties yet: no assessment before that`,
    );
  }
  return manager.findOneByOrFail(AgreementVersionRecord, { agreementId: record.id, number: record.currentVersion });
}

function checkResult(
  version: AgreementVersionRecord,
  agreed: StoredAgreedUnit,
  input: { assessedOn: string; outcomeResults: OutcomeResultInput[] },
): void {
  const last = addDays(version.mobilityEnd, ASSESSMENT_GRACE_DAYS);
  if (input.assessedOn < version.mobilityStart || input.assessedOn > last) {
    throw new ConflictError(
      `assessedOn ${input.assessedOn} must fall within the mobility (${version.mobilityStart} to ${version.mobilityEnd}) or the ${ASSESSMENT_GRACE_DAYS} days after it`,
      { field: 'input.assessedOn' },
    );
  }
  if (input.assessedOn > today())
    throw new BadUserInputError(`assessedOn ${input.assessedOn} is in the future`, 'input.assessedOn');
  input.outcomeResults.forEach((outcome, index) => {
    if (!agreed.learningOutcomeIds.includes(outcome.learningOutcomeId)) {
      throw new BadUserInputError(
        `input.outcomeResults[${index}].learningOutcomeId ${outcome.learningOutcomeId} is not an agreed outcome of unit ${agreed.unitId}`,
        `input.outcomeResults[${index}].learningOutcomeId`,
      );
    }
  });
}

const storedOutcomeResult = (o: OutcomeResultInput): StoredOutcomeResult => ({
  learningOutcomeId: o.learningOutcomeId,
  result: o.result,
  evidence: o.evidence ?? null,
});

const points = (agreed: StoredAgreedUnit, result: AssessmentResult) =>
  result === AssessmentResult.ACHIEVED ? agreed.ecvetPoints : 0;

export async function recordAssessment(
  context: MobilitiesContext,
  input: RecordAssessmentInput,
): Promise<AssessmentRecord> {
  return inTransaction(context, async (manager) => {
    const record = await loadAgreement(manager, context, input.learningAgreementId, 'input.learningAgreementId');
    const caller = requireHostingRole(context, record, 'assessor', 'record assessments');
    const version = await bindingTerms(manager, record);
    const agreed = version.content.units.find((unit) => unit.unitId === input.unitId);
    if (!agreed)
      throw new ConflictError(
        `input.unitId ${input.unitId} is not in the signed learning agreement (version ${version.number})`,
        { field: 'input.unitId' },
      );
    checkResult(version, agreed, input);
    const result = decideResult(agreed.gradingScale, agreed.learningOutcomeIds, input);
    if (await manager.existsBy(AssessmentRecord, { agreementId: record.id, unitId: input.unitId })) {
      throw new ConflictError(`Unit ${input.unitId} is assessed already under this agreement: use correctAssessment`, {
        field: 'input.unitId',
      });
    }
    const recordedAt = new Date().toISOString();
    const assessment = manager.create(AssessmentRecord, {
      id: `A-${randomUUID()}`,
      agreementId: record.id,
      unitId: input.unitId,
      result,
      grade: input.grade ?? null,
      method: input.method,
      assessorName: input.assessorName,
      assessedOn: input.assessedOn,
      evidence: input.evidence ?? null,
      outcomeResults: input.outcomeResults.map(storedOutcomeResult),
      ecvetPoints: points(agreed, result),
      revision: 1,
      history: [
        {
          revision: 1,
          result,
          grade: input.grade ?? null,
          assessedOn: input.assessedOn,
          reason: null,
          recordedAt,
        },
      ],
    });
    await manager.insert(AssessmentRecord, assessment);
    await agreementEvent(manager, record, 'ASSESSMENT_RECORDED', entityId(context.institution, assessment.id));
    await recordAudit(manager, context, caller, {
      action: 'recordAssessment',
      entityId: entityId(context.institution, assessment.id),
      input,
    });
    return assessment;
  });
}

export async function correctAssessment(
  context: MobilitiesContext,
  id: string,
  input: CorrectAssessmentInput,
): Promise<AssessmentRecord> {
  if (input.reason.trim() === '')
    throw new BadUserInputError('input.reason must say why the assessment is corrected', 'input.reason');
  return inTransaction(context, async (manager) => {
    requireCaller(context);
    const localId = ownLocalId(context.institution, id);
    const assessment = localId === null ? null : await manager.findOneBy(AssessmentRecord, { id: localId });
    const record = assessment ? await manager.findOneBy(LearningAgreementRecord, { id: assessment.agreementId }) : null;
    const notFound = { message: `No assessment ${id} at ${context.institution}`, field: 'id' };
    if (!assessment || !record) throw new NotFoundError(notFound.message, { field: notFound.field });
    // A non-party learns neither that the assessment exists nor which agreement it belongs to.
    requireParty(context, partiesOf(record), notFound);
    const caller = requireHostingRole(context, record, 'assessor', 'correct assessments');
    const version = await bindingTerms(manager, record);
    const agreed = version.content.units.find((unit) => unit.unitId === assessment.unitId);
    if (!agreed)
      throw new ConflictError(`Unit ${assessment.unitId} is no longer in the binding version of the agreement`);
    checkResult(version, agreed, input);
    const result = decideResult(agreed.gradingScale, agreed.learningOutcomeIds, input);
    const revision = assessment.revision + 1;
    Object.assign(assessment, {
      result,
      grade: input.grade ?? null,
      assessedOn: input.assessedOn,
      evidence: input.evidence ?? null,
      outcomeResults: input.outcomeResults.map(storedOutcomeResult),
      ecvetPoints: points(agreed, result),
      revision,
      history: [
        ...assessment.history,
        {
          revision,
          result,
          grade: input.grade ?? null,
          assessedOn: input.assessedOn,
          reason: input.reason,
          recordedAt: new Date().toISOString(),
        },
      ],
    });
    await manager.save(AssessmentRecord, assessment);
    await agreementEvent(manager, record, 'ASSESSMENT_CORRECTED', id);
    await recordAudit(manager, context, caller, { action: 'correctAssessment', entityId: id, input });
    return assessment;
  });
}

export async function issueTranscript(
  context: MobilitiesContext,
  agreementId: string,
  issuedBy: string,
): Promise<TranscriptRecord> {
  if (issuedBy.trim() === '') throw new BadUserInputError('issuedBy must name who issues the transcript', 'issuedBy');
  return inTransaction(context, async (manager) => {
    const record = await loadAgreement(manager, context, agreementId, 'learningAgreementId');
    const caller = requireHostingRole(context, record, 'coordinator', 'issue the transcript');
    const version = await bindingTerms(manager, record);
    const assessments = await manager.findBy(AssessmentRecord, { agreementId: record.id });
    const missing = version.content.units
      .filter((unit) => !assessments.some((a) => a.unitId === unit.unitId))
      .map((unit) => unit.unitId);
    if (missing.length > 0)
      throw new ConflictError(`Units not assessed yet: ${missing.join(', ')}; a transcript lists every agreed unit`);
    const entries: StoredTranscriptEntry[] = version.content.units.map((unit) => {
      const assessment = assessments.find((a) => a.unitId === unit.unitId) as AssessmentRecord;
      return {
        unitId: unit.unitId,
        result: assessment.result,
        grade: assessment.grade,
        assessedOn: assessment.assessedOn,
        ecvetPoints: assessment.ecvetPoints,
        outcomeResults: assessment.outcomeResults,
        gradingScale: unit.gradingScale ?? null,
        assessmentCriteria: unit.assessmentCriteria ?? [],
      };
    });
    const previous = await manager.find(TranscriptRecord, {
      where: { agreementId: record.id },
      order: { version: 'DESC' },
      take: 1,
    });
    await manager.update(TranscriptRecord, { agreementId: record.id }, { current: false });
    const transcript = manager.create(TranscriptRecord, {
      id: `T-${record.id}-${(previous[0]?.version ?? 0) + 1}`,
      agreementId: record.id,
      version: (previous[0]?.version ?? 0) + 1,
      agreementVersion: version.number,
      current: true,
      issuedAt: new Date(),
      issuedBy,
      entries,
      totalEcvetPoints: entries.reduce((sum, entry) => sum + entry.ecvetPoints, 0),
    });
    await manager.insert(TranscriptRecord, transcript);
    await agreementEvent(manager, record, 'TRANSCRIPT_ISSUED', entityId(context.institution, transcript.id));
    await recordAudit(manager, context, caller, {
      action: 'issueTranscript',
      entityId: entityId(context.institution, transcript.id),
      input: { agreementId, issuedBy },
    });
    return transcript;
  });
}
