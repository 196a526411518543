import { entityId } from '../../../schema/ids';
import { LearningOutcome } from '../../../schema/learning-outcome';
import type { LearningOutcomeRecord } from './learning-outcome.entity';

/** `escoSkills` is left to the resolver, which loads the skills of many outcomes at once. */
export function toLearningOutcome(record: LearningOutcomeRecord, institution: string): LearningOutcome {
  return Object.assign(new LearningOutcome(), {
    id: entityId(institution, record.id),
    position: record.position,
    category: record.category,
    statements: record.statements,
  });
}
