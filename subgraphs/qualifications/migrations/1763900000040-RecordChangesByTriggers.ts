import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createChangeTriggers, dropChangeTriggers, type ChangeTriggerTable } from '../../shared/changes/triggers';

/**
 * What a change to each public table names, as `cache-tags.ts` reads them: outcomes and their ESCO skills carry
 * their unit's tag, a unit its qualification's (the list of its units), a qualification the institution's (the
 * list of its qualifications), and every write the searches' (`UnitList`, `QualificationList`). Written out
 * here, not imported, so that this migration stays what it was when it ran.
 */
const PUBLIC_TABLES: readonly ChangeTriggerTable[] = [
  { table: 'institution', fixed: ['Institution', 'UnitList', 'QualificationList'], columns: [] },
  {
    table: 'qualification',
    fixed: ['Institution', 'UnitList', 'QualificationList'],
    columns: [{ prefix: 'Qualification:', column: 'id' }],
  },
  {
    table: 'unit',
    fixed: ['UnitList', 'QualificationList'],
    columns: [
      { prefix: 'Unit:', column: 'id' },
      { prefix: 'Qualification:', column: 'qualificationId' },
    ],
  },
  {
    table: 'learning_outcome',
    fixed: ['UnitList', 'QualificationList'],
    columns: [
      { prefix: 'LearningOutcome:', column: 'id' },
      { prefix: 'Unit:', column: 'unitId' },
    ],
  },
  {
    table: 'learning_outcome_skill',
    fixed: ['UnitList', 'QualificationList'],
    columns: [
      { prefix: 'LearningOutcome:', column: 'outcomeId' },
      { prefix: 'Unit:', column: 'unitId' },
    ],
  },
];

/**
 * Every insert, update and delete of the shard's public data records its change-feed row by database triggers, in
 * the writer's transaction: a change made by another program (the institution's student information system, an
 * administrator's SQL) reaches the hub's entity cache as the shard's own writes do.
 */
export class RecordChangesByTriggers1763900000040 implements MigrationInterface {
  name = 'RecordChangesByTriggers1763900000040';

  async up(queryRunner: QueryRunner): Promise<void> {
    await createChangeTriggers(queryRunner, PUBLIC_TABLES);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropChangeTriggers(queryRunner, PUBLIC_TABLES);
  }
}
