import { AuditEntryRecord } from '../shared/audit/audit.entity';
import { IdempotencyRecord } from '../shared/idempotency/idempotency.entity';
import { CreateIdempotencyRecords1763900000010 } from './migrations/1763900000010-CreateIdempotencyRecords';
import { OutboxEventRecord } from '../shared/outbox/outbox.entity';
import { CreateOutbox1763900000203 } from './migrations/1763900000203-CreateOutbox';
import { IndexDecisionsByUnit1763900000260 } from './migrations/1763900000260-IndexDecisionsByUnit';
import { EscoBroaderRecord, EscoConceptRecord } from './comparability/esco.entity';
import { CreateRecognition1763900000200 } from './migrations/1763900000200-CreateRecognition';
import { CreateEsco1763900000201 } from './migrations/1763900000201-CreateEsco';
import { TranscriptValidationRecord } from './validation/validation.entity';
import { RecognitionDecisionRecord } from './decision/decision.entity';
import { CreditRecord } from './record/credit.entity';
import { CertificateRecord } from './certificate/certificate.entity';
import { SigningKeyRecord } from '../shared/documents/signing-key.entity';
import { AddCredentials1763900000250 } from './migrations/1763900000250-AddCredentials';
import { MoveRecognitionIdempotencyKeys1763900000270 } from './migrations/1763900000270-MoveRecognitionIdempotencyKeys';
import { CreditHomeUnits1763900000310 } from './migrations/1763900000310-CreditHomeUnits';
import { CreateRouteDecisions1763900000311 } from './migrations/1763900000311-CreateRouteDecisions';
import { RecordMobilityEnd1763900000650 } from './migrations/1763900000650-RecordMobilityEnd';
import { RouteDecisionRecord } from './routes/route-decision.entity';

/** Every table of a recognition shard, and the migrations that create them, in order. */
export const recognitionEntities = [
  TranscriptValidationRecord,
  RecognitionDecisionRecord,
  CreditRecord,
  CertificateRecord,
  AuditEntryRecord,
  EscoConceptRecord,
  EscoBroaderRecord,
  OutboxEventRecord,
  SigningKeyRecord,
  IdempotencyRecord,
  RouteDecisionRecord,
];
export const recognitionMigrations = [
  CreateIdempotencyRecords1763900000010,
  CreateRecognition1763900000200,
  CreateEsco1763900000201,
  CreateOutbox1763900000203,
  AddCredentials1763900000250,
  IndexDecisionsByUnit1763900000260,
  MoveRecognitionIdempotencyKeys1763900000270,
  CreditHomeUnits1763900000310,
  CreateRouteDecisions1763900000311,
  RecordMobilityEnd1763900000650,
];
