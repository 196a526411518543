import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { RecognitionDecisionKind } from '../../../schema/recognition/recognition';
import type { StoredDecisionRevision } from '../decision/decision.entity';

/** A decision crediting home units achieved by transfer or validated from prior learning. */
@Entity('route_decision')
@Index('idx_route_decision_learner', ['learnerId'])
export class RouteDecisionRecord {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;

  @Column({ type: 'varchar', length: 200 })
  learnerId!: string;

  @Column({ type: 'varchar', length: 16 })
  route!: 'TRANSFER' | 'PRIOR_LEARNING';

  @Column({ type: 'varchar', length: 200 })
  qualificationId!: string;

  @Column({ type: 'varchar', length: 200, nullable: true })
  sourceUnitId!: string | null;

  @Column({ type: 'varchar', length: 500 })
  achievedAt!: string;

  @Column({ type: 'text', nullable: true })
  evidence!: string | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  method!: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  assessorName!: string | null;

  @Column({ type: 'varchar', length: 24 })
  decision!: RecognitionDecisionKind;

  @Column({ type: 'simple-json' })
  homeUnitIds!: string[];

  @Column({ type: 'simple-json' })
  homeOutcomeIds!: string[];

  @Column({ type: 'double' })
  ecvetPoints!: number;

  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  @Column({ type: 'datetime', precision: 3 })
  decidedAt!: Date;

  @Column({ type: 'simple-json' })
  history!: StoredDecisionRevision[];
}
