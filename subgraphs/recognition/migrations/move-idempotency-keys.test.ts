import { openDatabase } from '../../shared/database';
import { answerUnderKey } from '../../shared/idempotency/argument-key';
import { testDatabases } from '../../../test/harness/databases';
import { recognitionEntities, recognitionMigrations } from '../entities';
import { MoveRecognitionIdempotencyKeys1763900000270 } from './1763900000270-MoveRecognitionIdempotencyKeys';

// Up to the migration under test, whatever later migrations follow it.
const upTo = recognitionMigrations.indexOf(MoveRecognitionIdempotencyKeys1763900000270);

/** The keys `recognizeUnits` was given before its keys moved to the shared idempotency records still answer retries. */
test('recognizeUnits keys move to the idempotency records and back', async () => {
  const databases = testDatabases();
  const url = databases.url('recognition_idempotency_keys');
  const options = { url, entities: recognitionEntities };
  try {
    const before = await openDatabase({ ...options, migrations: recognitionMigrations.slice(0, upTo) });
    await before.dataSource
      .createQueryBuilder()
      .insert()
      .into('idempotent_request')
      .values({
        key: 'recognizeUnits:rvt.lv:batch:7',
        requestHash: 'a'.repeat(64),
        resultIds: '["R-2","R-1"]',
        createdAt: '2026-11-30 08:15:00.250',
      })
      .execute();
    await before.close();

    const after = await openDatabase({ ...options, migrations: recognitionMigrations.slice(0, upTo + 1) });
    const claim = {
      scope: 'rvt.lv',
      key: 'batch:7',
      field: 'recognizeUnits',
      digest: 'a'.repeat(64),
      argument: 'input.idempotencyKey',
    };
    expect(await answerUnderKey(after.dataSource.manager, claim)).toEqual(['R-2', 'R-1']);
    await expect(answerUnderKey(after.dataSource.manager, { ...claim, digest: 'b'.repeat(64) })).rejects.toThrow(
      /used for a different request/,
    );
    expect(await after.dataSource.query('SELECT createdAt FROM idempotency_record')).toEqual([
      { createdAt: '2026-11-30T08:15:00.250Z' },
    ]);

    await after.dataSource.undoLastMigration();
    const restored = await after.dataSource
      .createQueryBuilder()
      .select(['r.key AS k', 'r.resultIds AS ids'])
      .from('idempotent_request', 'r')
      .getRawMany();
    expect(restored).toEqual([{ k: 'recognizeUnits:rvt.lv:batch:7', ids: '["R-2","R-1"]' }]);
    expect(await after.dataSource.query('SELECT * FROM idempotency_record')).toEqual([]);
    await after.close();
  } finally {
    await databases.dispose();
  }
});
