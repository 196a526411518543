import { Arg, Ctx, Resolver, Root, Subscription } from 'type-graphql';
import { AgreementEventFilter } from '../../../schema/mobility/events';
import { HomeRecognitionEvent, RecognitionEvent } from '../../../schema/recognition/events';
import { eventCursor } from '../../shared/outbox/outbox';
import type { OutboxEventRecord } from '../../shared/outbox/outbox.entity';
import { subscribeToOutbox } from '../../shared/outbox/subscribe';
import type { RecognitionContext } from '../context';
import { toDecision } from '../decision/decision.mapper';
import { decisionOfEvent } from '../decision/decision.service';
import { toHomeRecognition } from '../routes/route-decision.mapper';
import { routeDecisionOfEvent } from '../routes/route-decision.service';

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

  @Subscription(() => HomeRecognitionEvent, {
    subscribe: subscribeToOutbox(['HOME_RECOGNITION_DECIDED', 'HOME_RECOGNITION_REVISED']) as never,
    description:
      "Transfer and prior-learning decisions of the subscriber's institution (or, for a learner, their own), from " +
      '`after` on, then live. A filter naming a learning agreement leaves them out: they belong to none.',
  })
  async homeRecognitionDecided(
    @Root() event: OutboxEventRecord,
    @Arg('filter', () => AgreementEventFilter, { nullable: true, description: 'Which learners to follow.' })
    _filter: AgreementEventFilter | undefined,
    @Arg('after', () => String, {
      nullable: true,
      description: 'The cursor of the last event received; omitted: from the start.',
    })
    _after: string | undefined,
    @Ctx() context: RecognitionContext,
  ): Promise<HomeRecognitionEvent> {
    return Object.assign(new HomeRecognitionEvent(), {
      cursor: eventCursor(event.seq),
      type: event.type,
      occurredAt: event.occurredAt.toISOString(),
      homeRecognitionDecision: toHomeRecognition(await routeDecisionOfEvent(context, event), context.institution),
    });
  }
}
