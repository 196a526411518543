import { Table, TableForeignKey, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/** The qualifications shard's first schema: institution, qualifications, units, outcomes and their ESCO skills. */
export class CreateQualifications1763900000000 implements MigrationInterface {
  name = 'CreateQualifications1763900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const timestamps = [
      { name: 'createdAt', type: 'datetime', precision: 3 },
      { name: 'updatedAt', type: 'datetime', precision: 3 },
    ];
    await queryRunner.createTable(
      new Table({
        name: 'institution',
        columns: [
          { name: 'code', type: 'varchar', length: '100', isPrimary: true },
          { name: 'names', type: 'text' },
          { name: 'country', type: 'varchar', length: '2' },
          { name: 'city', type: 'varchar', length: '200' },
          { name: 'website', type: 'varchar', length: '300', isNullable: true },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'qualification',
        columns: [
          { name: 'id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'titles', type: 'text' },
          { name: 'descriptions', type: 'text' },
          { name: 'eqfLevel', type: 'integer' },
          { name: 'nqfLevel', type: 'integer', isNullable: true },
          { name: 'iscedCode', type: 'varchar', length: '4' },
          { name: 'ecvetPoints', type: 'double' },
          { name: 'escoOccupation', type: 'varchar', length: '100', isNullable: true },
          { name: 'status', type: 'varchar', length: '8' },
          { name: 'sortKey', type: 'varchar', length: '160' },
          { name: 'searchText', type: 'text' },
          ...timestamps,
        ],
        indices: [
          new TableIndex({ name: 'idx_qualification_order', columnNames: ['sortKey', 'id'] }),
          new TableIndex({ name: 'idx_qualification_occupation', columnNames: ['escoOccupation'] }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'unit',
        columns: [
          { name: 'id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'qualificationId', type: 'varchar', length: '64' },
          { name: 'titles', type: 'text' },
          { name: 'eqfLevel', type: 'integer' },
          { name: 'ecvetPoints', type: 'double' },
          { name: 'assessmentCriteria', type: 'text' },
          { name: 'validFrom', type: 'varchar', length: '10' },
          { name: 'validUntil', type: 'varchar', length: '10', isNullable: true },
          { name: 'status', type: 'varchar', length: '8' },
          { name: 'sortKey', type: 'varchar', length: '160' },
          { name: 'searchText', type: 'text' },
          { name: 'version', type: 'integer' },
          ...timestamps,
        ],
        indices: [
          new TableIndex({ name: 'idx_unit_order', columnNames: ['sortKey', 'id'] }),
          new TableIndex({ name: 'idx_unit_filter', columnNames: ['status', 'eqfLevel'] }),
          new TableIndex({ name: 'idx_unit_qualification', columnNames: ['qualificationId'] }),
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_unit_qualification',
            columnNames: ['qualificationId'],
            referencedTableName: 'qualification',
            referencedColumnNames: ['id'],
            onDelete: 'RESTRICT',
            onUpdate: 'NO ACTION',
          }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'learning_outcome',
        columns: [
          { name: 'id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'unitId', type: 'varchar', length: '64' },
          { name: 'position', type: 'integer' },
          { name: 'category', type: 'varchar', length: '10' },
          { name: 'statements', type: 'text' },
        ],
        indices: [new TableIndex({ name: 'idx_learning_outcome_unit', columnNames: ['unitId', 'position'] })],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_learning_outcome_unit',
            columnNames: ['unitId'],
            referencedTableName: 'unit',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
            onUpdate: 'NO ACTION',
          }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'learning_outcome_skill',
        columns: [
          { name: 'outcomeId', type: 'varchar', length: '64', isPrimary: true },
          { name: 'skillUri', type: 'varchar', length: '100', isPrimary: true },
          { name: 'unitId', type: 'varchar', length: '64' },
          { name: 'position', type: 'integer' },
        ],
        indices: [new TableIndex({ name: 'idx_skill_unit', columnNames: ['skillUri', 'unitId'] })],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_skill_learning_outcome',
            columnNames: ['outcomeId'],
            referencedTableName: 'learning_outcome',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
            onUpdate: 'NO ACTION',
          }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['learning_outcome_skill', 'learning_outcome', 'unit', 'qualification', 'institution']) {
      await queryRunner.dropTable(table);
    }
  }
}
