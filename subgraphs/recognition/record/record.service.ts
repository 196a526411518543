import { randomBytes } from 'node:crypto';
import { ConflictError, ForbiddenError } from '../../../schema/errors';
import { entityId, ownerOf } from '../../../schema/ids';
import { requireCaller, requireStaffRole } from '../../shared/access';
import type { Caller } from '../../../platform/caller';
import { recordAudit } from '../../shared/audit/audit';
import { inTransaction } from '../../shared/outbox/outbox';
import type { RecognitionContext } from '../context';
import { qualificationsFromHub, type HubQualification } from '../hub';
import { CertificateRecord, CreditRecord, RecognitionDecisionRecord, TranscriptValidationRecord } from '../validation/validation.entity';

/** A learner's record is read by the sending institution's staff (this shard's) and by the learner. */
export function mayReadRecord(caller: Caller | null, context: RecognitionContext, learnerId: string): boolean {
  if (!caller) return false;
  const ownLearner = caller.roles.includes('learner') && caller.learnerId === learnerId;
  const staff = caller.institution === context.institution && caller.roles.some((role) => role !== 'learner');
  return ownLearner || staff;
}

/** For a learner ID the client names: the rule depends on the ID alone, so refusing tells nothing about the record. */
export function requireRecordReader(context: RecognitionContext, learnerId: string): void {
  if (!mayReadRecord(requireCaller(context), context, learnerId)) throw new ForbiddenError(`Only ${context.institution} and the learner may read the record of ${learnerId}`);
}

export interface LearnerRecordData {
  credits: CreditRecord[];
  decisions: RecognitionDecisionRecord[];
  certificates: CertificateRecord[];
  qualifications: Map<string, HubQualification>;
}

export async function loadLearnerRecord(context: RecognitionContext, learnerId: string): Promise<LearnerRecordData> {
  requireRecordReader(context, learnerId);
  const manager = context.db.dataSource.manager;
  const [credits, decisions, certificates, validations] = await Promise.all([
    manager.find(CreditRecord, { where: { learnerId }, order: { creditedOn: 'ASC', unitId: 'ASC' } }),
    manager.find(RecognitionDecisionRecord, { where: { learnerId }, order: { decidedAt: 'ASC', unitId: 'ASC' } }),
    manager.find(CertificateRecord, { where: { learnerId }, order: { issuedAt: 'ASC' } }),
    manager.find(TranscriptValidationRecord, { where: { learnerId } }),
  ]);
  const qualificationIds = [...new Set([...credits.map((c) => c.qualificationId), ...validations.map((v) => v.homeQualificationId)])];
  return { credits, decisions, certificates, qualifications: await qualificationsFromHub(context, qualificationIds) };
}

/** Codes are easy to read aloud and type: no 0/O or 1/I. */
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

function verificationCode(): string {
  const bytes = randomBytes(12);
  const chars = [...bytes].map((b) => ALPHABET[b % ALPHABET.length]).join('');
  return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8, 12)}`;
}

export async function issueCertificate(context: RecognitionContext, learnerId: string, qualificationId: string): Promise<CertificateRecord> {
  const caller = requireStaffRole(context, context.institution, 'coordinator', 'issue certificates');
  if (ownerOf(learnerId) !== context.institution) throw new ConflictError(`${learnerId} is not a learner of ${context.institution}`, { field: 'learnerId' });
  return inTransaction(context, async (manager) => {
    const credits = await manager.find(CreditRecord, { where: { learnerId, qualificationId, source: 'ABROAD' }, order: { unitId: 'ASC' } });
    if (credits.length === 0) throw new ConflictError(`${learnerId} has no recognised units of ${qualificationId}: there is nothing to certify`, { field: 'qualificationId' });
    const [validation] = await manager.find(TranscriptValidationRecord, { where: { learnerId }, order: { validatedAt: 'DESC' }, take: 1 });
    await manager.update(CertificateRecord, { learnerId, qualificationId }, { current: false });
    const certificate = manager.create(CertificateRecord, {
      code: verificationCode(),
      learnerId,
      learnerName: validation?.learnerName ?? learnerId,
      qualificationId,
      units: credits.map((c) => ({ unitId: c.unitId, ecvetPoints: c.ecvetPoints, source: c.source, creditedOn: c.creditedOn, decisionId: c.decisionId })),
      totalEcvetPoints: credits.reduce((sum, c) => sum + c.ecvetPoints, 0),
      issuedAt: new Date(),
      current: true,
    });
    await manager.insert(CertificateRecord, certificate);
    await recordAudit(manager, context, caller, { action: 'issueCertificate', entityId: entityId(context.institution, certificate.code), input: { learnerId, qualificationId } });
    return certificate;
  });
}
