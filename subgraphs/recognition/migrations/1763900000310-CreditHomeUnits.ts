import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Decisions name the home units and outcomes they credit, and credits name the unit achieved elsewhere beside the
 * home unit they stand for. Existing rows keep null: a decision without home units credits its own unit, as before.
 */
export class CreditHomeUnits1763900000310 implements MigrationInterface {
  name = 'CreditHomeUnits1763900000310';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('recognition_decision', [
      new TableColumn({ name: 'homeUnitIds', type: 'text', isNullable: true }),
      new TableColumn({ name: 'homeOutcomeIds', type: 'text', isNullable: true }),
      new TableColumn({ name: 'overrideReason', type: 'text', isNullable: true }),
    ]);
    await queryRunner.addColumns('credit', [
      new TableColumn({ name: 'achievedAsUnitId', type: 'varchar', length: '200', isNullable: true }),
      new TableColumn({ name: 'outcomeIds', type: 'text', isNullable: true }),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('credit', 'outcomeIds');
    await queryRunner.dropColumn('credit', 'achievedAsUnitId');
    await queryRunner.dropColumn('recognition_decision', 'overrideReason');
    await queryRunner.dropColumn('recognition_decision', 'homeOutcomeIds');
    await queryRunner.dropColumn('recognition_decision', 'homeUnitIds');
  }
}
