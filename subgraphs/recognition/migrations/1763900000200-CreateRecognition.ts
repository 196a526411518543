import { Table, TableIndex, type MigrationInterface, type QueryRunner, type TableColumnOptions } from 'typeorm';
import { createAuditTable } from '../../shared/audit/audit.entity';

const varchar = (name: string, length: number, extra: Partial<TableColumnOptions> = {}): TableColumnOptions => ({
  name,
  type: 'varchar',
  length: String(length),
  ...extra,
});
const column = (name: string, type: string, extra: Partial<TableColumnOptions> = {}): TableColumnOptions => ({
  name,
  type,
  ...extra,
});
const timestamp = (name: string): TableColumnOptions => ({ name, type: 'datetime', precision: 3 });

/** The recognition shard's first schema: validations, decisions, credits, certificates, idempotency keys. */
export class CreateRecognition1763900000200 implements MigrationInterface {
  name = 'CreateRecognition1763900000200';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'transcript_validation',
        columns: [
          varchar('id', 64, { isPrimary: true }),
          varchar('agreementId', 200),
          varchar('learnerId', 200),
          varchar('learnerName', 200),
          varchar('homeQualificationId', 200),
          column('transcriptVersion', 'integer'),
          column('agreementVersion', 'integer'),
          column('consistent', 'boolean'),
          column('units', 'text'),
          timestamp('validatedAt'),
          varchar('validatedBy', 200),
        ],
        indices: [
          new TableIndex({ name: 'idx_validation_agreement', columnNames: ['agreementId', 'transcriptVersion'] }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'recognition_decision',
        columns: [
          varchar('id', 64, { isPrimary: true }),
          varchar('agreementId', 200),
          varchar('learnerId', 200),
          varchar('unitId', 200),
          varchar('decision', 24),
          column('recognisedOutcomeIds', 'text'),
          column('ecvetPoints', 'double'),
          column('reason', 'text', { isNullable: true }),
          timestamp('decidedAt'),
          column('history', 'text'),
        ],
        indices: [
          new TableIndex({ name: 'uq_decision_unit', columnNames: ['agreementId', 'unitId'], isUnique: true }),
          new TableIndex({ name: 'idx_decision_learner', columnNames: ['learnerId'] }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'credit',
        columns: [
          varchar('learnerId', 200, { isPrimary: true }),
          varchar('unitId', 200, { isPrimary: true }),
          varchar('qualificationId', 200),
          column('ecvetPoints', 'double'),
          varchar('source', 8),
          varchar('creditedOn', 10),
          varchar('decisionId', 64, { isNullable: true }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'idempotent_request',
        columns: [
          varchar('key', 200, { isPrimary: true }),
          varchar('requestHash', 64),
          column('resultIds', 'text'),
          timestamp('createdAt'),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'certificate',
        columns: [
          varchar('code', 32, { isPrimary: true }),
          varchar('learnerId', 200),
          varchar('learnerName', 200),
          varchar('qualificationId', 200),
          column('units', 'text'),
          column('totalEcvetPoints', 'double'),
          timestamp('issuedAt'),
          column('current', 'boolean'),
        ],
        indices: [new TableIndex({ name: 'idx_certificate_learner', columnNames: ['learnerId'] })],
      }),
    );
    await createAuditTable(queryRunner);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'audit_entry',
      'certificate',
      'idempotent_request',
      'credit',
      'recognition_decision',
      'transcript_validation',
    ]) {
      await queryRunner.dropTable(table);
    }
  }
}
