import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/** A memorandum's correspondence table (host units ↔ home units or outcomes), kept as part of its text. */
export class AddCorrespondences1763900000300 implements MigrationInterface {
  name = 'AddCorrespondences1763900000300';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'memorandum',
      new TableColumn({ name: 'correspondences', type: 'text', isNullable: true }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('memorandum', 'correspondences');
  }
}
