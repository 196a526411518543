import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { StoredGradingScale } from '../../../schema/grading-scale';
import type { LocalizedText } from '../../../schema/localized-text';

/** A grading scale the institution publishes; grades are kept whole, best first, as a scale is read whole. */
@Entity('grading_scale')
export class GradingScaleRecord {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;

  @Column({ type: 'simple-json' })
  titles!: LocalizedText[];

  @Column({ type: 'simple-json' })
  grades!: StoredGradingScale['grades'];

  @Column({ type: 'varchar', length: 40 })
  passGrade!: string;
}
