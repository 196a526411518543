import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { LocalizedText } from '../../../schema/localized-text';
import type { MemorandumProcedures } from '../../../schema/mobility/memorandum';
import type { StoredCorrespondence } from '../correspondence/correspondence.entity';

@Entity('memorandum')
@Index('idx_memorandum_order', ['sortKey', 'id'])
export class MemorandumRecord {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;

  @Column({ type: 'simple-json' })
  titles!: LocalizedText[];

  @Column({ type: 'varchar', length: 100 })
  proposer!: string;

  /** Codes of every partner, the proposer included. */
  @Column({ type: 'simple-json' })
  partners!: string[];

  @Column({ type: 'simple-json' })
  qualificationIds!: string[];

  @Column({ type: 'simple-json' })
  unitIds!: string[];

  @Column({ type: 'simple-json' })
  procedures!: MemorandumProcedures;

  /** The correspondence table; null for memoranda proposed before there was one (read as empty). */
  @Column({ type: 'simple-json', nullable: true })
  correspondences!: StoredCorrespondence[] | null;

  @Column({ type: 'varchar', length: 10 })
  validFrom!: string;

  @Column({ type: 'varchar', length: 10 })
  validUntil!: string;

  @Column({ type: 'varchar', length: 64 })
  contentHash!: string;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  terminationReason!: string | null;

  @Column({ type: 'varchar', length: 160 })
  sortKey!: string;

  @Column({ type: 'datetime', precision: 3 })
  createdAt!: Date;
}

@Entity('memorandum_signature')
export class MemorandumSignatureRecord {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  memorandumId!: string;

  @PrimaryColumn({ type: 'varchar', length: 100 })
  institution!: string;

  @Column({ type: 'varchar', length: 200 })
  signerName!: string;

  @Column({ type: 'varchar', length: 200 })
  signerPosition!: string;

  @Column({ type: 'datetime', precision: 3 })
  signedAt!: Date;

  @Column({ type: 'varchar', length: 64 })
  contentHash!: string;
}

/**
 * One row per partner of a memorandum, the proposer included: the `partners` JSON stays the signed text, and
 * this lets `memoranda` find an institution's memoranda through an index and count partners in SQL.
 */
@Entity('memorandum_partner')
@Index('idx_memorandum_partner_institution', ['institution', 'memorandumId'])
export class MemorandumPartnerRecord {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  memorandumId!: string;

  @PrimaryColumn({ type: 'varchar', length: 100 })
  institution!: string;
}
