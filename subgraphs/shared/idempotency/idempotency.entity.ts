import { Column, Entity, Index, PrimaryColumn, Table, TableIndex, type QueryRunner } from 'typeorm';

/**
 * One mutation's claim on an Idempotency-Key, written in the mutation's own transaction: the row exists exactly
 * when the write committed. The answer is added once the response is known; a claim without one means the
 * write committed but its answer was not recorded (still running, or the shard stopped in between).
 */
@Entity('idempotency_record')
@Index('idx_idempotency_created', ['createdAt'])
export class IdempotencyRecord {
  /** Whose key: the caller's institution and subject, so one caller's key never answers another caller. */
  @PrimaryColumn({ type: 'varchar', length: 310 })
  scope!: string;

  @PrimaryColumn({ type: 'varchar', length: 200 })
  idempotencyKey!: string;

  /** The response key(s) of the root field(s) the shard ran: one client operation may send several mutations here. */
  @PrimaryColumn({ type: 'varchar', length: 100 })
  field!: string;

  /** Digest of the client's whole operation at the gateway: the same key with another operation is refused. */
  @Column({ type: 'varchar', length: 64 })
  requestDigest!: string;

  /** The shard's answer as JSON, once known. */
  @Column({ type: 'text', nullable: true })
  response!: string | null;

  /** ISO 8601: records older than the retention are pruned. */
  @Column({ type: 'varchar', length: 24 })
  createdAt!: string;
}

/** The table as a migration creates it; every kind's migrations call this. */
export async function createIdempotencyTable(queryRunner: QueryRunner): Promise<void> {
  await queryRunner.createTable(
    new Table({
      name: 'idempotency_record',
      columns: [
        { name: 'scope', type: 'varchar', length: '310', isPrimary: true },
        { name: 'idempotencyKey', type: 'varchar', length: '200', isPrimary: true },
        { name: 'field', type: 'varchar', length: '100', isPrimary: true },
        { name: 'requestDigest', type: 'varchar', length: '64' },
        { name: 'response', type: 'text', isNullable: true },
        { name: 'createdAt', type: 'varchar', length: '24' },
      ],
      indices: [new TableIndex({ name: 'idx_idempotency_created', columnNames: ['createdAt'] })],
    }),
  );
}
