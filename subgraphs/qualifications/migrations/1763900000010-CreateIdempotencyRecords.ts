import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createIdempotencyTable } from '../../shared/idempotency/idempotency.entity';

/** Claims on clients' Idempotency-Keys, written with the writes they name. */
export class CreateIdempotencyRecords1763900000010 implements MigrationInterface {
  name = 'CreateIdempotencyRecords1763900000010';

  async up(queryRunner: QueryRunner): Promise<void> {
    await createIdempotencyTable(queryRunner);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('idempotency_record');
  }
}
