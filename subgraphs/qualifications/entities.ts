import { AuditEntryRecord } from '../shared/audit/audit.entity';
import { PublicChangeRecord, PublicChangeSequenceRecord } from '../shared/changes/change.entity';
import { IdempotencyRecord } from '../shared/idempotency/idempotency.entity';
import { CreateIdempotencyRecords1763900000010 } from './migrations/1763900000010-CreateIdempotencyRecords';
import { GradingScaleRecord } from './grading-scale/grading-scale.entity';
import { InstitutionRecord } from './institution/institution.entity';
import { LearningOutcomeRecord, LearningOutcomeSkillRecord } from './learning-outcome/learning-outcome.entity';
import { CreateQualifications1763900000000 } from './migrations/1763900000000-CreateQualifications';
import { CreateAuditTrail1763900000001 } from './migrations/1763900000001-CreateAuditTrail';
import { CreatePublicChanges1763900000020 } from './migrations/1763900000020-CreatePublicChanges';
import { FasterUnitSearch1763900000030 } from './migrations/1763900000030-FasterUnitSearch';
import { RecordChangesByTriggers1763900000040 } from './migrations/1763900000040-RecordChangesByTriggers';
import { CreateGradingScales1763900000400 } from './migrations/1763900000400-CreateGradingScales';
import { RecordGradingScaleChanges1763900000401 } from './migrations/1763900000401-RecordGradingScaleChanges';
import { CreateOutcomeReviewSettings1763900000500 } from './migrations/1763900000500-CreateOutcomeReviewSettings';
import { OutcomeReviewSettingRecord } from './learning-outcome-review/review-settings.entity';
import { QualificationRecord } from './qualification/qualification.entity';
import { UnitRecord } from './unit/unit.entity';

/** Every table of a qualifications shard, and the migrations that create them, in order. */
export const qualificationsEntities = [
  InstitutionRecord,
  QualificationRecord,
  UnitRecord,
  LearningOutcomeRecord,
  LearningOutcomeSkillRecord,
  AuditEntryRecord,
  IdempotencyRecord,
  PublicChangeRecord,
  PublicChangeSequenceRecord,
  GradingScaleRecord,
  OutcomeReviewSettingRecord,
];
export const qualificationsMigrations = [
  CreateQualifications1763900000000,
  CreateAuditTrail1763900000001,
  CreateIdempotencyRecords1763900000010,
  CreatePublicChanges1763900000020,
  FasterUnitSearch1763900000030,
  RecordChangesByTriggers1763900000040,
  CreateGradingScales1763900000400,
  RecordGradingScaleChanges1763900000401,
  CreateOutcomeReviewSettings1763900000500,
];
