import { Arg, Ctx, Resolver, Root, Subscription } from 'type-graphql';
import { AgreementEventFilter } from '../../../schema/mobility/events';
import { RecognitionEvent } from '../../../schema/recognition/events';
import { eventCursor } from '../../shared/outbox/outbox';
import type { OutboxEventRecord } from '../../shared/outbox/outbox.entity';
import { subscribeToOutbox } from '../../shared/outbox/subscribe';
import type { RecognitionContext } from '../context';
import { toDecision } from '../decision/decision.mapper';
import { decisionOfEvent } from '../decision/decision.service';

@Resolver()
export class RecognitionEventsResolver {
  @Subscription(() => RecognitionEvent, {
    subscribe: subscribeToOutbox(['RECOGNITION_DECIDED', 'RECOGNITION_REVISED']) as never,
    description:
      "Recognition decisions of the subscriber's institution (or, for a learner, their own), from `after` on, then live.",
  })
  async recognitionDecided(
    @Root() event: OutboxEventRecord,
    @Arg('filter', () => AgreementEventFilter, { nullable: true, description: 'Which mobilities to follow.' })
    _filter: AgreementEventFilter | undefined,
    @Arg('after', () => String, {
      nullable: true,
      description: 'The cursor of the last event received; omitted: from the start.',
    })
    _after: string | undefined,
    @Ctx() context: RecognitionContext,
  ): Promise<RecognitionEvent> {
    return Object.assign(new RecognitionEvent(), {
      cursor: eventCursor(event.seq),
      type: event.type,
      occurredAt: event.occurredAt.toISOString(),
      recognitionDecision: toDecision(await decisionOfEvent(context, event), context.institution),
    });
  }
}
