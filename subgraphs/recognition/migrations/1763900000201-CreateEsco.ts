import { Table, TableIndex, type MigrationInterface, type QueryRunner, type TableColumnOptions } from 'typeorm';

const varchar = (name: string, length: number, extra: Partial<TableColumnOptions> = {}): TableColumnOptions => ({
  name,
  type: 'varchar',
  length: String(length),
  ...extra,
});

/** ESCO labels, types and broader relations, filled by `npm run esco:import`, read by unit comparisons. */
export class CreateEsco1763900000201 implements MigrationInterface {
  name = 'CreateEsco1763900000201';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'esco_concept',
        columns: [
          varchar('uri', 200, { isPrimary: true }),
          varchar('conceptType', 40),
          varchar('preferredLabel', 512),
          varchar('skillType', 40, { isNullable: true }),
          varchar('reuseLevel', 40, { isNullable: true }),
          varchar('code', 40, { isNullable: true }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'esco_broader',
        columns: [varchar('conceptUri', 200, { isPrimary: true }), varchar('broaderUri', 200, { isPrimary: true })],
        indices: [new TableIndex({ name: 'idx_esco_broader_uri', columnNames: ['broaderUri'] })],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('esco_broader');
    await queryRunner.dropTable('esco_concept');
  }
}
