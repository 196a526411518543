import { Field, ID, InputType } from 'type-graphql';
import { AssessmentResult } from '../../../schema/mobility/enums';
import { LocalDateScalar } from '../../../schema/scalars';

@InputType({ description: 'The result for one learning outcome.' })
export class OutcomeResultInput {
  @Field(() => ID, { description: 'Hub ID of the learning outcome (one agreed for the unit).' })
  learningOutcomeId!: string;

  @Field(() => AssessmentResult, { description: 'Achieved or not.' })
  result!: AssessmentResult;

  @Field(() => String, {
    nullable: true,
    description: 'Evidence against the agreed criteria for this outcome (what was observed, documents kept).',
  })
  evidence?: string | null;
}

@InputType({ description: "The hosting institution's assessment of one agreed unit." })
export class RecordAssessmentInput {
  @Field(() => ID, { description: 'The Learning Agreement (signed, not cancelled).' })
  learningAgreementId!: string;

  @Field(() => ID, { description: 'A unit of its binding version.' })
  unitId!: string;

  @Field(() => AssessmentResult, {
    nullable: true,
    description:
      'Achieved or not. May be left out when a grade on the agreed scale (through its pass grade) or the per-outcome results (all achieved or not) say it; must agree with such a grade.',
  })
  result?: AssessmentResult | null;

  @Field(() => String, {
    nullable: true,
    description: "Grade, where the host grades: one of the agreed scale's grades when the agreement names a scale.",
  })
  grade?: string | null;

  @Field({ description: 'Method used.' })
  method!: string;

  @Field({ description: 'Who assessed.' })
  assessorName!: string;

  @Field(() => LocalDateScalar, {
    description: 'When: within the mobility period or up to 30 days after it, and not in the future.',
  })
  assessedOn!: string;

  @Field(() => String, { nullable: true, description: 'Evidence note.' })
  evidence?: string | null;

  @Field(() => [OutcomeResultInput], {
    defaultValue: [],
    description: 'Results per learning outcome, where assessed one by one.',
  })
  outcomeResults!: OutcomeResultInput[];
}

@InputType({ description: 'A corrected assessment; the earlier value stays in its history.' })
export class CorrectAssessmentInput {
  @Field(() => AssessmentResult, {
    nullable: true,
    description: 'Achieved or not; may be left out as in recordAssessment.',
  })
  result?: AssessmentResult | null;

  @Field(() => String, { nullable: true, description: "Grade: one of the agreed scale's when there is one." })
  grade?: string | null;

  @Field(() => LocalDateScalar, { description: 'When.' })
  assessedOn!: string;

  @Field(() => String, { nullable: true, description: 'Evidence note.' })
  evidence?: string | null;

  @Field(() => [OutcomeResultInput], { defaultValue: [], description: 'Results per learning outcome.' })
  outcomeResults!: OutcomeResultInput[];

  @Field({ description: 'Why the assessment is corrected.' })
  reason!: string;
}
