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

/** The mobilities shard's first schema: memoranda, learning agreements and their versions, assessments, transcripts. */
export class CreateMobilities1763900000100 implements MigrationInterface {
  name = 'CreateMobilities1763900000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'memorandum',
        columns: [
          varchar('id', 64, { isPrimary: true }),
          column('titles', 'text'),
          varchar('proposer', 100),
          column('partners', 'text'),
          column('qualificationIds', 'text'),
          column('unitIds', 'text'),
          column('procedures', 'text'),
          varchar('validFrom', 10),
          varchar('validUntil', 10),
          varchar('contentHash', 64),
          varchar('terminationReason', 1000, { isNullable: true }),
          varchar('sortKey', 160),
          timestamp('createdAt'),
        ],
        indices: [new TableIndex({ name: 'idx_memorandum_order', columnNames: ['sortKey', 'id'] })],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'memorandum_signature',
        columns: [
          varchar('memorandumId', 64, { isPrimary: true }),
          varchar('institution', 100, { isPrimary: true }),
          varchar('signerName', 200),
          varchar('signerPosition', 200),
          timestamp('signedAt'),
          varchar('contentHash', 64),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'learning_agreement',
        columns: [
          varchar('id', 64, { isPrimary: true }),
          varchar('sendingInstitution', 100),
          varchar('hostingInstitution', 100),
          varchar('memorandumId', 200, { isNullable: true }),
          varchar('learnerId', 200),
          column('learner', 'text'),
          column('sendingContact', 'text'),
          column('hostingContact', 'text'),
          varchar('status', 10),
          column('currentVersion', 'integer'),
          column('pendingVersion', 'integer', { isNullable: true }),
          varchar('sortKey', 160),
          timestamp('updatedAt'),
        ],
        indices: [
          new TableIndex({ name: 'idx_agreement_order', columnNames: ['sortKey', 'id'] }),
          new TableIndex({ name: 'idx_agreement_learner', columnNames: ['learnerId'] }),
          new TableIndex({ name: 'idx_agreement_hosting', columnNames: ['hostingInstitution'] }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'agreement_version',
        columns: [
          varchar('agreementId', 64, { isPrimary: true }),
          column('number', 'integer', { isPrimary: true }),
          varchar('status', 10),
          varchar('mobilityStart', 10),
          varchar('mobilityEnd', 10),
          column('content', 'text'),
          varchar('changeReason', 1000, { isNullable: true }),
          timestamp('createdAt'),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'agreement_signature',
        columns: [
          varchar('agreementId', 64, { isPrimary: true }),
          column('number', 'integer', { isPrimary: true }),
          varchar('party', 8, { isPrimary: true }),
          varchar('signerName', 200),
          varchar('signerPosition', 200),
          timestamp('signedAt'),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'evaluation',
        columns: [
          varchar('agreementId', 64, { isPrimary: true }),
          varchar('institution', 100, { isPrimary: true }),
          column('wentAsAgreed', 'boolean'),
          column('comments', 'text'),
          timestamp('recordedAt'),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'assessment',
        columns: [
          varchar('id', 64, { isPrimary: true }),
          varchar('agreementId', 64),
          varchar('unitId', 200),
          varchar('result', 12),
          varchar('grade', 40, { isNullable: true }),
          varchar('method', 500),
          varchar('assessorName', 200),
          varchar('assessedOn', 10),
          column('evidence', 'text', { isNullable: true }),
          column('outcomeResults', 'text'),
          column('ecvetPoints', 'double'),
          column('revision', 'integer'),
          column('history', 'text'),
        ],
        indices: [
          new TableIndex({ name: 'uq_assessment_unit', columnNames: ['agreementId', 'unitId'], isUnique: true }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'transcript',
        columns: [
          varchar('id', 64, { isPrimary: true }),
          varchar('agreementId', 64),
          column('version', 'integer'),
          column('agreementVersion', 'integer'),
          column('current', 'boolean'),
          timestamp('issuedAt'),
          varchar('issuedBy', 200),
          column('entries', 'text'),
          column('totalEcvetPoints', 'double'),
        ],
        indices: [
          new TableIndex({ name: 'uq_transcript_version', columnNames: ['agreementId', 'version'], isUnique: true }),
        ],
      }),
    );
    await createAuditTable(queryRunner);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'audit_entry',
      'transcript',
      'assessment',
      'evaluation',
      'agreement_signature',
      'agreement_version',
      'learning_agreement',
      'memorandum_signature',
      'memorandum',
    ]) {
      await queryRunner.dropTable(table);
    }
  }
}
