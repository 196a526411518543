import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createAuditTable } from '../../shared/audit/audit.entity';

/** The audit trail of the shard's writes. */
export class CreateAuditTrail1763900000001 implements MigrationInterface {
  name = 'CreateAuditTrail1763900000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await createAuditTable(queryRunner);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('audit_entry');
  }
}
