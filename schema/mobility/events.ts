import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { DateTimeScalar } from '../scalars';
import { Assessment } from './assessment';
import { AgreementParty } from './enums';
import { LearningAgreement } from './learning-agreement';

@InputType({
  description:
    'Which mobilities to follow; all given conditions must hold. Only those the subscriber is party to are ever sent.',
})
export class AgreementEventFilter {
  @Field(() => ID, { nullable: true, description: 'Agreements this institution is party to.' })
  institution?: string;

  @Field(() => AgreementParty, {
    nullable: true,
    description: 'With `institution`: only where it is the SENDING or HOSTING party.',
  })
  role?: AgreementParty;

  @Field(() => ID, { nullable: true, description: 'Only this learning agreement.' })
  learningAgreementId?: string;

  @Field(() => ID, { nullable: true, description: "Only this learner's agreements." })
  learnerId?: string;
}

@ObjectType({ description: 'An assessment was recorded or corrected.' })
export class AssessmentEvent {
  @Field({ description: 'Resume after this event: pass it as `after` when subscribing again.' })
  cursor!: string;

  @Field({ description: 'ASSESSMENT_RECORDED or ASSESSMENT_CORRECTED.' })
  type!: string;

  @Field(() => DateTimeScalar, { description: 'When it was committed.' })
  occurredAt!: string;

  @Field(() => Assessment, { description: 'The assessment, as it is now.' })
  assessment!: Assessment;

  @Field(() => LearningAgreement, { description: 'The learning agreement it belongs to.' })
  learningAgreement!: LearningAgreement;
}

@ObjectType({
  description:
    'A learning agreement changed: created, signed, amended, cancelled, evaluated, or its transcript issued.',
})
export class LearningAgreementEvent {
  @Field({ description: 'Resume after this event: pass it as `after` when subscribing again.' })
  cursor!: string;

  @Field({
    description:
      'AGREEMENT_CREATED, AGREEMENT_SIGNED, AGREEMENT_CHANGE_PROPOSED, AGREEMENT_CHANGE_DECIDED, AGREEMENT_CANCELLED, AGREEMENT_EVALUATED or TRANSCRIPT_ISSUED.',
  })
  type!: string;

  @Field(() => DateTimeScalar, { description: 'When it was committed.' })
  occurredAt!: string;

  @Field(() => LearningAgreement, { description: 'The learning agreement, as it is now.' })
  learningAgreement!: LearningAgreement;
}
