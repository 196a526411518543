import DataLoader from 'dataloader';
import { In } from 'typeorm';
import type { ServedKindContext, ShardRequestContext, ShardServices } from '../shared/context';
import type { Database } from '../shared/database';
import { groupBy } from '../shared/loaders';
import { unitDecisionsReadable } from './access';
import { RecognitionDecisionRecord } from './decision/decision.entity';
import { TranscriptValidationRecord } from './validation/validation.entity';

/**
 * Per-request loaders for the fields other kinds' entities gain here (`LearningAgreement.recognition`,
 * `Unit.recognitions`): a page of agreements or units is read in one statement each, not one per row.
 */
export interface RecognitionLoaders {
  /** An agreement's latest transcript validation. */
  latestValidation: DataLoader<string, TranscriptValidationRecord | null>;
  /** An agreement's decisions, in the order they were made (by unit on ties). */
  decisionsOfAgreement: DataLoader<string, RecognitionDecisionRecord[]>;
  /** A unit's decisions that the caller may read: all for the institution's staff, a learner's own for a learner. */
  decisionsOfUnit: DataLoader<string, RecognitionDecisionRecord[]>;
}

export type RecognitionContext = ServedKindContext<RecognitionLoaders>;

const DECISION_ORDER = { decidedAt: 'ASC', unitId: 'ASC' } as const;

export function createRecognitionContext(
  db: Database,
  services: ShardServices,
  request: ShardRequestContext,
): RecognitionContext {
  const manager = db.dataSource.manager;
  const caller = request.caller;
  return {
    ...request,
    db,
    hub: services.hub,
    outbox: services.outbox,
    loaders: {
      latestValidation: new DataLoader(async (ids) => {
        const rows = await manager.find(TranscriptValidationRecord, {
          where: { agreementId: In([...ids]) },
          order: { validatedAt: 'DESC' },
        });
        return groupBy(ids, rows, (row) => row.agreementId).map((validations) => validations[0] ?? null);
      }),
      decisionsOfAgreement: new DataLoader(async (ids) =>
        groupBy(
          ids,
          await manager.find(RecognitionDecisionRecord, {
            where: { agreementId: In([...ids]) },
            order: DECISION_ORDER,
          }),
          (row) => row.agreementId,
        ),
      ),
      // The caller is the same for the whole request, so the rule is part of the one statement.
      decisionsOfUnit: new DataLoader(async (ids) => {
        // Asked here, not when the context is built: asking marks the answer as depending on the caller.
        const readable = unitDecisionsReadable(request);
        if (readable === 'none') return ids.map(() => []);
        const where =
          readable === 'all' ? { unitId: In([...ids]) } : { unitId: In([...ids]), learnerId: caller?.learnerId ?? '' };
        return groupBy(
          ids,
          await manager.find(RecognitionDecisionRecord, { where, order: DECISION_ORDER }),
          (row) => row.unitId,
        );
      }),
    },
  };
}
