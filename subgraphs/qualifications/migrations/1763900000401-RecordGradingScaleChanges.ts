import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createChangeTriggers, dropChangeTriggers, type ChangeTriggerTable } from '../../shared/changes/triggers';

/**
 * Grading scales are public data read with their institution (`Institution.gradingScales`): a change by any writer
 * names the institution and the scale on the change feed, as the other public tables do (1763900000040). Written
 * out here, not imported, so that this migration stays what it was when it ran.
 */
const GRADING_SCALE_TABLE: readonly ChangeTriggerTable[] = [
  { table: 'grading_scale', fixed: ['Institution'], columns: [{ prefix: 'GradingScale:', column: 'id' }] },
];

export class RecordGradingScaleChanges1763900000401 implements MigrationInterface {
  name = 'RecordGradingScaleChanges1763900000401';

  async up(queryRunner: QueryRunner): Promise<void> {
    await createChangeTriggers(queryRunner, GRADING_SCALE_TABLE);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropChangeTriggers(queryRunner, GRADING_SCALE_TABLE);
  }
}
