import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { createSigningKeyTable } from '../../shared/documents/signing-key.entity';

/** The key pairs the shard signs certificate credentials (Europass EDC) with, and certificate revocation. */
export class AddCredentials1763900000250 implements MigrationInterface {
  name = 'AddCredentials1763900000250';

  async up(queryRunner: QueryRunner): Promise<void> {
    await createSigningKeyTable(queryRunner);
    await queryRunner.addColumns('certificate', [
      new TableColumn({ name: 'revokedAt', type: 'datetime', precision: 3, isNullable: true }),
      new TableColumn({ name: 'revocationReason', type: 'varchar', length: '1000', isNullable: true }),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('certificate', 'revocationReason');
    await queryRunner.dropColumn('certificate', 'revokedAt');
    await queryRunner.dropTable('signing_key');
  }
}
