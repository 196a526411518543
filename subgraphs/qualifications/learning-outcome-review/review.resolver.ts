import { Arg, Ctx, Directive, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { LearningOutcomeCategory } from '../../../schema/enums';
import { EqfLevelScalar, LanguageCodeScalar } from '../../../schema/scalars';
import { requireStaffRole } from '../../shared/access';
import { readsList, tags } from '../cache-tags';
import type { QualificationsContext } from '../context';
import { escoSuggesterFor } from './esco-suggestions';
import { defaultEscoFolder, DEFAULT_ESCO_SUGGESTIONS, reviewStatement } from './review';
import { checkReviewArguments, checkSimilarArguments } from './review.input';
import { blockingCodesOf, setBlockingCodes } from './review-settings';
import { LearningOutcomeFindingCode, LearningOutcomeReview, SimilarLearningOutcome } from './review.types';
import { DEFAULT_SIMILAR, similarOutcomes } from './similar';

@Resolver()
export class LearningOutcomeReviewResolver {
  @Query(() => LearningOutcomeReview, {
    description:
      "Reviews a learning outcome statement before it is written into a unit: findings on its form (CEDEFOP's handbook), the category and EQF level it reads as, and ESCO concepts to link. Public; nothing is stored.",
  })
  reviewLearningOutcome(
    @Arg('statement', { description: 'The statement, at most 4,000 characters.' }) statement: string,
    @Arg('lang', () => LanguageCodeScalar, { description: 'Its language (form checks: en, de, es, fi, lv).' })
    lang: string,
    @Arg('category', () => LearningOutcomeCategory, { description: 'The category it is meant as.' })
    category: LearningOutcomeCategory,
    @Arg('eqfLevel', () => EqfLevelScalar, {
      nullable: true,
      description: "The unit's EQF level; a finding says when the statement reads more than one level away.",
    })
    eqfLevel: number | null | undefined,
    @Arg('escoLimit', () => Int, {
      defaultValue: DEFAULT_ESCO_SUGGESTIONS,
      description: 'How many ESCO concepts to suggest, 0-50.',
    })
    escoLimit: number,
    @Ctx() context: QualificationsContext,
  ): LearningOutcomeReview {
    checkReviewArguments(statement, escoLimit);
    const esco = escoSuggesterFor(context.escoFolder ?? defaultEscoFolder());
    return reviewStatement({ statement, lang, category, eqfLevel: eqfLevel ?? null, escoLimit }, esco);
  }

  @Query(() => [SimilarLearningOutcome], {
    description:
      "Learning outcomes of every institution's units that say much the same as a statement: each institution's best matches, to be sorted by score.",
  })
  async similarLearningOutcomes(
    @Arg('statement', { description: 'The statement, at most 4,000 characters.' }) statement: string,
    @Arg('lang', () => LanguageCodeScalar, {
      description: 'Its language; outcomes are compared in it, else in English.',
    })
    lang: string,
    @Arg('first', () => Int, { defaultValue: DEFAULT_SIMILAR, description: 'Matches per institution, 1-20.' })
    first: number,
    @Arg('exceptInstitution', () => ID, {
      nullable: true,
      description: "Leave out this institution's units (usually the caller's own).",
    })
    exceptInstitution: string | null | undefined,
    @Ctx() context: QualificationsContext,
  ): Promise<SimilarLearningOutcome[]> {
    checkSimilarArguments(statement, first);
    if (exceptInstitution === context.institution) return [];
    readsList(tags.unitList());
    return similarOutcomes(context.db, context.institution, statement, lang, first);
  }

  @Directive('@owner(argument: "institution")')
  @Query(() => [LearningOutcomeFindingCode], {
    description: "The outcome review findings that stop the institution's unit writes; its staff only.",
  })
  async blockingOutcomeFindings(
    @Arg('institution', () => ID, { description: 'Institution code, e.g. "rvt.lv".' }) institution: string,
    @Ctx() context: QualificationsContext,
  ): Promise<LearningOutcomeFindingCode[]> {
    requireStaffRole(context, institution, 'coordinator', 'read its blocking outcome findings');
    return blockingCodesOf(context);
  }

  @Directive('@owner(argument: "institution")')
  @Mutation(() => [LearningOutcomeFindingCode], {
    description:
      'Chooses which outcome review findings stop createUnit/updateUnit at the institution (empty: none); its coordinators only. Returns the codes now blocking.',
  })
  async setBlockingOutcomeFindings(
    @Arg('institution', () => ID, { description: 'Institution code, e.g. "rvt.lv".' }) institution: string,
    @Arg('codes', () => [LearningOutcomeFindingCode], { description: 'The findings that block from now on.' })
    codes: LearningOutcomeFindingCode[],
    @Ctx() context: QualificationsContext,
  ): Promise<LearningOutcomeFindingCode[]> {
    return setBlockingCodes(context, institution, codes);
  }
}
