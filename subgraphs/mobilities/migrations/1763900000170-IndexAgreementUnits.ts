import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/** Rows per INSERT while backfilling: three parameters each, well under SQLite's 999 bound parameters. */
const BATCH = 300;

/**
 * The units of each agreement version as rows, so `Unit.learningAgreements` finds a unit's agreements by index
 * for a whole page of units at once: a LIKE on the version's `content` JSON could use no index. The JSON stays,
 * as the version's whole text, and is the source of the backfill.
 */
export class IndexAgreementUnits1763900000170 implements MigrationInterface {
  name = 'IndexAgreementUnits1763900000170';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'agreement_unit',
        columns: [
          { name: 'agreementId', type: 'varchar', length: '64', isPrimary: true },
          { name: 'versionNumber', type: 'integer', isPrimary: true },
          { name: 'unitId', type: 'varchar', length: '200', isPrimary: true },
        ],
        indices: [new TableIndex({ name: 'idx_agreement_unit_unit', columnNames: ['unitId', 'agreementId'] })],
      }),
    );
    const versions = await queryRunner.manager
      .createQueryBuilder()
      .select('v.agreementId', 'agreementId')
      .addSelect('v.number', 'number')
      .addSelect('v.content', 'content')
      .from('agreement_version', 'v')
      .getRawMany<{ agreementId: string; number: number; content: string }>();
    const rows = versions.flatMap(({ agreementId, number, content }) => {
      // A Set, as the primary key wants each unit once; the content is whatever earlier code stored.
      const unitIds = new Set(
        (JSON.parse(content) as { units: Array<{ unitId: string }> }).units.map((unit) => unit.unitId),
      );
      return [...unitIds].map((unitId) => ({ agreementId, versionNumber: number, unitId }));
    });
    for (let start = 0; start < rows.length; start += BATCH) {
      await queryRunner.manager
        .createQueryBuilder()
        .insert()
        .into('agreement_unit', ['agreementId', 'versionNumber', 'unitId'])
        .values(rows.slice(start, start + BATCH))
        .execute();
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('agreement_unit');
  }
}
