import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/** Decisions crediting home units achieved by transfer or validated from prior learning. */
export class CreateRouteDecisions1763900000311 implements MigrationInterface {
  name = 'CreateRouteDecisions1763900000311';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'route_decision',
        columns: [
          { name: 'id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'learnerId', type: 'varchar', length: '200' },
          { name: 'route', type: 'varchar', length: '16' },
          { name: 'qualificationId', type: 'varchar', length: '200' },
          { name: 'sourceUnitId', type: 'varchar', length: '200', isNullable: true },
          { name: 'achievedAt', type: 'varchar', length: '500' },
          { name: 'evidence', type: 'text', isNullable: true },
          { name: 'method', type: 'varchar', length: '500', isNullable: true },
          { name: 'assessorName', type: 'varchar', length: '200', isNullable: true },
          { name: 'decision', type: 'varchar', length: '24' },
          { name: 'homeUnitIds', type: 'text' },
          { name: 'homeOutcomeIds', type: 'text' },
          { name: 'ecvetPoints', type: 'double' },
          { name: 'reason', type: 'text', isNullable: true },
          { name: 'decidedAt', type: 'datetime', precision: 3 },
          { name: 'history', type: 'text' },
        ],
        indices: [new TableIndex({ name: 'idx_route_decision_learner', columnNames: ['learnerId'] })],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('route_decision');
  }
}
