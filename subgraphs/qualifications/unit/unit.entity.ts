import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, VersionColumn } from 'typeorm';
import { QualificationRecord } from '../qualification/qualification.entity';
import type { LifecycleStatus, LocalizedText } from '../../../schema';

@Entity('unit')
@Index('idx_unit_order', ['sortKey', 'id'])
@Index('idx_unit_filter', ['status', 'eqfLevel'])
// EQF filters page in title order by walking this index and stop after `first + 1` rows.
@Index('idx_unit_eqf_order', ['eqfLevel', 'sortKey', 'id'])
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

  /**
   * Folded text of titles, outcome statements and criteria in every language, for search. It holds only
   * [a-z0-9 ] (foldText), so on MySQL/MariaDB the migration stores it as ASCII with a binary collation:
   * `LIKE '%word%'` is then a byte scan instead of a Unicode-collation compare per position (~9× cheaper).
   * TypeORM neither compares collations nor has one name for both drivers, hence not declared here.
   */
  @Column({ type: 'text' })
  searchText!: string;

  @VersionColumn()
  version!: number;

  @Column({ type: 'datetime', precision: 3 })
  createdAt!: Date;

  @Column({ type: 'datetime', precision: 3 })
  updatedAt!: Date;
}
