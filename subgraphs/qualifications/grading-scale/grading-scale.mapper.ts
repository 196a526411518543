import { GradingScale, toGrades } from '../../../schema/grading-scale';
import { entityId } from '../../../schema/ids';
import type { GradingScaleRecord } from './grading-scale.entity';

export function toGradingScale(record: GradingScaleRecord, institution: string): GradingScale {
  return Object.assign(new GradingScale(), {
    id: entityId(institution, record.id),
    institutionId: institution,
    titles: record.titles,
    grades: toGrades(record),
    passGrade: record.passGrade,
  });
}
