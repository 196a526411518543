import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createSigningKeyTable } from '../../shared/documents/signing-key.entity';

/** The key pairs the shard signs transcript credentials (Europass EDC) with. */
export class CreateSigningKeys1763900000150 implements MigrationInterface {
  name = 'CreateSigningKeys1763900000150';

  async up(queryRunner: QueryRunner): Promise<void> {
    await createSigningKeyTable(queryRunner);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('signing_key');
  }
}
