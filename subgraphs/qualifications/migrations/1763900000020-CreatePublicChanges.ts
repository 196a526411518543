import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createPublicChangeSequenceTable, createPublicChangeTable } from '../../shared/changes/change.entity';

/** The change feed of the shard's public data, which keeps the hub's entity cache exact. */
export class CreatePublicChanges1763900000020 implements MigrationInterface {
  name = 'CreatePublicChanges1763900000020';

  async up(queryRunner: QueryRunner): Promise<void> {
    await createPublicChangeTable(queryRunner);
    await createPublicChangeSequenceTable(queryRunner);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('public_change_sequence');
    await queryRunner.dropTable('public_change');
  }
}
