import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { StoredCreditSource } from '../record/credit-source';

/** A certificate of units recognised from abroad towards a qualification; a newer one for the same qualification supersedes it. */
@Entity('certificate')
@Index('idx_certificate_learner', ['learnerId'])
export class CertificateRecord {
  /** The verification code without the institution prefix. */
  @PrimaryColumn({ type: 'varchar', length: 32 })
  code!: string;

  @Column({ type: 'varchar', length: 200 })
  learnerId!: string;

  @Column({ type: 'varchar', length: 200 })
  learnerName!: string;

  @Column({ type: 'varchar', length: 200 })
  qualificationId!: string;

  @Column({ type: 'simple-json' })
  units!: Array<{
    unitId: string;
    ecvetPoints: number;
    source: StoredCreditSource;
    creditedOn: string;
    decisionId: string | null;
    /** The unit achieved elsewhere this home unit was recognised from; absent on certificates issued before. */
    achievedAsUnitId?: string | null;
  }>;

  @Column({ type: 'double' })
  totalEcvetPoints!: number;

  @Column({ type: 'datetime', precision: 3 })
  issuedAt!: Date;

  @Column({ type: 'boolean' })
  current!: boolean;

  /** When the issuing institution revoked it; null while it stands. */
  @Column({ type: 'datetime', precision: 3, nullable: true })
  revokedAt!: Date | null;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  revocationReason!: string | null;
}
