import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { RecognitionDecisionKind } from '../../../schema/recognition/recognition';

/** A decision as it stood before a revision. */
export interface StoredDecisionRevision {
  decision: RecognitionDecisionKind;
  ecvetPoints: number;
  reason: string | null;
  decidedAt: string;
  /** Absent on revisions stored before decisions named home units. */
  homeUnitIds?: string[] | null;
  homeOutcomeIds?: string[] | null;
}

/** The sending institution's decision on one unit of a validated transcript; one per agreement and unit. */
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

  /** Home units the decision credits; null on decisions made before decisions named them (they credit `unitId`). */
  @Column({ type: 'simple-json', nullable: true })
  homeUnitIds!: string[] | null;

  /** Home outcomes credited; a home unit none of whose outcomes is listed is credited whole. */
  @Column({ type: 'simple-json', nullable: true })
  homeOutcomeIds!: string[] | null;

  /** Why the home units differ from what the agreement foresaw; null when they do not. */
  @Column({ type: 'text', nullable: true })
  overrideReason!: string | null;
}
