import { AuditEntryRecord } from '../shared/audit/audit.entity';
import { InstitutionRecord } from './institution/institution.entity';
import { LearningOutcomeRecord, LearningOutcomeSkillRecord } from './learning-outcome/learning-outcome.entity';
import { CreateQualifications1763900000000 } from './migrations/1763900000000-CreateQualifications';
import { CreateAuditTrail1763900000001 } from './migrations/1763900000001-CreateAuditTrail';
import { QualificationRecord } from './qualification/qualification.entity';
import { UnitRecord } from './unit/unit.entity';

/** Every table of a qualifications shard, and the migrations that create them, in order. */
export const qualificationsEntities = [InstitutionRecord, QualificationRecord, UnitRecord, LearningOutcomeRecord, LearningOutcomeSkillRecord, AuditEntryRecord];
export const qualificationsMigrations = [CreateQualifications1763900000000, CreateAuditTrail1763900000001];
