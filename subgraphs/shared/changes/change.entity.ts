import { randomBytes } from 'node:crypto';
import { Column, Entity, PrimaryColumn, Table, type QueryRunner } from 'typeorm';

/**
 * The change feed of a shard's public data: one row per changed row of a public table, naming the cache tags
 * it touched. Written by the database's triggers (triggers.ts) in the writer's own transaction, whoever the
 * writer is, so no change exists without its row; `seq` is the feed's cursor.
 */
@Entity('public_change')
export class PublicChangeRecord {
  /** Taken from `public_change_sequence`, not auto-incremented: see there. */
  @PrimaryColumn({ type: 'integer' })
  seq!: number;

  /** The cache tags of the records the write changed, space-separated (e.g. "Unit:WELD-U1 Qualification:WELD"). */
  @Column({ type: 'text' })
  tags!: string;

  @Column({ type: 'datetime', precision: 3 })
  occurredAt!: Date;
}

export async function createPublicChangeTable(queryRunner: QueryRunner): Promise<void> {
  await queryRunner.createTable(
    new Table({
      name: 'public_change',
      columns: [
        { name: 'seq', type: 'integer', isPrimary: true },
        { name: 'tags', type: 'text' },
        { name: 'occurredAt', type: 'datetime', precision: 3 },
      ],
    }),
  );
}

/**
 * The feed's counter, one row. A write takes the next number by updating it, which holds the row's lock until
 * the write commits: numbers are handed out in commit order, so a reader never sees 11 before 10 and skips 10.
 */
@Entity('public_change_sequence')
export class PublicChangeSequenceRecord {
  @PrimaryColumn({ type: 'integer' })
  id!: number;

  @Column({ type: 'integer' })
  last!: number;

  /**
   * Names this feed's history, made when the table is: a database replaced by another (a restore, a reseed)
   * starts a new history even if its numbers reach ours, and readers must not take one for the other.
   */
  @Column({ type: 'varchar', length: 32 })
  feedId!: string;
}

export async function createPublicChangeSequenceTable(queryRunner: QueryRunner): Promise<void> {
  await queryRunner.createTable(
    new Table({
      name: 'public_change_sequence',
      columns: [
        { name: 'id', type: 'integer', isPrimary: true },
        { name: 'last', type: 'integer' },
        { name: 'feedId', type: 'varchar', length: '32' },
      ],
    }),
  );
  await queryRunner.query('INSERT INTO public_change_sequence (id, last, feedId) VALUES (1, 0, ?)', [
    randomBytes(12).toString('base64url'),
  ]);
}
