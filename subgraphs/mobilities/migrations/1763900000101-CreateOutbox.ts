import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createOutboxTable } from '../../shared/outbox/outbox.entity';

/** The outbox of events dashboards subscribe to (assessments recorded, agreements changed). */
export class CreateOutbox1763900000101 implements MigrationInterface {
  name = 'CreateOutbox1763900000101';

  async up(queryRunner: QueryRunner): Promise<void> {
    await createOutboxTable(queryRunner);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('outbox_event');
  }
}
