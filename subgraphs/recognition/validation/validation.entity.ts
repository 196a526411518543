import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { RecognitionDecisionKind } from '../../../schema/recognition/recognition';

/** An agreed unit as the validation saw it: the agreement's terms next to the transcript's entry. */
export interface ValidatedUnit {
  unitId: string;
  agreedEcvetPoints: number;
  agreedOutcomeIds: string[];
  achieved: boolean;
  transcriptEcvetPoints: number;
  achievedOutcomeIds: string[] | null;
  differences: string[];
}

@Entity('transcript_validation')
@Index('idx_validation_agreement', ['agreementId', 'transcriptVersion'])
export class TranscriptValidationRecord {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;

  /** Hub ID of the learning agreement (owned by this same institution's mobilities shard). */
  @Column({ type: 'varchar', length: 200 })
  agreementId!: string;

  @Column({ type: 'varchar', length: 200 })
  learnerId!: string;

  @Column({ type: 'varchar', length: 200 })
  learnerName!: string;

  @Column({ type: 'varchar', length: 200 })
  homeQualificationId!: string;

  @Column({ type: 'integer' })
  transcriptVersion!: number;

  @Column({ type: 'integer' })
  agreementVersion!: number;

  @Column({ type: 'boolean' })
  consistent!: boolean;

  @Column({ type: 'simple-json' })
  units!: ValidatedUnit[];

  @Column({ type: 'datetime', precision: 3 })
  validatedAt!: Date;

  @Column({ type: 'varchar', length: 200 })
  validatedBy!: string;
}

export interface StoredDecisionRevision {
  decision: RecognitionDecisionKind;
  ecvetPoints: number;
  reason: string | null;
  decidedAt: string;
}

@Entity('recognition_decision')
@Index('uq_decision_unit', ['agreementId', 'unitId'], { unique: true })
@Index('idx_decision_learner', ['learnerId'])
@Index('idx_decision_unit', ['unitId'])
export class RecognitionDecisionRecord {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;

  @Column({ type: 'varchar', length: 200 })
  agreementId!: string;

  @Column({ type: 'varchar', length: 200 })
  learnerId!: string;

  @Column({ type: 'varchar', length: 200 })
  unitId!: string;

  @Column({ type: 'varchar', length: 24 })
  decision!: RecognitionDecisionKind;

  @Column({ type: 'simple-json' })
  recognisedOutcomeIds!: string[];

  @Column({ type: 'double' })
  ecvetPoints!: number;

  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  @Column({ type: 'datetime', precision: 3 })
  decidedAt!: Date;

  @Column({ type: 'simple-json' })
  history!: StoredDecisionRevision[];
}

/** One credited unit of a learner: at most one row per learner and unit, so nothing is credited twice. */
@Entity('credit')
export class CreditRecord {
  @PrimaryColumn({ type: 'varchar', length: 200 })
  learnerId!: string;

  @PrimaryColumn({ type: 'varchar', length: 200 })
  unitId!: string;

  @Column({ type: 'varchar', length: 200 })
  qualificationId!: string;

  @Column({ type: 'double' })
  ecvetPoints!: number;

  @Column({ type: 'varchar', length: 8 })
  source!: 'HOME' | 'ABROAD';

  @Column({ type: 'varchar', length: 10 })
  creditedOn!: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  decisionId!: string | null;
}

/** A client's idempotency key and what the request it covered answered. */
@Entity('idempotent_request')
export class IdempotentRequestRecord {
  @PrimaryColumn({ type: 'varchar', length: 200 })
  key!: string;

  @Column({ type: 'varchar', length: 64 })
  requestHash!: string;

  @Column({ type: 'simple-json' })
  resultIds!: string[];

  @Column({ type: 'datetime', precision: 3 })
  createdAt!: Date;
}

@Entity('certificate')
@Index('idx_certificate_learner', ['learnerId'])
export class CertificateRecord {
  /** The verification code without the institution prefix. */
  @PrimaryColumn({ type: 'varchar', length: 32 })
  code!: string;

  @Column({ type: 'varchar', length: 200 })
  learnerId!: string;

  @Column({ type: 'varchar', length: 200 })
  learnerName!: string;

  @Column({ type: 'varchar', length: 200 })
  qualificationId!: string;

  @Column({ type: 'simple-json' })
  units!: Array<{ unitId: string; ecvetPoints: number; source: 'HOME' | 'ABROAD'; creditedOn: string; decisionId: string | null }>;

  @Column({ type: 'double' })
  totalEcvetPoints!: number;

  @Column({ type: 'datetime', precision: 3 })
  issuedAt!: Date;

  @Column({ type: 'boolean' })
  current!: boolean;

  /** When the issuing institution revoked it; null while it stands. */
  @Column({ type: 'datetime', precision: 3, nullable: true })
  revokedAt!: Date | null;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  revocationReason!: string | null;
}
