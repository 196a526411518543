import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Which outcome review findings stop a unit write at this shard's institution (none unless it chooses). */
@Entity('outcome_review_setting')
export class OutcomeReviewSettingRecord {
  @PrimaryColumn({ type: 'varchar', length: 100 })
  institution!: string;

  /** Finding codes, comma-separated: a short fixed vocabulary, so no JSON column is needed. */
  @Column({ type: 'varchar', length: 400 })
  blockingCodes!: string;

  @Column({ type: 'datetime', precision: 3 })
  updatedAt!: Date;
}
