import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import { DateTimeScalar, EcvetPointsScalar, LocalDateScalar } from '../scalars';
import { AssessmentResult } from './enums';
import { AgreedGradingScale, OutcomeAssessmentCriteria } from './grading';
import { LearningOutcomeRef, UnitRef, whenOwnerFails } from './references';

@ObjectType({ description: 'The result for one learning outcome of the unit.' })
export class OutcomeResult {
  @Field(() => ID, { description: 'Hub ID of the learning outcome.' })
  learningOutcomeId!: string;

  @Field(() => LearningOutcomeRef, {
    nullable: true,
    description: `The learning outcome.${whenOwnerFails('learningOutcomeId')}`,
  })
  learningOutcome!: LearningOutcomeRef;

  @Field(() => AssessmentResult, { description: 'Achieved or not.' })
  result!: AssessmentResult;

  @Field(() => String, {
    nullable: true,
    description: 'Evidence against the agreed criteria for this outcome; null when none was recorded.',
  })
  evidence!: string | null;
}

@ObjectType({ description: 'An earlier value of a corrected assessment.' })
export class AssessmentRevision {
  @Field(() => Int, { description: 'Revision number, from 1 (the first value recorded).' })
  revision!: number;

  @Field(() => AssessmentResult, { description: 'The result then.' })
  result!: AssessmentResult;

  @Field(() => String, { nullable: true, description: 'The grade then.' })
  grade!: string | null;

  @Field(() => LocalDateScalar, { description: 'The date then.' })
  assessedOn!: string;

  @Field(() => String, { nullable: true, description: 'Why it was corrected (null for revision 1).' })
  reason!: string | null;

  @Field(() => DateTimeScalar, { description: 'When this value was recorded.' })
  recordedAt!: string;
}

@Directive('@key(fields: "id")')
@ObjectType({ description: "The hosting institution's assessment of one agreed unit. Visible to the parties only." })
export class Assessment {
  @Field(() => ID, { description: 'Hub ID: "<sending code>:<local id>".' })
  id!: string;

  @Field(() => ID, { description: 'The Learning Agreement.' })
  learningAgreementId!: string;

  @Field(() => ID, { description: 'Hub ID of the unit assessed.' })
  unitId!: string;

  @Field(() => UnitRef, { nullable: true, description: `The unit assessed.${whenOwnerFails('unitId')}` })
  unit!: UnitRef;

  @Field(() => AssessmentResult, { description: 'Achieved or not.' })
  result!: AssessmentResult;

  @Field(() => String, { nullable: true, description: 'Grade, where the host grades.' })
  grade!: string | null;

  @Field({ description: 'Method used.' })
  method!: string;

  @Field({ description: 'Who assessed.' })
  assessorName!: string;

  @Field(() => LocalDateScalar, { description: 'When.' })
  assessedOn!: string;

  @Field(() => String, { nullable: true, description: 'Evidence note (what was observed, documents kept).' })
  evidence!: string | null;

  @Field(() => [OutcomeResult], { description: 'Results per learning outcome, where assessed one by one.' })
  outcomeResults!: OutcomeResult[];

  @Field(() => EcvetPointsScalar, {
    description: 'ECVET points this assessment credits (the agreed points if achieved, else 0).',
  })
  ecvetPoints!: number;

  @Field(() => Int, { description: 'Current revision; corrections add one.' })
  revision!: number;

  @Field(() => [AssessmentRevision], { description: 'Every value it had, oldest first, this one last.' })
  history!: AssessmentRevision[];
}

@ObjectType({ description: 'One unit on a transcript of records.' })
export class TranscriptEntry {
  @Field(() => ID, { description: 'Hub ID of the unit.' })
  unitId!: string;

  @Field(() => UnitRef, { nullable: true, description: `The unit.${whenOwnerFails('unitId')}` })
  unit!: UnitRef;

  @Field(() => AssessmentResult, { description: 'Result.' })
  result!: AssessmentResult;

  @Field(() => String, { nullable: true, description: 'Grade, where the host grades.' })
  grade!: string | null;

  @Field(() => LocalDateScalar, { description: 'Assessment date.' })
  assessedOn!: string;

  @Field(() => EcvetPointsScalar, { description: 'ECVET points achieved (0 when not achieved).' })
  ecvetPoints!: number;

  @Field(() => [OutcomeResult], { description: 'Results per learning outcome.' })
  outcomeResults!: OutcomeResult[];

  @Field(() => AgreedGradingScale, {
    nullable: true,
    description: 'The scale the grade is on, as the agreement fixed it; null when the agreement named none.',
  })
  gradingScale!: AgreedGradingScale | null;

  @Field(() => [OutcomeAssessmentCriteria], { description: 'The assessment criteria agreed per learning outcome.' })
  assessmentCriteria!: OutcomeAssessmentCriteria[];
}

@Directive('@key(fields: "id")')
@ObjectType({
  description:
    'The transcript of records the hosting institution issues at the end of the mobility. Immutable: a reissue is a new version.',
})
export class Transcript {
  @Field(() => ID, { description: 'Hub ID.' })
  id!: string;

  @Field(() => ID, { description: 'The Learning Agreement.' })
  learningAgreementId!: string;

  @Field(() => Int, { description: 'Transcript version, from 1.' })
  version!: number;

  @Field(() => Int, { description: 'The Learning Agreement version it reports on.' })
  agreementVersion!: number;

  @Field({ description: 'False once a later version was issued.' })
  current!: boolean;

  @Field(() => DateTimeScalar, { description: 'When it was issued.' })
  issuedAt!: string;

  @Field({ description: 'Who issued it (name of the hosting coordinator).' })
  issuedBy!: string;

  @Field(() => [TranscriptEntry], { description: 'Every agreed unit with its result.' })
  entries!: TranscriptEntry[];

  @Field(() => EcvetPointsScalar, { description: 'ECVET points achieved in all.' })
  totalEcvetPoints!: number;
}

@ObjectType({ description: "A partner's evaluation of a finished mobility." })
export class Evaluation {
  @Field(() => ID, { description: 'The evaluating institution (its code).' })
  institution!: string;

  @Field({ description: 'Whether the mobility went as agreed.' })
  wentAsAgreed!: boolean;

  @Field({ description: 'What went well and what did not.' })
  comments!: string;

  @Field(() => DateTimeScalar, { description: 'When it was recorded.' })
  recordedAt!: string;
}
