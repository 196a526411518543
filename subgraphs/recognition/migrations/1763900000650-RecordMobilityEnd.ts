import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * A validation keeps the mobility's last day from the agreement version it read, so the shard can count the days
 * from a mobility's end to its recognition. Existing rows keep null: they count in no median.
 */
export class RecordMobilityEnd1763900000650 implements MigrationInterface {
  name = 'RecordMobilityEnd1763900000650';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'transcript_validation',
      new TableColumn({ name: 'mobilityEnd', type: 'varchar', length: '10', isNullable: true }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('transcript_validation', 'mobilityEnd');
  }
}
