import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** An agreed unit as the validation saw it: the agreement's terms next to the transcript's entry. */
export interface ValidatedUnit {
  unitId: string;
  agreedEcvetPoints: number;
  agreedOutcomeIds: string[];
  achieved: boolean;
  transcriptEcvetPoints: number;
  achievedOutcomeIds: string[] | null;
  differences: string[];
  /** What the agreement says the unit will be recognised as; absent on validations made before agreements said. */
  recognisedAs?: AgreedRecognitionTarget | null;
}

/** An agreed unit's `recognisedAs`, as the mobilities kind publishes it. */
export interface AgreedRecognitionTarget {
  homeUnitIds: string[];
  homeOutcomeIds: string[];
  coverage: string;
  source: string;
}

/** A coordinator's check of an issued transcript against the agreement version it refers to. */
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

  /** The validated agreement version's last day (YYYY-MM-DD), for the days to recognition; null before it was kept. */
  @Column({ type: 'varchar', length: 10, nullable: true })
  mobilityEnd!: string | null;
}
