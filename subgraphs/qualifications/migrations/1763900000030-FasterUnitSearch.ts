import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Unit search at data scale (issue 8, scenario 4): an index that serves an EQF filter in title order, and on
 * MySQL/MariaDB the folded search text as ASCII with a binary collation, so `LIKE '%word%'` compares bytes.
 */
export class FasterUnitSearch1763900000030 implements MigrationInterface {
  name = 'FasterUnitSearch1763900000030';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex(
      'unit',
      new TableIndex({ name: 'idx_unit_eqf_order', columnNames: ['eqfLevel', 'sortKey', 'id'] }),
    );
    if (isMysql(queryRunner)) {
      await queryRunner.query(
        'ALTER TABLE `unit` MODIFY `searchText` TEXT CHARACTER SET ascii COLLATE ascii_bin NOT NULL',
      );
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (isMysql(queryRunner)) {
      await queryRunner.query(
        'ALTER TABLE `unit` MODIFY `searchText` TEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL',
      );
    }
    await queryRunner.dropIndex('unit', 'idx_unit_eqf_order');
  }
}

function isMysql(queryRunner: QueryRunner): boolean {
  const type = queryRunner.connection.options.type;
  return type === 'mysql' || type === 'mariadb';
}
