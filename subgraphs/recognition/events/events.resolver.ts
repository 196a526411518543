import { Arg, Ctx, Directive, ID, Query, Resolver, Root, Subscription } from 'type-graphql';
import { AgreementEventFilter } from '../../../schema/mobility/events';
import { RecognitionEvent } from '../../../schema/recognition/events';
import { RecognitionDecision } from '../../../schema/recognition/recognition';
import { ownLocalId } from '../../shared/local-id';
import { eventCursor } from '../../shared/outbox/outbox';
import type { OutboxEventRecord } from '../../shared/outbox/outbox.entity';
import { subscribeToOutbox } from '../../shared/outbox/subscribe';
import type { RecognitionContext } from '../context';
import { toDecision } from '../record/record.mapper';
import { requireCaller } from '../../shared/access';
import { mayReadRecord } from '../record/record.service';
import { RecognitionDecisionRecord } from '../validation/validation.entity';

@Resolver()
export class RecognitionEventsResolver {
  @Directive('@owner(argument: "id")')
  @Query(() => RecognitionDecision, { nullable: true, description: "A recognition decision by hub ID; for the sending institution's staff and the learner." })
  async recognitionDecision(@Arg('id', () => ID, { description: 'Hub ID.' }) id: string, @Ctx() context: RecognitionContext): Promise<RecognitionDecision | null> {
    const caller = requireCaller(context);
    const localId = ownLocalId(context.institution, id);
    const record = localId === null ? null : await context.db.dataSource.manager.findOneBy(RecognitionDecisionRecord, { id: localId });
    // Anyone else gets what an unknown ID gets: neither the decision's existence nor its learner.
    return record && mayReadRecord(caller, context, record.learnerId) ? toDecision(record, context.institution) : null;
  }

  @Subscription(() => RecognitionEvent, {
    subscribe: subscribeToOutbox(['RECOGNITION_DECIDED', 'RECOGNITION_REVISED']) as never,
    description: "Recognition decisions of the subscriber's institution (or, for a learner, their own), from `after` on, then live.",
  })
  async recognitionDecided(
    @Root() event: OutboxEventRecord,
    @Arg('filter', () => AgreementEventFilter, { nullable: true, description: 'Which mobilities to follow.' }) _filter: AgreementEventFilter | undefined,
    @Arg('after', () => String, { nullable: true, description: 'The cursor of the last event received; omitted: from the start.' }) _after: string | undefined,
    @Ctx() context: RecognitionContext,
  ): Promise<RecognitionEvent> {
    const decisionId = ownLocalId(context.institution, event.subjectId);
    const record = await context.db.dataSource.manager.findOneByOrFail(RecognitionDecisionRecord, { id: decisionId ?? '' });
    return Object.assign(new RecognitionEvent(), {
      cursor: eventCursor(event.seq),
      type: event.type,
      occurredAt: event.occurredAt.toISOString(),
      recognitionDecision: toDecision(record, context.institution),
    });
  }
}
