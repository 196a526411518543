import { entityId } from '../../../schema/ids';
import { AssessmentCriterion, Unit } from '../../../schema/unit';
import type { UnitRecord } from './unit.entity';

export function toUnit(record: UnitRecord, institution: string): Unit {
  return Object.assign(new Unit(), {
    id: entityId(institution, record.id),
    localId: record.id,
    titles: record.titles,
    eqfLevel: record.eqfLevel,
    ecvetPoints: record.ecvetPoints,
    assessmentCriteria: record.assessmentCriteria.map((texts) => Object.assign(new AssessmentCriterion(), { texts })),
    validFrom: record.validFrom,
    validUntil: record.validUntil,
    status: record.status,
    updatedAt: record.updatedAt.toISOString(),
  });
}
