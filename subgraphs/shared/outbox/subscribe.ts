import { BadUserInputError } from '../../../schema/errors';
import { AgreementParty } from '../../../schema/mobility/enums';
import type { AgreementEventFilter } from '../../../schema/mobility/events';
import { requireCaller } from '../access';
import type { ShardRequestContext } from '../context';
import type { Database } from '../database';
import { eventSeq, mayWatch, streamEvents, type OutboxSignal } from './outbox';
import type { OutboxEventRecord } from './outbox.entity';

function matches(filter: AgreementEventFilter | null | undefined, event: OutboxEventRecord): boolean {
  if (!filter) return true;
  if (filter.learningAgreementId && filter.learningAgreementId !== event.learningAgreementId) return false;
  if (filter.learnerId && filter.learnerId !== event.learnerId) return false;
  if (filter.institution) {
    const sending = event.sendingInstitution === filter.institution;
    const hosting = event.hostingInstitution === filter.institution;
    if (filter.role === AgreementParty.SENDING) return sending;
    if (filter.role === AgreementParty.HOSTING) return hosting;
    return sending || hosting;
  }
  return true;
}

interface EventArgs {
  filter?: AgreementEventFilter | null;
  after?: string | null;
}

/**
 * The `subscribe` of an outbox subscription: the events of `types` the subscriber may see and asked for,
 * from its cursor on — replayed from the outbox, then live.
 */
export function subscribeToOutbox(types: readonly string[]) {
  return ({
    args,
    context,
  }: {
    args: EventArgs;
    context: ShardRequestContext & { db: Database; outbox: OutboxSignal };
  }) => {
    const caller = requireCaller(context);
    const after = eventSeq(args.after);
    if (after === null)
      throw new BadUserInputError(`after "${args.after}" is not an event cursor of this shard`, 'after');
    return streamEvents(context.db, context.outbox, {
      after,
      types,
      visible: (event) => mayWatch(caller, event) && matches(args.filter, event),
    });
  };
}
