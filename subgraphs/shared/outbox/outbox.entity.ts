import { Column, Entity, PrimaryGeneratedColumn, Table, type QueryRunner } from 'typeorm';

/**
 * The outbox: every event a shard emits, written in the transaction of the change that caused it, so no
 * change exists without its event. `seq` orders them and is the cursor subscribers resume from.
 */
@Entity('outbox_event')
export class OutboxEventRecord {
  @PrimaryGeneratedColumn('increment', { type: 'integer' })
  seq!: number;

  @Column({ type: 'varchar', length: 40 })
  type!: string;

  /** Hub ID of the record the event is about (an assessment, a learning agreement, a decision). */
  @Column({ type: 'varchar', length: 200 })
  subjectId!: string;

  @Column({ type: 'varchar', length: 200 })
  learningAgreementId!: string;

  @Column({ type: 'varchar', length: 100 })
  sendingInstitution!: string;

  @Column({ type: 'varchar', length: 100 })
  hostingInstitution!: string;

  @Column({ type: 'varchar', length: 200 })
  learnerId!: string;

  @Column({ type: 'datetime', precision: 3 })
  occurredAt!: Date;
}

export async function createOutboxTable(queryRunner: QueryRunner): Promise<void> {
  await queryRunner.createTable(
    new Table({
      name: 'outbox_event',
      columns: [
        { name: 'seq', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
        { name: 'type', type: 'varchar', length: '40' },
        { name: 'subjectId', type: 'varchar', length: '200' },
        { name: 'learningAgreementId', type: 'varchar', length: '200' },
        { name: 'sendingInstitution', type: 'varchar', length: '100' },
        { name: 'hostingInstitution', type: 'varchar', length: '100' },
        { name: 'learnerId', type: 'varchar', length: '200' },
        { name: 'occurredAt', type: 'datetime', precision: 3 },
      ],
    }),
  );
}
