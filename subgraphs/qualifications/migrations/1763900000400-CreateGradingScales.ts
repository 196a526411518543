import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

/** The grading scales an institution publishes (issue 25). */
export class CreateGradingScales1763900000400 implements MigrationInterface {
  name = 'CreateGradingScales1763900000400';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'grading_scale',
        columns: [
          { name: 'id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'titles', type: 'text' },
          { name: 'grades', type: 'text' },
          { name: 'passGrade', type: 'varchar', length: '40' },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('grading_scale');
  }
}
