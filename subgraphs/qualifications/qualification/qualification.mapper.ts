import { entityId } from '../../../schema/ids';
import { Qualification } from '../../../schema/qualification';
import type { QualificationRecord } from './qualification.entity';

export function toQualification(record: QualificationRecord, institution: string): Qualification {
  return Object.assign(new Qualification(), {
    id: entityId(institution, record.id),
    localId: record.id,
    titles: record.titles,
    descriptions: record.descriptions,
    eqfLevel: record.eqfLevel,
    nqfLevel: record.nqfLevel,
    iscedCode: record.iscedCode,
    ecvetPoints: record.ecvetPoints,
    escoOccupation: record.escoOccupation,
    status: record.status,
    updatedAt: record.updatedAt.toISOString(),
  });
}
