import { AuditEntryRecord } from '../shared/audit/audit.entity';
import { IdempotencyRecord } from '../shared/idempotency/idempotency.entity';
import { CreateIdempotencyRecords1763900000010 } from './migrations/1763900000010-CreateIdempotencyRecords';
import { AssessmentRecord, TranscriptRecord } from './assessment/assessment.entity';
import {
  AgreementSignatureRecord,
  AgreementUnitRecord,
  AgreementVersionRecord,
  EvaluationRecord,
  LearningAgreementRecord,
} from './learning-agreement/learning-agreement.entity';
import { MemorandumPartnerRecord, MemorandumRecord, MemorandumSignatureRecord } from './memorandum/memorandum.entity';
import { CreateMobilities1763900000100 } from './migrations/1763900000100-CreateMobilities';
import { CreateOutbox1763900000101 } from './migrations/1763900000101-CreateOutbox';
import { OutboxEventRecord } from '../shared/outbox/outbox.entity';
import { SigningKeyRecord } from '../shared/documents/signing-key.entity';
import { CreateSigningKeys1763900000150 } from './migrations/1763900000150-CreateSigningKeys';
import { IndexMemorandumPartners1763900000160 } from './migrations/1763900000160-IndexMemorandumPartners';
import { IndexAgreementUnits1763900000170 } from './migrations/1763900000170-IndexAgreementUnits';
import { AddCorrespondences1763900000300 } from './migrations/1763900000300-AddCorrespondences';

/** Every table of a mobilities shard, and the migrations that create them, in order. */
export const mobilitiesEntities = [
  MemorandumRecord,
  MemorandumSignatureRecord,
  MemorandumPartnerRecord,
  LearningAgreementRecord,
  AgreementVersionRecord,
  AgreementUnitRecord,
  AgreementSignatureRecord,
  EvaluationRecord,
  AssessmentRecord,
  TranscriptRecord,
  AuditEntryRecord,
  OutboxEventRecord,
  SigningKeyRecord,
  IdempotencyRecord,
];
export const mobilitiesMigrations = [
  CreateIdempotencyRecords1763900000010,
  CreateMobilities1763900000100,
  CreateOutbox1763900000101,
  CreateSigningKeys1763900000150,
  IndexMemorandumPartners1763900000160,
  IndexAgreementUnits1763900000170,
  AddCorrespondences1763900000300,
];
