import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/** Rows per INSERT while backfilling: two parameters each, well under SQLite's 999 bound parameters. */
const BATCH = 400;

/**
 * Partners as rows, so `memoranda` finds an institution's memoranda by index and tells their status in SQL:
 * a LIKE on the `partners` JSON could use no index. The JSON stays, as part of the signed text, and is the
 * source of the backfill.
 */
export class IndexMemorandumPartners1763900000160 implements MigrationInterface {
  name = 'IndexMemorandumPartners1763900000160';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'memorandum_partner',
        columns: [
          { name: 'memorandumId', type: 'varchar', length: '64', isPrimary: true },
          { name: 'institution', type: 'varchar', length: '100', isPrimary: true },
        ],
        indices: [
          new TableIndex({ name: 'idx_memorandum_partner_institution', columnNames: ['institution', 'memorandumId'] }),
        ],
      }),
    );
    const memoranda = await queryRunner.manager
      .createQueryBuilder()
      .select('m.id', 'id')
      .addSelect('m.partners', 'partners')
      .from('memorandum', 'm')
      .getRawMany<{ id: string; partners: string }>();
    // A Set, as the primary key wants each partner once.
    const rows = memoranda.flatMap(({ id, partners }) =>
      [...new Set(JSON.parse(partners) as string[])].map((institution) => ({ memorandumId: id, institution })),
    );
    for (let start = 0; start < rows.length; start += BATCH) {
      await queryRunner.manager
        .createQueryBuilder()
        .insert()
        .into('memorandum_partner', ['memorandumId', 'institution'])
        .values(rows.slice(start, start + BATCH))
        .execute();
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('memorandum_partner');
  }
}
