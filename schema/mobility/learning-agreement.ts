import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import { DateTimeScalar, EcvetPointsScalar, LocalDateScalar } from '../scalars';
import { AgreementParty, AgreementStatus, VersionStatus } from './enums';
import { AgreedGradingScale, OutcomeAssessmentCriteria } from './grading';
import { RecognitionTarget } from './correspondence';
import {
  InstitutionRef,
  LearningOutcomeRef,
  QualificationRef,
  UnitRef,
  whenOwnerFails,
  whenOwnersFail,
} from './references';

@ObjectType({ description: 'The learner: personal data, visible to the parties only.' })
export class Learner {
  @Field(() => ID, { description: 'Learner ID at the sending institution: "<sending code>:<local id>".' })
  id!: string;

  @Field({ description: 'Full name.' })
  name!: string;

  @Field(() => LocalDateScalar, { description: 'Date of birth.' })
  dateOfBirth!: string;

  @Field({ description: 'E-mail address.' })
  email!: string;

  @Field(() => ID, { description: 'Hub ID of the qualification the learner prepares at home.' })
  homeQualificationId!: string;

  @Field(() => QualificationRef, {
    nullable: true,
    description: `The qualification the learner prepares at home.${whenOwnerFails('homeQualificationId')}`,
  })
  homeQualification!: QualificationRef;

  @Field({ description: 'Progress so far towards it, in words (e.g. "2nd year, 60 of 120 points").' })
  progress!: string;
}

@ObjectType({ description: 'A contact person at an institution.' })
export class ContactPerson {
  @Field({ description: 'Name.' })
  name!: string;

  @Field({ description: 'Position.' })
  position!: string;

  @Field({ description: 'E-mail address.' })
  email!: string;
}

@ObjectType({ description: 'Who assesses a unit abroad, how and when.' })
export class AssessmentArrangement {
  @Field({ description: 'The assessor (name or role) at the hosting institution.' })
  assessor!: string;

  @Field({ description: 'Method, e.g. "practical welding test and oral questions".' })
  method!: string;

  @Field(() => LocalDateScalar, { description: 'Planned date.' })
  plannedOn!: string;
}

@ObjectType({ description: 'A unit the learner is to achieve abroad, as agreed.' })
export class AgreedUnit {
  @Field(() => ID, { description: 'Hub ID of the unit.' })
  unitId!: string;

  @Field(() => UnitRef, {
    nullable: true,
    description: `The unit (resolved from its owner).${whenOwnerFails('unitId')}`,
  })
  unit!: UnitRef;

  @Field(() => EcvetPointsScalar, { description: "ECVET points: the unit's own points." })
  ecvetPoints!: number;

  @Field(() => [ID], {
    description: "Hub IDs of the learning outcomes to be achieved abroad (all of the unit's when it is taken whole).",
  })
  learningOutcomeIds!: string[];

  @Field(() => [LearningOutcomeRef], {
    nullable: 'items',
    description: `The learning outcomes of the unit to be achieved abroad (all when the unit is taken whole).${whenOwnersFail('learningOutcomeIds')}`,
  })
  learningOutcomes!: LearningOutcomeRef[];

  @Field({ description: 'Learning activities abroad that lead to the outcomes.' })
  learningActivities!: string;

  @Field(() => AssessmentArrangement, { description: 'How the unit is assessed.' })
  assessment!: AssessmentArrangement;

  @Field(() => AgreedGradingScale, {
    nullable: true,
    description:
      'The scale the host grades the unit on, as agreed; null when none was named (grades are then free text).',
  })
  gradingScale!: AgreedGradingScale | null;

  @Field(() => [OutcomeAssessmentCriteria], {
    description: "Assessment criteria per learning outcome; empty when none were agreed beyond the unit's own.",
  })
  assessmentCriteria!: OutcomeAssessmentCriteria[];
  @Field(() => RecognitionTarget, {
    nullable: true,
    description:
      "How the unit will be validated and recognised: the home unit(s) or outcomes of the learner's home qualification it " +
      'counts as. Null when neither the agreement, the memorandum nor the unit itself says (recognition must then name them).',
  })
  recognisedAs!: RecognitionTarget | null;
}

@ObjectType({ description: "A party's signature of one version." })
export class AgreementSignature {
  @Field(() => AgreementParty, { description: 'Which party.' })
  party!: AgreementParty;

  @Field({ description: 'Who signed.' })
  signerName!: string;

  @Field({ description: 'The signer\'s position ("learner" for the learner).' })
  signerPosition!: string;

  @Field(() => DateTimeScalar, { description: 'When.' })
  signedAt!: string;
}

@ObjectType({
  description: 'One version of a Learning Agreement: the first, or an amendment. Never edited once signed.',
})
export class LearningAgreementVersion {
  @Field(() => Int, { description: 'Version number, from 1.' })
  number!: number;

  @Field(() => VersionStatus, { description: 'Where this version stands.' })
  status!: VersionStatus;

  @Field(() => LocalDateScalar, { description: 'First day of the mobility.' })
  mobilityStart!: string;

  @Field(() => LocalDateScalar, { description: 'Last day of the mobility.' })
  mobilityEnd!: string;

  @Field(() => [AgreedUnit], { description: 'Units to achieve abroad.' })
  units!: AgreedUnit[];

  @Field(() => EcvetPointsScalar, { description: 'ECVET points of all agreed units.' })
  totalEcvetPoints!: number;

  @Field({ description: 'Quality assurance arrangements (mentoring, monitoring).' })
  qualityAssurance!: string;

  @Field({ description: 'How the units will be validated and recognised at home.' })
  validationAndRecognition!: string;

  @Field({ description: 'How achievements will be documented.' })
  documentation!: string;

  @Field(() => String, { nullable: true, description: 'Why this amendment was proposed (null for version 1).' })
  changeReason!: string | null;

  @Field(() => [AgreementSignature], { description: 'Signatures or approvals of this version so far.' })
  signatures!: AgreementSignature[];

  @Field(() => DateTimeScalar, { description: 'When this version was proposed.' })
  createdAt!: string;
}

@Directive('@key(fields: "id")')
@ObjectType({
  description:
    'A Learning Agreement between the sending institution, the hosting institution and the learner. Owned by the sending ' +
    'institution; visible to staff of both institutions and to the learner.',
})
export class LearningAgreement {
  @Field(() => ID, { description: 'Hub ID: "<sending code>:<local id>".' })
  id!: string;

  @Field(() => AgreementStatus, { description: 'Where it stands.' })
  status!: AgreementStatus;

  @Field(() => ID, { description: 'Code of the sending (home, competent) institution.' })
  sendingInstitutionId!: string;

  @Field(() => InstitutionRef, {
    nullable: true,
    description: `The sending (home, competent) institution.${whenOwnerFails('sendingInstitutionId')}`,
  })
  sendingInstitution!: InstitutionRef;

  @Field(() => ID, { description: 'Code of the hosting institution abroad.' })
  hostingInstitutionId!: string;

  @Field(() => InstitutionRef, {
    nullable: true,
    description: `The hosting institution abroad.${whenOwnerFails('hostingInstitutionId')}`,
  })
  hostingInstitution!: InstitutionRef;

  @Field(() => ContactPerson, { description: 'Contact at the sending institution.' })
  sendingContact!: ContactPerson;

  @Field(() => ContactPerson, { description: 'Contact at the hosting institution.' })
  hostingContact!: ContactPerson;

  @Field(() => Learner, { description: 'The learner.' })
  learner!: Learner;

  @Field(() => ID, {
    description: 'Hub ID of the Memorandum of Understanding it falls under (read it with `memorandum(id:)`).',
  })
  memorandumId!: string;

  @Field(() => LearningAgreementVersion, { description: 'The binding version (or version 1 while unsigned).' })
  current!: LearningAgreementVersion;

  @Field(() => LearningAgreementVersion, { nullable: true, description: 'An amendment waiting for approval, if any.' })
  pendingChange!: LearningAgreementVersion | null;

  @Field(() => [LearningAgreementVersion], { description: 'Every version, oldest first.' })
  versions!: LearningAgreementVersion[];
}
