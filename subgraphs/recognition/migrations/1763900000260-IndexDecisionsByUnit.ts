import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/** `Unit.recognitions` reads a page of units' decisions at once, by unit. */
export class IndexDecisionsByUnit1763900000260 implements MigrationInterface {
  name = 'IndexDecisionsByUnit1763900000260';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex(
      'recognition_decision',
      new TableIndex({ name: 'idx_decision_unit', columnNames: ['unitId'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('recognition_decision', 'idx_decision_unit');
  }
}
