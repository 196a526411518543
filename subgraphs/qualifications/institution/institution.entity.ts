import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { LocalizedText } from '../../../schema';

/** The institution a shard belongs to: one row, written when the shard is first seeded. */
@Entity('institution')
export class InstitutionRecord {
  @PrimaryColumn({ type: 'varchar', length: 100 })
  code!: string;

  @Column({ type: 'simple-json' })
  names!: LocalizedText[];

  @Column({ type: 'varchar', length: 2 })
  country!: string;

  @Column({ type: 'varchar', length: 200 })
  city!: string;

  @Column({ type: 'varchar', length: 300, nullable: true })
  website!: string | null;
}
