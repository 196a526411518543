import { InstitutionRecord } from './institution/institution.entity';
import { LearningOutcomeRecord, LearningOutcomeSkillRecord } from './learning-outcome/learning-outcome.entity';
import { CreateQualifications1763900000000 } from './migrations/1763900000000-CreateQualifications';
import { QualificationRecord } from './qualification/qualification.entity';
import { UnitRecord } from './unit/unit.entity';

/** Every table of a qualifications shard, and the migrations that create them, in order. */
export const qualificationsEntities = [InstitutionRecord, QualificationRecord, UnitRecord, LearningOutcomeRecord, LearningOutcomeSkillRecord];
export const qualificationsMigrations = [CreateQualifications1763900000000];
