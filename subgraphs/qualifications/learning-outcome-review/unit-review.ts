import { FieldResolver, Resolver, Root } from 'type-graphql';
import { BadUserInputError } from '../../../schema/errors';
import type { LearningOutcomeCategory } from '../../../schema/enums';
import type { LocalizedText } from '../../../schema';
import { Unit } from '../../../schema/unit';
import type { QualificationsContext } from '../context';
import { escoSuggesterFor } from './esco-suggestions';
import { defaultEscoFolder, reviewStatement } from './review';
import { blockingCodesOf } from './review-settings';
import { UnitOutcomeReview } from './review.types';

/** ESCO concepts per reviewed statement of a unit write: enough to pick from, small for a unit of 50 outcomes. */
const ESCO_PER_STATEMENT = 5;

export interface OutcomeToReview {
  category: LearningOutcomeCategory;
  statements: readonly LocalizedText[];
}

/** The reviews of the unit answered by a write with `review: true`, kept with the answer's object only. */
const reviewsOfAnswer = new WeakMap<Unit, UnitOutcomeReview[]>();

/**
 * Reviews every statement of the outcomes a unit write sends and refuses the write (BAD_USER_INPUT, before
 * anything is written) when a finding the institution made blocking is among them.
 */
export async function reviewUnitWrite(
  context: QualificationsContext,
  outcomes: readonly OutcomeToReview[],
  eqfLevel: number | null,
): Promise<UnitOutcomeReview[]> {
  // Others are refused by the write itself, with its own message; their statements are not worth reviewing.
  const caller = context.caller;
  if (!caller || caller.institution !== context.institution || !caller.roles.includes('coordinator')) return [];
  const blocking = new Set(await blockingCodesOf(context));
  const esco = escoSuggesterFor(context.escoFolder ?? defaultEscoFolder());
  const reviews = outcomes.flatMap((outcome, index) =>
    outcome.statements.map((text) => {
      const review = reviewStatement(
        { statement: text.value, lang: text.lang, category: outcome.category, eqfLevel, escoLimit: ESCO_PER_STATEMENT },
        esco,
      );
      return { outcome: index, review, blocking: review.findings.some((finding) => blocking.has(finding.code)) };
    }),
  );
  const refused = reviews.find((r) => r.blocking);
  if (refused) {
    const finding = refused.review.findings.find((f) => blocking.has(f.code));
    const field = `input.learningOutcomes[${refused.outcome}].statements`;
    throw new BadUserInputError(
      `${field} (${refused.review.lang}): ${finding?.code ?? ''} is blocking at ${context.institution}: ${finding?.message ?? ''}`,
      field,
      { finding: finding?.code, lang: refused.review.lang },
    );
  }
  return reviews;
}

/** Keeps the reviews with the unit a write answers, for `Unit.outcomeReviews`. */
export function withReviews(unit: Unit, reviews: UnitOutcomeReview[]): Unit {
  reviewsOfAnswer.set(unit, reviews);
  return unit;
}

@Resolver(() => Unit)
export class UnitOutcomeReviewResolver {
  @FieldResolver(() => [UnitOutcomeReview], {
    nullable: true,
    description:
      'Reviews of every outcome statement, on the answer of createUnit/updateUnit called with review: true; null elsewhere.',
  })
  outcomeReviews(@Root() unit: Unit): UnitOutcomeReview[] | null {
    return reviewsOfAnswer.get(unit) ?? null;
  }
}
