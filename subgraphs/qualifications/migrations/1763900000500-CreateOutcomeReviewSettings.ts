import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

/** The outcome review findings an institution makes blocking for its unit writes. */
export class CreateOutcomeReviewSettings1763900000500 implements MigrationInterface {
  name = 'CreateOutcomeReviewSettings1763900000500';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'outcome_review_setting',
        columns: [
          { name: 'institution', type: 'varchar', length: '100', isPrimary: true },
          { name: 'blockingCodes', type: 'varchar', length: '400' },
          { name: 'updatedAt', type: 'datetime', precision: 3 },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('outcome_review_setting');
  }
}
