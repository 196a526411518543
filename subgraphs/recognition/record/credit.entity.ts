import { Column, Entity, PrimaryColumn } from 'typeorm';

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
