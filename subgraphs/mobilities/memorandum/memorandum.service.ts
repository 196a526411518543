import { createHash } from 'node:crypto';
import { sortKeyOf } from '../../../schema/cursor';
import { ConflictError, NotFoundError } from '../../../schema/errors';
import { entityId } from '../../../schema/ids';
import { pickText } from '../../../schema/localized-text';
import { MemorandumStatus } from '../../../schema/mobility/enums';
import { requireCaller, requireStaffRole } from '../../shared/access';
import type { Caller } from '../../../platform/caller';
import { recordAudit } from '../../shared/audit/audit';
import type { MobilitiesContext } from '../context';
import { today } from '../dates';
import { MemorandumPartnerRecord, MemorandumRecord, MemorandumSignatureRecord } from './memorandum.entity';
import {
  validateProposal,
  validateSignature,
  type ProposeMemorandumInput,
  type SignatureInput,
} from './memorandum.input';
import { ownLocalId } from '../../shared/local-id';
import { canonicalCorrespondences } from '../correspondence/correspondence.canonical';
import { checkCorrespondencesAgainstHub } from '../correspondence/correspondence.hub';

/** The hash partners sign: canonical JSON of everything they agree to, so each can prove which text it signed. */
export function contentHashOf(
  record: Pick<
    MemorandumRecord,
    'titles' | 'proposer' | 'partners' | 'qualificationIds' | 'unitIds' | 'procedures' | 'validFrom' | 'validUntil'
  > &
    Partial<Pick<MemorandumRecord, 'correspondences'>>,
): string {
  // The table joins the hashed text only when there is one, so memoranda without it keep the hash they were signed with.
  const correspondences = record.correspondences?.length ? [canonicalCorrespondences(record.correspondences)] : [];
  const canonical = JSON.stringify([
    record.titles.map((t) => [t.lang, t.value]),
    record.proposer,
    [...record.partners].sort(),
    [...record.qualificationIds].sort(),
    [...record.unitIds].sort(),
    [
      record.procedures.assessment,
      record.procedures.documentation,
      record.procedures.validation,
      record.procedures.recognition,
    ],
    record.validFrom,
    record.validUntil,
    ...correspondences,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

export function statusOf(
  record: MemorandumRecord,
  signatures: readonly MemorandumSignatureRecord[],
  on = today(),
): MemorandumStatus {
  if (record.terminationReason) return MemorandumStatus.TERMINATED;
  const signed = new Set(signatures.filter((s) => s.contentHash === record.contentHash).map((s) => s.institution));
  if (signed.size === 0) return MemorandumStatus.DRAFT;
  if (record.partners.some((partner) => !signed.has(partner))) return MemorandumStatus.PARTIALLY_SIGNED;
  return on > record.validUntil ? MemorandumStatus.EXPIRED : MemorandumStatus.IN_EFFECT;
}

/**
 * `statusOf` as an SQL condition on the memorandum aliased `alias`, so that lists filter by status in the
 * database and their pages and counts are exact. Each branch restates one line of `statusOf`, on partners as
 * `memorandum_partner` rows; plain subqueries, so SQLite and MySQL/MariaDB read it alike. The subqueries
 * alias their tables `ms` and `mp`, so `alias` must be neither.
 */
export function statusCondition(
  status: MemorandumStatus,
  alias: string,
  on = today(),
): { where: string; parameters: Record<string, string> } {
  // LENGTH, not `<> ''`: MariaDB's collations compare ' ' equal to '', JavaScript finds ' ' truthy.
  const terminated = `COALESCE(LENGTH(${alias}.terminationReason), 0) > 0`;
  const live = `COALESCE(LENGTH(${alias}.terminationReason), 0) = 0`;
  // Any institution's signature of this text, as `signed` in statusOf: DRAFT does not rely on only partners signing.
  const anySigned = `EXISTS (SELECT 1 FROM memorandum_signature ms WHERE ms.memorandumId = ${alias}.id AND ms.contentHash = ${alias}.contentHash)`;
  const signedPartners =
    `(SELECT COUNT(DISTINCT ms.institution) FROM memorandum_signature ms` +
    ` INNER JOIN memorandum_partner mp ON mp.memorandumId = ms.memorandumId AND mp.institution = ms.institution` +
    ` WHERE ms.memorandumId = ${alias}.id AND ms.contentHash = ${alias}.contentHash)`;
  const partners = `(SELECT COUNT(*) FROM memorandum_partner mp WHERE mp.memorandumId = ${alias}.id)`;
  const allSigned = `${live} AND ${anySigned} AND ${signedPartners} >= ${partners}`;
  const where: Record<MemorandumStatus, string> = {
    [MemorandumStatus.TERMINATED]: terminated,
    [MemorandumStatus.DRAFT]: `${live} AND NOT ${anySigned}`,
    [MemorandumStatus.PARTIALLY_SIGNED]: `${live} AND ${anySigned} AND ${signedPartners} < ${partners}`,
    [MemorandumStatus.EXPIRED]: `${allSigned} AND ${alias}.validUntil < :statusOn`,
    [MemorandumStatus.IN_EFFECT]: `${allSigned} AND ${alias}.validUntil >= :statusOn`,
  };
  return { where: `(${where[status]})`, parameters: { statusOn: on } };
}

/** Memoranda are for their partners' eyes: any staff role of a partner institution. */
export function isPartner(caller: Caller, record: MemorandumRecord): boolean {
  return record.partners.includes(caller.institution) && caller.roles.some((role) => role !== 'learner');
}

/** A memorandum this shard keeps, for a partner; anyone else gets what an unknown ID gets, so nobody learns which exist. */
async function loadOwn(context: MobilitiesContext, id: string): Promise<MemorandumRecord> {
  const caller = requireCaller(context);
  const localId = ownLocalId(context.institution, id);
  const record =
    localId === null ? null : await context.db.dataSource.manager.findOneBy(MemorandumRecord, { id: localId });
  if (!record || !isPartner(caller, record))
    throw new NotFoundError(`No memorandum ${id} at ${context.institution}`, { field: 'id' });
  return record;
}

export async function proposeMemorandum(
  context: MobilitiesContext,
  input: ProposeMemorandumInput,
): Promise<MemorandumRecord> {
  const caller = requireStaffRole(context, context.institution, 'coordinator', 'propose memoranda');
  const partners = validateProposal(input, context.institution);
  const correspondences = await checkCorrespondencesAgainstHub(context, input.correspondences, input);
  return context.db.dataSource.transaction(async (manager) => {
    if (await manager.existsBy(MemorandumRecord, { id: input.localId })) {
      throw new ConflictError(
        `Memorandum ${entityId(context.institution, input.localId)} exists already: localId must be new`,
        { field: 'input.localId' },
      );
    }
    const fields = {
      id: input.localId,
      titles: input.titles,
      proposer: context.institution,
      partners,
      qualificationIds: input.qualificationIds,
      unitIds: input.unitIds,
      procedures: { ...input.procedures },
      correspondences: correspondences.length > 0 ? correspondences : null,
      validFrom: input.validFrom,
      validUntil: input.validUntil,
      terminationReason: null,
      sortKey: sortKeyOf(pickText(input.titles, 'en') ?? input.localId),
      createdAt: new Date(),
    };
    const record = manager.create(MemorandumRecord, { ...fields, contentHash: contentHashOf(fields) });
    await manager.insert(MemorandumRecord, record);
    await manager.insert(
      MemorandumPartnerRecord,
      partners.map((institution) => ({ memorandumId: record.id, institution })),
    );
    await recordAudit(manager, context, caller, {
      action: 'proposeMemorandum',
      entityId: entityId(context.institution, record.id),
      input,
    });
    return record;
  });
}

export async function signMemorandum(
  context: MobilitiesContext,
  id: string,
  contentHash: string,
  signature: SignatureInput,
): Promise<MemorandumRecord> {
  validateSignature('signature', signature);
  const record = await loadOwn(context, id);
  const caller = requireStaffRole(context, requireCaller(context).institution, 'coordinator', `sign memorandum ${id}`);
  return context.db.dataSource.transaction(async (manager) => {
    const signatures = await manager.findBy(MemorandumSignatureRecord, { memorandumId: record.id });
    const status = statusOf(record, signatures);
    if (status === MemorandumStatus.TERMINATED || status === MemorandumStatus.EXPIRED) {
      throw new ConflictError(`Memorandum ${id} is ${status.toLowerCase()}: it can no longer be signed`);
    }
    if (contentHash !== record.contentHash) {
      throw new ConflictError(
        `contentHash ${contentHash} is not the hash of memorandum ${id}'s text (${record.contentHash}): read it again before signing`,
        { field: 'contentHash' },
      );
    }
    if (signatures.some((s) => s.institution === caller.institution))
      throw new ConflictError(`${caller.institution} has signed memorandum ${id} already`);
    await manager.insert(MemorandumSignatureRecord, {
      memorandumId: record.id,
      institution: caller.institution,
      signerName: signature.signerName,
      signerPosition: signature.signerPosition,
      signedAt: new Date(),
      contentHash,
    });
    await recordAudit(manager, context, caller, {
      action: 'signMemorandum',
      entityId: id,
      input: { contentHash, ...signature },
    });
    return record;
  });
}

export async function terminateMemorandum(
  context: MobilitiesContext,
  id: string,
  reason: string,
): Promise<MemorandumRecord> {
  const record = await loadOwn(context, id);
  const caller = requireStaffRole(
    context,
    requireCaller(context).institution,
    'coordinator',
    `terminate memorandum ${id}`,
  );
  if (reason.trim() === '') throw new ConflictError('reason must say why the memorandum ends', { field: 'reason' });
  if (record.terminationReason) throw new ConflictError(`Memorandum ${id} is terminated already`);
  return context.db.dataSource.transaction(async (manager) => {
    record.terminationReason = reason;
    await manager.save(MemorandumRecord, record);
    await recordAudit(manager, context, caller, { action: 'terminateMemorandum', entityId: id, input: { reason } });
    return record;
  });
}
