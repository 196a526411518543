import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { StoredCreditSource } from './credit-source';

/**
 * One credited unit of a learner's home qualification: at most one row per learner and unit, so nothing is credited
 * twice. Rows from recognition are rebuilt from the decisions that credit the unit (see accumulation/).
 */
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
  source!: StoredCreditSource;

  @Column({ type: 'varchar', length: 10 })
  creditedOn!: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  decisionId!: string | null;

  /** The unit achieved elsewhere that the decision recognised as this home unit; null for units achieved at home. */
  @Column({ type: 'varchar', length: 200, nullable: true })
  achievedAsUnitId!: string | null;

  /** Home outcomes credited when the unit is credited in part; null when it is credited whole. */
  @Column({ type: 'simple-json', nullable: true })
  outcomeIds!: string[] | null;
}
