import { AuditEntryRecord } from '../shared/audit/audit.entity';
import { CreateRecognition1763900000200 } from './migrations/1763900000200-CreateRecognition';
import {
  CertificateRecord,
  CreditRecord,
  IdempotentRequestRecord,
  RecognitionDecisionRecord,
  TranscriptValidationRecord,
} from './validation/validation.entity';

/** Every table of a recognition shard, and the migrations that create them, in order. */
export const recognitionEntities = [
  TranscriptValidationRecord,
  RecognitionDecisionRecord,
  CreditRecord,
  IdempotentRequestRecord,
  CertificateRecord,
  AuditEntryRecord,
];
export const recognitionMigrations = [CreateRecognition1763900000200];
