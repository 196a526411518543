import { Column, Entity, Index, PrimaryColumn, Table, TableIndex, type QueryRunner } from 'typeorm';

/** The audit trail of a shard: one row per accepted write, stored in the write's own transaction. */
@Entity('audit_entry')
@Index('idx_audit_order', ['sortKey', 'id'])
export class AuditEntryRecord {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  /** The commit time as ISO 8601, so entries page in time order. */
  @Column({ type: 'varchar', length: 24 })
  sortKey!: string;

  @Column({ type: 'varchar', length: 40 })
  action!: string;

  @Column({ type: 'varchar', length: 200 })
  entityId!: string;

  @Column({ type: 'varchar', length: 100 })
  institution!: string;

  @Column({ type: 'simple-json' })
  roles!: string[];

  @Column({ type: 'varchar', length: 200 })
  subject!: string;

  @Column({ type: 'varchar', length: 100 })
  requestId!: string;

  @Column({ type: 'text' })
  input!: string;
}

/** The table as a migration creates it; every kind's migrations call this. */
export async function createAuditTable(queryRunner: QueryRunner): Promise<void> {
  await queryRunner.createTable(
    new Table({
      name: 'audit_entry',
      columns: [
        { name: 'id', type: 'varchar', length: '36', isPrimary: true },
        { name: 'sortKey', type: 'varchar', length: '24' },
        { name: 'action', type: 'varchar', length: '40' },
        { name: 'entityId', type: 'varchar', length: '200' },
        { name: 'institution', type: 'varchar', length: '100' },
        { name: 'roles', type: 'text' },
        { name: 'subject', type: 'varchar', length: '200' },
        { name: 'requestId', type: 'varchar', length: '100' },
        { name: 'input', type: 'text' },
      ],
      indices: [new TableIndex({ name: 'idx_audit_order', columnNames: ['sortKey', 'id'] })],
    }),
  );
}
