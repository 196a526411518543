import { Arg, Directive, Field, Float, ID, ObjectType } from 'type-graphql';
import { LocalizedText, pickText } from './localized-text';
import { LanguageCodeScalar } from './scalars';

/**
 * One grade of a grading scale. Shareable: the qualifications kind serves it on the published scale, the mobilities
 * kind on the copy a learning agreement keeps of it.
 */
@Directive('@shareable')
@ObjectType({ description: 'One grade of a grading scale.' })
export class Grade {
  @Field({ description: 'The grade as it is written on an assessment, e.g. "8", "2" or "sehr gut".' })
  value!: string;

  @Field(() => [LocalizedText], { description: 'What the grade means, one per language (e.g. "very good").' })
  labels!: LocalizedText[];

  @Field(() => String, { nullable: true, description: 'The label in `lang`, falling back to English, then to any.' })
  label(
    @Arg('lang', () => LanguageCodeScalar, { nullable: true, description: 'Preferred language (default "en").' })
    lang?: string,
  ): string | null {
    return pickText(this.labels, lang);
  }

  @Field({ description: 'Whether this grade is at or above the pass threshold (the unit or outcome is achieved).' })
  passing!: boolean;

  @Field(() => Float, {
    nullable: true,
    description:
      "Share of the institution's learners given this grade, in percent (as in an ECTS grading table), so a partner can read the grade in context; null when not published.",
  })
  share!: number | null;
}

/** What a grading scale says, as stored both by the publishing shard and in an agreement's snapshot of it. */
export interface StoredGradingScale {
  /** Hub ID of the scale. */
  id: string;
  titles: LocalizedText[];
  /** Best grade first. */
  grades: Array<{ value: string; labels: LocalizedText[]; share: number | null }>;
  /** The lowest grade that passes. */
  passGrade: string;
}

/** Whether `grade` passes on `scale`: grades are listed best first, so it passes when not after the pass grade. */
export function isPassing(
  scale: { grades: ReadonlyArray<{ value: string }>; passGrade: string },
  grade: string,
): boolean {
  const threshold = scale.grades.findIndex((g) => g.value === scale.passGrade);
  const index = scale.grades.findIndex((g) => g.value === grade);
  return index >= 0 && index <= threshold;
}

export function toGrades(scale: Pick<StoredGradingScale, 'grades' | 'passGrade'>): Grade[] {
  return scale.grades.map((g) =>
    Object.assign(new Grade(), {
      value: g.value,
      labels: g.labels,
      share: g.share,
      passing: isPassing(scale, g.value),
    }),
  );
}

@Directive('@key(fields: "id")')
@ObjectType({
  description:
    'A grading scale an institution publishes: its grades in order, best first, with what each means and the pass ' +
    'threshold. A learning agreement names the scale the host grades each unit on. Public.',
})
export class GradingScale {
  @Field(() => ID, { description: 'Hub ID: "<institution code>:<local id>", e.g. "rvt.lv:grades-1-10".' })
  id!: string;

  @Field(() => ID, { description: 'Code of the institution that publishes it.' })
  institutionId!: string;

  @Field(() => [LocalizedText], { description: 'Name of the scale, one per language.' })
  titles!: LocalizedText[];

  @Field(() => String, { nullable: true, description: 'The name in `lang`, falling back to English, then to any.' })
  title(
    @Arg('lang', () => LanguageCodeScalar, { nullable: true, description: 'Preferred language (default "en").' })
    lang?: string,
  ): string | null {
    return pickText(this.titles, lang);
  }

  @Field(() => [Grade], { description: 'Every grade, best first.' })
  grades!: Grade[];

  @Field({ description: 'The lowest grade that passes: it and every grade before it mean achieved.' })
  passGrade!: string;
}
