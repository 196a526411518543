import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

/** `recognizeUnits` kept its idempotency keys as `recognizeUnits:<institution>:<key>`; the institution has no colon. */
const OLD_KEY = /^recognizeUnits:([^:]+):(.*)$/s;
const FIELD = 'recognizeUnits';

interface OldRequest {
  key: string;
  requestHash: string;
  resultIds: string;
  createdAt: Date | string;
}

/** A datetime as the driver reads it: MySQL/MariaDB give a Date, SQLite the UTC text TypeORM wrote. */
const isoOf = (value: Date | string): string =>
  (value instanceof Date ? value : new Date(`${value.replace(' ', 'T')}Z`)).toISOString();
/** A datetime as TypeORM writes it, in UTC: SQLite binds no Date, and both drivers read this text back alike. */
const datetimeOf = (iso: string): string => new Date(iso).toISOString().replace('T', ' ').replace('Z', '');

/**
 * `recognizeUnits(input: { idempotencyKey })` keeps its keys with the Idempotency-Key claims (scoped to the
 * institution, under the field `recognizeUnits`): the keys already given move there, and their own table goes.
 */
export class MoveRecognitionIdempotencyKeys1763900000270 implements MigrationInterface {
  name = 'MoveRecognitionIdempotencyKeys1763900000270';

  async up(queryRunner: QueryRunner): Promise<void> {
    const rows = await queryRunner.manager
      .createQueryBuilder()
      .select('*')
      .from('idempotent_request', 'r')
      .getRawMany<OldRequest>();
    const moved = rows.flatMap((row) => {
      const match = OLD_KEY.exec(row.key);
      if (!match) return [];
      const [, scope, idempotencyKey] = match as unknown as [string, string, string];
      return [
        {
          scope,
          idempotencyKey,
          field: FIELD,
          requestDigest: row.requestHash,
          response: row.resultIds,
          createdAt: isoOf(row.createdAt),
        },
      ];
    });
    if (moved.length > 0)
      await queryRunner.manager.createQueryBuilder().insert().into('idempotency_record').values(moved).execute();
    await queryRunner.dropTable('idempotent_request');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'idempotent_request',
        columns: [
          { name: 'key', type: 'varchar', length: '200', isPrimary: true },
          { name: 'requestHash', type: 'varchar', length: '64' },
          { name: 'resultIds', type: 'text' },
          { name: 'createdAt', type: 'datetime', precision: 3 },
        ],
      }),
    );
    const rows = await queryRunner.manager
      .createQueryBuilder()
      .select('*')
      .from('idempotency_record', 'r')
      .where('r.field = :field', { field: FIELD })
      .getRawMany<{
        scope: string;
        idempotencyKey: string;
        requestDigest: string;
        response: string | null;
        createdAt: string;
      }>();
    // An Idempotency-Key's scope names the caller's subject after its institution (or is a digest): those stay.
    const keys = rows.filter(
      (row) => !row.scope.includes(' ') && !row.scope.startsWith('sha256:') && row.response !== null,
    );
    for (const row of keys) {
      await queryRunner.manager
        .createQueryBuilder()
        .insert()
        .into('idempotent_request')
        .values({
          key: `${FIELD}:${row.scope}:${row.idempotencyKey}`,
          requestHash: row.requestDigest,
          resultIds: row.response,
          createdAt: datetimeOf(row.createdAt),
        })
        .execute();
      await queryRunner.manager
        .createQueryBuilder()
        .delete()
        .from('idempotency_record')
        .where('scope = :scope AND idempotencyKey = :key AND field = :field', {
          scope: row.scope,
          key: row.idempotencyKey,
          field: FIELD,
        })
        .execute();
    }
  }
}
