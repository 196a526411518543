import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, VersionColumn } from 'typeorm';
import { QualificationRecord } from '../qualification/qualification.entity';
import type { LifecycleStatus, LocalizedText } from '../../../schema';

@Entity('unit')
@Index('idx_unit_order', ['sortKey', 'id'])
@Index('idx_unit_filter', ['status', 'eqfLevel'])
export class UnitRecord {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;

  @Index('idx_unit_qualification')
  @Column({ type: 'varchar', length: 64 })
  qualificationId!: string;

  @ManyToOne(() => QualificationRecord, { onDelete: 'RESTRICT', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'qualificationId', foreignKeyConstraintName: 'fk_unit_qualification' })
  qualification?: QualificationRecord;

  @Column({ type: 'simple-json' })
  titles!: LocalizedText[];

  @Column({ type: 'int' })
  eqfLevel!: number;

  @Column({ type: 'double' })
  ecvetPoints!: number;

  /** One entry per criterion, each a list of translations. */
  @Column({ type: 'simple-json' })
  assessmentCriteria!: LocalizedText[][];

  @Column({ type: 'varchar', length: 10 })
  validFrom!: string;

  @Column({ type: 'varchar', length: 10, nullable: true })
  validUntil!: string | null;

  @Column({ type: 'varchar', length: 8 })
  status!: LifecycleStatus;

  @Column({ type: 'varchar', length: 160 })
  sortKey!: string;

  /** Folded text of titles, outcome statements and criteria in every language, for search. */
  @Column({ type: 'text' })
  searchText!: string;

  @VersionColumn()
  version!: number;

  @Column({ type: 'datetime', precision: 3 })
  createdAt!: Date;

  @Column({ type: 'datetime', precision: 3 })
  updatedAt!: Date;
}
