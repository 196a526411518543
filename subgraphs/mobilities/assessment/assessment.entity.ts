import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { AssessmentResult } from '../../../schema/mobility/enums';
import type { StoredAgreedGrading } from '../grading/grading.content';

export interface StoredOutcomeResult {
  learningOutcomeId: string;
  result: AssessmentResult;
  /** Evidence against the agreed criteria; absent in results recorded before criteria existed. */
  evidence?: string | null;
}

export interface StoredRevision {
  revision: number;
  result: AssessmentResult;
  grade: string | null;
  assessedOn: string;
  reason: string | null;
  recordedAt: string;
}

@Entity('assessment')
@Index('uq_assessment_unit', ['agreementId', 'unitId'], { unique: true })
export class AssessmentRecord {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;

  @Column({ type: 'varchar', length: 64 })
  agreementId!: string;

  @Column({ type: 'varchar', length: 200 })
  unitId!: string;

  @Column({ type: 'varchar', length: 12 })
  result!: AssessmentResult;

  @Column({ type: 'varchar', length: 40, nullable: true })
  grade!: string | null;

  @Column({ type: 'varchar', length: 500 })
  method!: string;

  @Column({ type: 'varchar', length: 200 })
  assessorName!: string;

  @Column({ type: 'varchar', length: 10 })
  assessedOn!: string;

  @Column({ type: 'text', nullable: true })
  evidence!: string | null;

  @Column({ type: 'simple-json' })
  outcomeResults!: StoredOutcomeResult[];

  @Column({ type: 'double' })
  ecvetPoints!: number;

  @Column({ type: 'integer' })
  revision!: number;

  /** Every earlier value, oldest first: a correction never loses what was recorded before. */
  @Column({ type: 'simple-json' })
  history!: StoredRevision[];
}

export interface StoredTranscriptEntry extends StoredAgreedGrading {
  unitId: string;
  result: AssessmentResult;
  grade: string | null;
  assessedOn: string;
  ecvetPoints: number;
  outcomeResults: StoredOutcomeResult[];
}

@Entity('transcript')
@Index('uq_transcript_version', ['agreementId', 'version'], { unique: true })
export class TranscriptRecord {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;

  @Column({ type: 'varchar', length: 64 })
  agreementId!: string;

  @Column({ type: 'integer' })
  version!: number;

  @Column({ type: 'integer' })
  agreementVersion!: number;

  @Column({ type: 'boolean' })
  current!: boolean;

  @Column({ type: 'datetime', precision: 3 })
  issuedAt!: Date;

  @Column({ type: 'varchar', length: 200 })
  issuedBy!: string;

  @Column({ type: 'simple-json' })
  entries!: StoredTranscriptEntry[];

  @Column({ type: 'double' })
  totalEcvetPoints!: number;
}
