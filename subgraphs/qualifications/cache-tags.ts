import { readTagSubscriber, type CacheTag } from '../shared/changes/changes';
import { currentRequestScope } from '../shared/request-scope';
import { GradingScaleRecord } from './grading-scale/grading-scale.entity';
import { InstitutionRecord } from './institution/institution.entity';
import { LearningOutcomeRecord, LearningOutcomeSkillRecord } from './learning-outcome/learning-outcome.entity';
import { QualificationRecord } from './qualification/qualification.entity';
import { UnitRecord } from './unit/unit.entity';

/**
 * The cache tags of a qualifications shard, as reads collect them. Outcomes and their skills belong to their
 * unit's aggregate: they carry its tag. `Qualification:` also stands for the list of its units and
 * `Institution` for the list of its qualifications: a write that changes a list names its owner too.
 * `UnitList` and `QualificationList` stand for which records the searches find (filters read qualifications
 * too): every write names them. Writes name their tags through the database's triggers, whoever writes
 * (migrations/1763900000040-RecordChangesByTriggers.ts); the two must name records alike.
 */
export const tags = {
  institution: (): CacheTag => 'Institution',
  unitList: (): CacheTag => 'UnitList',
  qualificationList: (): CacheTag => 'QualificationList',
  qualification: (localId: string): CacheTag => `Qualification:${localId}`,
  unit: (localId: string): CacheTag => `Unit:${localId}`,
};

function readTagOf(entity: object): CacheTag | null {
  if (entity instanceof UnitRecord) return tags.unit(entity.id);
  if (entity instanceof LearningOutcomeRecord || entity instanceof LearningOutcomeSkillRecord)
    return tags.unit(entity.unitId);
  if (entity instanceof QualificationRecord) return tags.qualification(entity.id);
  // Scales are published with the institution (its seed), so they carry its tag.
  if (entity instanceof InstitutionRecord || entity instanceof GradingScaleRecord) return tags.institution();
  return null;
}

/** A search's answer depends on which records match, not only on those it returned. */
export function readsList(tag: CacheTag): void {
  currentRequestScope()?.reads.add(tag);
}

/** Tags every answer with the records it was read from. */
export const QualificationsReadTags = readTagSubscriber(readTagOf);
