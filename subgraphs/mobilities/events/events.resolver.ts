import { Arg, Ctx, Resolver, Root, Subscription } from 'type-graphql';
import { AgreementEventFilter, AssessmentEvent, LearningAgreementEvent } from '../../../schema/mobility/events';
import { ownLocalId } from '../../shared/local-id';
import { eventCursor } from '../../shared/outbox/outbox';
import { subscribeToOutbox } from '../../shared/outbox/subscribe';
import type { OutboxEventRecord } from '../../shared/outbox/outbox.entity';
import { AssessmentRecord } from '../assessment/assessment.entity';
import { toAssessment } from '../assessment/assessment.mapper';
import type { MobilitiesContext } from '../context';
import { toAgreement } from '../learning-agreement/learning-agreement.mapper';

const ASSESSMENT_TYPES = ['ASSESSMENT_RECORDED', 'ASSESSMENT_CORRECTED'];
const AGREEMENT_TYPES = [
  'AGREEMENT_CREATED',
  'AGREEMENT_SIGNED',
  'AGREEMENT_CHANGE_PROPOSED',
  'AGREEMENT_CHANGE_DECIDED',
  'AGREEMENT_CANCELLED',
  'AGREEMENT_EVALUATED',
  'TRANSCRIPT_ISSUED',
];

@Resolver()
export class EventsResolver {
  @Subscription(() => AssessmentEvent, {
    subscribe: subscribeToOutbox(ASSESSMENT_TYPES) as never,
    description:
      'Assessments recorded or corrected on mobilities the subscriber is party to, from `after` on (missed ones first), then live.',
  })
  async assessmentRecorded(
    @Root() event: OutboxEventRecord,
    @Arg('filter', () => AgreementEventFilter, { nullable: true, description: 'Which mobilities to follow.' })
    _filter: AgreementEventFilter | undefined,
    @Arg('after', () => String, {
      nullable: true,
      description: 'The cursor of the last event received; omitted: from the start.',
    })
    _after: string | undefined,
    @Ctx() context: MobilitiesContext,
  ): Promise<AssessmentEvent> {
    const assessmentId = ownLocalId(context.institution, event.subjectId);
    const assessment = assessmentId
      ? await context.db.dataSource.manager.findOneByOrFail(AssessmentRecord, { id: assessmentId })
      : null;
    const agreement = await context.loaders.agreement.load(
      ownLocalId(context.institution, event.learningAgreementId) ?? '',
    );
    if (!assessment || !agreement) throw new Error(`Event ${event.seq} names records this shard does not have`);
    return Object.assign(new AssessmentEvent(), {
      cursor: eventCursor(event.seq),
      type: event.type,
      occurredAt: event.occurredAt.toISOString(),
      assessment: toAssessment(assessment, context.institution),
      learningAgreement: toAgreement(agreement),
    });
  }

  @Subscription(() => LearningAgreementEvent, {
    subscribe: subscribeToOutbox(AGREEMENT_TYPES) as never,
    description:
      'Changes to learning agreements the subscriber is party to, from `after` on (missed ones first), then live.',
  })
  async learningAgreementChanged(
    @Root() event: OutboxEventRecord,
    @Arg('filter', () => AgreementEventFilter, { nullable: true, description: 'Which mobilities to follow.' })
    _filter: AgreementEventFilter | undefined,
    @Arg('after', () => String, {
      nullable: true,
      description: 'The cursor of the last event received; omitted: from the start.',
    })
    _after: string | undefined,
    @Ctx() context: MobilitiesContext,
  ): Promise<LearningAgreementEvent> {
    const agreement = await context.loaders.agreement.load(
      ownLocalId(context.institution, event.learningAgreementId) ?? '',
    );
    if (!agreement) throw new Error(`Event ${event.seq} names an agreement this shard does not have`);
    return Object.assign(new LearningAgreementEvent(), {
      cursor: eventCursor(event.seq),
      type: event.type,
      occurredAt: event.occurredAt.toISOString(),
      learningAgreement: toAgreement(agreement),
    });
  }
}
