import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { LifecycleStatus, LocalizedText } from '../../../schema';

@Entity('qualification')
@Index('idx_qualification_order', ['sortKey', 'id'])
export class QualificationRecord {
  /** The local ID; the hub ID adds the institution code in front. */
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;

  @Column({ type: 'simple-json' })
  titles!: LocalizedText[];

  @Column({ type: 'simple-json' })
  descriptions!: LocalizedText[];

  @Column({ type: 'int' })
  eqfLevel!: number;

  @Column({ type: 'int', nullable: true })
  nqfLevel!: number | null;

  @Column({ type: 'varchar', length: 4 })
  iscedCode!: string;

  @Column({ type: 'double' })
  ecvetPoints!: number;

  @Index('idx_qualification_occupation')
  @Column({ type: 'varchar', length: 100, nullable: true })
  escoOccupation!: string | null;

  @Column({ type: 'varchar', length: 8 })
  status!: LifecycleStatus;

  /** Folded English title (see `sortKeyOf`): every shard orders lists by it, then by ID. */
  @Column({ type: 'varchar', length: 160 })
  sortKey!: string;

  /** Folded text of every title and description in every language, for search. */
  @Column({ type: 'text' })
  searchText!: string;

  @Column({ type: 'datetime', precision: 3 })
  createdAt!: Date;

  @Column({ type: 'datetime', precision: 3 })
  updatedAt!: Date;
}
