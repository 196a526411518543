import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { UnitRecord } from '../unit/unit.entity';
import type { LearningOutcomeCategory, LocalizedText } from '../../../schema';

@Entity('learning_outcome')
@Index('idx_learning_outcome_unit', ['unitId', 'position'])
export class LearningOutcomeRecord {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;

  @Column({ type: 'varchar', length: 64 })
  unitId!: string;

  @ManyToOne(() => UnitRecord, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'unitId', foreignKeyConstraintName: 'fk_learning_outcome_unit' })
  unit?: UnitRecord;

  @Column({ type: 'int' })
  position!: number;

  @Column({ type: 'varchar', length: 10 })
  category!: LearningOutcomeCategory;

  @Column({ type: 'simple-json' })
  statements!: LocalizedText[];
}

/** One ESCO skill an outcome evidences; the unit is repeated so skill filters need no join. */
@Entity('learning_outcome_skill')
@Index('idx_skill_unit', ['skillUri', 'unitId'])
export class LearningOutcomeSkillRecord {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  outcomeId!: string;

  @ManyToOne(() => LearningOutcomeRecord, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'outcomeId', foreignKeyConstraintName: 'fk_skill_learning_outcome' })
  outcome?: LearningOutcomeRecord;

  @PrimaryColumn({ type: 'varchar', length: 100 })
  skillUri!: string;

  @Column({ type: 'varchar', length: 64 })
  unitId!: string;

  @Column({ type: 'int' })
  position!: number;
}
