import type { EntityManager } from 'typeorm';
import { sortKeyOf } from '../../../schema/cursor';
import { ConflictError, ForbiddenError, NotFoundError } from '../../../schema/errors';
import { entityId } from '../../../schema/ids';
import { AgreementParty, AgreementStatus, VersionStatus } from '../../../schema/mobility/enums';
import { partyRoleOf, requireCaller, requireParty, requireStaffRole } from '../../shared/access';
import { recordAudit } from '../../shared/audit/audit';
import { inTransaction, recordEvent } from '../../shared/outbox/outbox';
import type { Caller } from '../../../platform/caller';
import { ownLocalId } from '../../shared/local-id';
import { TranscriptRecord } from '../assessment/assessment.entity';
import type { MobilitiesContext } from '../context';
import { today } from '../dates';
import { validateSignature, type SignatureInput } from '../memorandum/memorandum.input';
import type { StoredGradingScale } from '../../../schema/grading-scale';
import { agreedGrading } from '../grading/grading.content';
import { fetchAgreedScales } from '../grading/grading.hub';
import { checkTermsAgainstHub } from './hub-checks';
import type { StoredRecognitionTarget } from '../correspondence/correspondence.entity';
import { recognitionTargets } from '../correspondence/correspondence.hub';
import {
  validateCreateAgreement,
  validateTerms,
  type AgreementTermsInput,
  type CreateLearningAgreementInput,
} from './learning-agreement.input';
import {
  AgreementSignatureRecord,
  AgreementUnitRecord,
  AgreementVersionRecord,
  EvaluationRecord,
  LearningAgreementRecord,
  type StoredVersionContent,
} from './learning-agreement.entity';

/** The outbox event of a change to an agreement, in the change's transaction. */
export function agreementEvent(
  manager: EntityManager,
  record: LearningAgreementRecord,
  type: string,
  subjectId = entityId(record.sendingInstitution, record.id),
) {
  return recordEvent(manager, {
    type,
    subjectId,
    learningAgreementId: entityId(record.sendingInstitution, record.id),
    sendingInstitution: record.sendingInstitution,
    hostingInstitution: record.hostingInstitution,
    learnerId: record.learnerId,
  });
}

export const partiesOf = (record: LearningAgreementRecord) => ({
  sendingInstitution: record.sendingInstitution,
  hostingInstitution: record.hostingInstitution,
  learnerId: record.learnerId,
});

/** Which party the caller signs for: the sending or hosting institution's coordinator, or the learner. */
export function signingParty(caller: Caller, record: LearningAgreementRecord): AgreementParty | null {
  if (caller.roles.includes('learner') && caller.learnerId === record.learnerId) return AgreementParty.LEARNER;
  if (!caller.roles.includes('coordinator')) return null;
  if (caller.institution === record.sendingInstitution) return AgreementParty.SENDING;
  if (caller.institution === record.hostingInstitution) return AgreementParty.HOSTING;
  return null;
}

function requireSigningParty(
  context: MobilitiesContext,
  record: LearningAgreementRecord,
  action: string,
): { caller: Caller; party: AgreementParty } {
  const caller = requireCaller(context);
  const party = signingParty(caller, record);
  if (!party) {
    throw new ForbiddenError(
      `Only a coordinator of ${record.sendingInstitution} or ${record.hostingInstitution}, or the learner, may ${action}; the caller belongs to ${caller.institution}`,
    );
  }
  return { caller, party };
}

/** Loads an agreement this shard owns, for a caller who is a party to it. */
export async function loadAgreement(
  manager: EntityManager,
  context: MobilitiesContext,
  id: string,
  field = 'id',
): Promise<LearningAgreementRecord> {
  requireCaller(context);
  const localId = ownLocalId(context.institution, id, field);
  const record = localId === null ? null : await manager.findOneBy(LearningAgreementRecord, { id: localId });
  const notFound = { message: `No learning agreement ${id} at ${context.institution}`, field };
  if (!record) throw new NotFoundError(notFound.message, { field });
  requireParty(context, partiesOf(record), notFound);
  return record;
}

function content(
  terms: AgreementTermsInput,
  outcomes: Map<string, string[]>,
  scales: ReadonlyMap<string, StoredGradingScale>,
  targets: ReadonlyArray<StoredRecognitionTarget | null>,
  field: string,
): StoredVersionContent {
  return {
    units: terms.units.map((unit, index) => {
      const learningOutcomeIds =
        unit.learningOutcomeIds.length > 0 ? unit.learningOutcomeIds : (outcomes.get(unit.unitId) ?? []);
      return {
        unitId: unit.unitId,
        ecvetPoints: unit.ecvetPoints,
        learningOutcomeIds,
        learningActivities: unit.learningActivities,
        assessment: { ...unit.assessment },
        ...agreedGrading(unit, learningOutcomeIds, scales, `${field}.units[${index}]`),
        recognisedAs: targets[index] ?? null,
      };
    }),
    qualityAssurance: terms.qualityAssurance,
    validationAndRecognition: terms.validationAndRecognition,
    documentation: terms.documentation,
  };
}

/** Writes a version with its unit rows, in the caller's transaction: the rows are how a unit finds its agreements. */
async function insertVersion(manager: EntityManager, version: AgreementVersionRecord): Promise<void> {
  await manager.insert(AgreementVersionRecord, version);
  // validateTerms lets no version through without units or with a unit twice: one row per unit, never none.
  await manager.insert(
    AgreementUnitRecord,
    version.content.units.map((unit) => ({
      agreementId: version.agreementId,
      versionNumber: version.number,
      unitId: unit.unitId,
    })),
  );
}

export async function createLearningAgreement(
  context: MobilitiesContext,
  input: CreateLearningAgreementInput,
): Promise<LearningAgreementRecord> {
  const caller = requireStaffRole(
    context,
    context.institution,
    'coordinator',
    'create learning agreements for its learners',
  );
  validateCreateAgreement(input, context.institution);
  const outcomes = await checkTermsAgainstHub(
    context,
    input.memorandumId,
    { sending: context.institution, hosting: input.hostingInstitution },
    input.terms,
  );
  const scales = await fetchAgreedScales(context, input.hostingInstitution, input.terms.units, 'input.terms');
  const targets = await recognitionTargets(
    context,
    input.memorandumId,
    input.learner.homeQualificationId,
    input.terms,
    'input.terms',
  );
  return inTransaction(context, async (manager) => {
    if (await manager.existsBy(LearningAgreementRecord, { id: input.localId })) {
      throw new ConflictError(
        `Learning agreement ${entityId(context.institution, input.localId)} exists already: localId must be new`,
        { field: 'input.localId' },
      );
    }
    const learnerId = entityId(context.institution, input.learner.localId);
    const now = new Date();
    const record = manager.create(LearningAgreementRecord, {
      id: input.localId,
      sendingInstitution: context.institution,
      hostingInstitution: input.hostingInstitution,
      memorandumId: input.memorandumId,
      learnerId,
      learner: {
        id: learnerId,
        name: input.learner.name,
        dateOfBirth: input.learner.dateOfBirth,
        email: input.learner.email,
        homeQualificationId: input.learner.homeQualificationId,
        progress: input.learner.progress,
      },
      sendingContact: { ...input.sendingContact },
      hostingContact: { ...input.hostingContact },
      status: AgreementStatus.DRAFT,
      currentVersion: 1,
      pendingVersion: null,
      sortKey: sortKeyOf(`${input.terms.mobilityStart} ${input.learner.name}`),
      updatedAt: now,
    });
    await manager.insert(LearningAgreementRecord, record);
    await insertVersion(manager, {
      agreementId: record.id,
      number: 1,
      status: VersionStatus.PROPOSED,
      mobilityStart: input.terms.mobilityStart,
      mobilityEnd: input.terms.mobilityEnd,
      content: content(input.terms, outcomes, scales, targets, 'input.terms'),
      changeReason: null,
      createdAt: now,
    });
    await agreementEvent(manager, record, 'AGREEMENT_CREATED');
    await recordAudit(manager, context, caller, {
      action: 'createLearningAgreement',
      entityId: entityId(context.institution, record.id),
      input,
    });
    return record;
  });
}

async function addSignature(
  manager: EntityManager,
  record: LearningAgreementRecord,
  number: number,
  party: AgreementParty,
  signature: SignatureInput,
) {
  const signatures = await manager.findBy(AgreementSignatureRecord, { agreementId: record.id, number });
  if (signatures.some((s) => s.party === party)) {
    throw new ConflictError(
      `The ${party.toLowerCase()} party has signed version ${number} of ${entityId(record.sendingInstitution, record.id)} already`,
    );
  }
  await manager.insert(AgreementSignatureRecord, {
    agreementId: record.id,
    number,
    party,
    ...signature,
    signedAt: new Date(),
  });
  return signatures.length + 1 === 3;
}

export async function signLearningAgreement(
  context: MobilitiesContext,
  id: string,
  signature: SignatureInput,
): Promise<LearningAgreementRecord> {
  validateSignature('signature', signature);
  return inTransaction(context, async (manager) => {
    const record = await loadAgreement(manager, context, id);
    const { caller, party } = requireSigningParty(context, record, 'sign it');
    if (record.status !== AgreementStatus.DRAFT) {
      throw new ConflictError(
        `Learning agreement ${id} is ${record.status.toLowerCase()}: only a draft is signed; change a signed one with proposeLearningAgreementChange`,
      );
    }
    if (await addSignature(manager, record, 1, party, signature)) {
      record.status = AgreementStatus.SIGNED;
      await manager.update(
        AgreementVersionRecord,
        { agreementId: record.id, number: 1 },
        { status: VersionStatus.SIGNED },
      );
    }
    record.updatedAt = new Date();
    await manager.save(LearningAgreementRecord, record);
    await agreementEvent(manager, record, 'AGREEMENT_SIGNED');
    await recordAudit(manager, context, caller, {
      action: 'signLearningAgreement',
      entityId: id,
      input: { party, ...signature },
    });
    return record;
  });
}

export async function proposeChange(
  context: MobilitiesContext,
  id: string,
  reason: string,
  terms: AgreementTermsInput,
  signature: SignatureInput,
): Promise<LearningAgreementRecord> {
  validateTerms(terms, 'terms');
  validateSignature('signature', signature);
  if (reason.trim() === '') throw new ConflictError('reason must say why the agreement changes', { field: 'reason' });
  const record = await loadAgreement(context.db.dataSource.manager, context, id);
  const { caller, party } = requireSigningParty(context, record, 'propose a change');
  if (record.status !== AgreementStatus.SIGNED)
    throw new ConflictError(
      `Learning agreement ${id} is ${record.status.toLowerCase()}: only a signed agreement is amended`,
    );
  if (record.pendingVersion !== null)
    throw new ConflictError(
      `Learning agreement ${id} has a change waiting for approval (version ${record.pendingVersion})`,
    );
  const outcomes = await checkTermsAgainstHub(
    context,
    record.memorandumId ?? '',
    { sending: record.sendingInstitution, hosting: record.hostingInstitution },
    terms,
    'terms',
  );
  const scales = await fetchAgreedScales(context, record.hostingInstitution, terms.units, 'terms');
  const targets = await recognitionTargets(
    context,
    record.memorandumId ?? '',
    record.learner.homeQualificationId,
    terms,
    'terms',
  );
  return inTransaction(context, async (manager) => {
    const number = record.currentVersion + 1;
    await insertVersion(manager, {
      agreementId: record.id,
      number,
      status: VersionStatus.PROPOSED,
      mobilityStart: terms.mobilityStart,
      mobilityEnd: terms.mobilityEnd,
      content: content(terms, outcomes, scales, targets, 'terms'),
      changeReason: reason,
      createdAt: new Date(),
    });
    await addSignature(manager, record, number, party, signature);
    record.pendingVersion = number;
    record.updatedAt = new Date();
    await manager.save(LearningAgreementRecord, record);
    await agreementEvent(manager, record, 'AGREEMENT_CHANGE_PROPOSED');
    await recordAudit(manager, context, caller, {
      action: 'proposeLearningAgreementChange',
      entityId: id,
      input: { reason, terms },
    });
    return record;
  });
}

export async function decideChange(
  context: MobilitiesContext,
  id: string,
  decision: 'approve' | 'reject',
  detail: SignatureInput | string,
): Promise<LearningAgreementRecord> {
  return inTransaction(context, async (manager) => {
    const record = await loadAgreement(manager, context, id);
    const { caller, party } = requireSigningParty(context, record, `${decision} a change`);
    const number = record.pendingVersion;
    if (number === null) throw new ConflictError(`Learning agreement ${id} has no change waiting for approval`);
    if (decision === 'reject') {
      if (typeof detail !== 'string' || detail.trim() === '')
        throw new ConflictError('reason must say why the change is rejected', { field: 'reason' });
      await manager.update(
        AgreementVersionRecord,
        { agreementId: record.id, number },
        { status: VersionStatus.REJECTED },
      );
      record.pendingVersion = null;
    } else {
      if (typeof detail === 'string') throw new Error('approval needs a signature');
      validateSignature('signature', detail);
      if (await addSignature(manager, record, number, party, detail)) {
        await manager.update(
          AgreementVersionRecord,
          { agreementId: record.id, number: record.currentVersion },
          { status: VersionStatus.SUPERSEDED },
        );
        await manager.update(
          AgreementVersionRecord,
          { agreementId: record.id, number },
          { status: VersionStatus.SIGNED },
        );
        record.currentVersion = number;
        record.pendingVersion = null;
      }
    }
    record.updatedAt = new Date();
    await manager.save(LearningAgreementRecord, record);
    await agreementEvent(manager, record, 'AGREEMENT_CHANGE_DECIDED');
    await recordAudit(manager, context, caller, {
      action: `${decision}LearningAgreementChange`,
      entityId: id,
      input: { party, detail },
    });
    return record;
  });
}

export async function cancelLearningAgreement(
  context: MobilitiesContext,
  id: string,
  reason: string,
): Promise<LearningAgreementRecord> {
  return inTransaction(context, async (manager) => {
    const record = await loadAgreement(manager, context, id);
    const { caller, party } = requireSigningParty(context, record, 'cancel it');
    if (party === AgreementParty.LEARNER)
      throw new ForbiddenError('Only the sending or hosting coordinator may cancel a learning agreement');
    if (reason.trim() === '')
      throw new ConflictError('reason must say why the agreement is cancelled', { field: 'reason' });
    if (record.status === AgreementStatus.CANCELLED)
      throw new ConflictError(`Learning agreement ${id} is cancelled already`);
    if (await manager.existsBy(TranscriptRecord, { agreementId: record.id })) {
      throw new ConflictError(`Learning agreement ${id} has an issued transcript: it can no longer be cancelled`);
    }
    record.status = AgreementStatus.CANCELLED;
    record.pendingVersion = null;
    record.updatedAt = new Date();
    await manager.save(LearningAgreementRecord, record);
    await agreementEvent(manager, record, 'AGREEMENT_CANCELLED');
    await recordAudit(manager, context, caller, { action: 'cancelLearningAgreement', entityId: id, input: { reason } });
    return record;
  });
}

export async function recordEvaluation(
  context: MobilitiesContext,
  id: string,
  wentAsAgreed: boolean,
  comments: string,
): Promise<EvaluationRecord> {
  return inTransaction(context, async (manager) => {
    const record = await loadAgreement(manager, context, id);
    const caller = requireCaller(context);
    const role = partyRoleOf(caller, partiesOf(record));
    if (role !== 'sending' && role !== 'hosting')
      throw new ForbiddenError('Only the sending and hosting institutions evaluate a mobility');
    requireStaffRole(context, caller.institution, 'coordinator', 'evaluate the mobility');
    const version = await manager.findOneByOrFail(AgreementVersionRecord, {
      agreementId: record.id,
      number: record.currentVersion,
    });
    if (record.status !== AgreementStatus.SIGNED || version.mobilityEnd > today()) {
      throw new ConflictError(
        `Learning agreement ${id}: a mobility is evaluated once it has ended (${version.mobilityEnd})`,
      );
    }
    if (await manager.existsBy(EvaluationRecord, { agreementId: record.id, institution: caller.institution })) {
      throw new ConflictError(`${caller.institution} has evaluated this mobility already`);
    }
    const evaluation = manager.create(EvaluationRecord, {
      agreementId: record.id,
      institution: caller.institution,
      wentAsAgreed,
      comments,
      recordedAt: new Date(),
    });
    await manager.insert(EvaluationRecord, evaluation);
    await agreementEvent(manager, record, 'AGREEMENT_EVALUATED');
    await recordAudit(manager, context, caller, {
      action: 'recordEvaluation',
      entityId: id,
      input: { wentAsAgreed, comments },
    });
    return evaluation;
  });
}
