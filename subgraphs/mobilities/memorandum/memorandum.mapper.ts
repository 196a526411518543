import { entityId } from '../../../schema/ids';
import { Memorandum, MemorandumProcedures } from '../../../schema/mobility/memorandum';
import { InstitutionRef, QualificationRef, ref, UnitRef } from '../../../schema/mobility/references';
import type { MemorandumRecord } from './memorandum.entity';

/** The stored row rides along (not in the schema), so field resolvers need not read it again. */
export type MemorandumView = Memorandum & { record: MemorandumRecord };

export function toMemorandum(record: MemorandumRecord): MemorandumView {
  return Object.assign(new Memorandum(), {
    id: entityId(record.proposer, record.id),
    titles: record.titles,
    proposerId: record.proposer,
    proposer: ref(InstitutionRef, record.proposer),
    partnerIds: record.partners,
    partners: record.partners.map((code) => ref(InstitutionRef, code)),
    qualificationIds: record.qualificationIds,
    qualifications: record.qualificationIds.map((id) => ref(QualificationRef, id)),
    unitIds: record.unitIds,
    units: record.unitIds.map((id) => ref(UnitRef, id)),
    procedures: Object.assign(new MemorandumProcedures(), record.procedures),
    validFrom: record.validFrom,
    validUntil: record.validUntil,
    contentHash: record.contentHash,
    terminationReason: record.terminationReason,
    record,
  });
}
