import { Field, ID, InputType } from 'type-graphql';
import { BadUserInputError } from '../../../schema/errors';
import { LOCAL_ID_PATTERN, ownerOf, parseEntityId } from '../../../schema/ids';
import { AgreementParty, AgreementStatus } from '../../../schema/mobility/enums';
import { EcvetPointsScalar, LocalDateScalar } from '../../../schema/scalars';
import { checkPattern } from '../../shared/validation';
import { OutcomeCriteriaInput, validateAgreedGrading } from '../grading/grading.input';
import { RecognitionTargetInput } from '../correspondence/correspondence.input';

@InputType({ description: 'The learner, as the sending institution knows them.' })
export class LearnerInput {
  @Field({
    description: 'The sending institution\'s learner ID (local part); the hub ID becomes "<sending>:<localId>".',
  })
  localId!: string;

  @Field({ description: 'Full name.' })
  name!: string;

  @Field(() => LocalDateScalar, { description: 'Date of birth.' })
  dateOfBirth!: string;

  @Field({ description: 'E-mail address.' })
  email!: string;

  @Field(() => ID, { description: "Hub ID of the home qualification (one of the sending institution's)." })
  homeQualificationId!: string;

  @Field({ description: 'Progress so far, in words.' })
  progress!: string;
}

@InputType({ description: 'A contact person.' })
export class ContactInput {
  @Field({ description: 'Name.' })
  name!: string;

  @Field({ description: 'Position.' })
  position!: string;

  @Field({ description: 'E-mail address.' })
  email!: string;
}

@InputType({ description: 'Who assesses a unit, how and when.' })
export class AssessmentArrangementInput {
  @Field({ description: 'Assessor at the hosting institution (name or role).' })
  assessor!: string;

  @Field({ description: 'Method.' })
  method!: string;

  @Field(() => LocalDateScalar, { description: 'Planned date, within the mobility period.' })
  plannedOn!: string;
}

@InputType({ description: 'A unit to achieve abroad.' })
export class AgreedUnitInput {
  @Field(() => ID, { description: 'Hub ID of the unit; it must be covered by the memorandum.' })
  unitId!: string;

  @Field(() => EcvetPointsScalar, { description: "ECVET points: must equal the unit's own points." })
  ecvetPoints!: number;

  @Field(() => [ID], {
    defaultValue: [],
    description: 'The learning outcomes to achieve abroad; empty for all of the unit.',
  })
  learningOutcomeIds!: string[];

  @Field({ description: 'Learning activities abroad.' })
  learningActivities!: string;

  @Field(() => AssessmentArrangementInput, { description: 'How it is assessed.' })
  assessment!: AssessmentArrangementInput;

  @Field(() => ID, {
    nullable: true,
    description:
      "Hub ID of the hosting institution's grading scale the unit is graded on (see Institution.gradingScales); the version keeps a copy of it. Without one, grades are free text.",
  })
  gradingScaleId?: string | null;

  @Field(() => [OutcomeCriteriaInput], {
    defaultValue: [],
    description: 'Assessment criteria per agreed learning outcome, in the languages of the agreement.',
  })
  assessmentCriteria!: OutcomeCriteriaInput[];
  @Field(() => RecognitionTargetInput, {
    nullable: true,
    description:
      "The home unit(s) or outcomes of the learner's home qualification it will be recognised as; when left out, the " +
      "memorandum's correspondence for the unit, or the unit itself when it is a unit of the home qualification.",
  })
  recognisedAs?: RecognitionTargetInput | null;
}

@InputType({ description: 'What a version of the agreement says about the mobility itself.' })
export class AgreementTermsInput {
  @Field(() => LocalDateScalar, { description: 'First day of the mobility.' })
  mobilityStart!: string;

  @Field(() => LocalDateScalar, { description: 'Last day of the mobility, not before the first.' })
  mobilityEnd!: string;

  @Field(() => [AgreedUnitInput], { description: 'Units to achieve abroad, at least one.' })
  units!: AgreedUnitInput[];

  @Field({ description: 'Quality assurance arrangements.' })
  qualityAssurance!: string;

  @Field({ description: 'How the units will be validated and recognised at home.' })
  validationAndRecognition!: string;

  @Field({ description: 'How achievements will be documented.' })
  documentation!: string;
}

@InputType({ description: "A new Learning Agreement, owned by the caller's (sending) institution." })
export class CreateLearningAgreementInput {
  @Field({ description: "The sending institution's own identifier for it (also the retry key)." })
  localId!: string;

  @Field(() => ID, { description: 'The hosting institution (code).' })
  hostingInstitution!: string;

  @Field(() => ID, {
    description: 'The memorandum it falls under; in effect, with both institutions as partners, covering the units.',
  })
  memorandumId!: string;

  @Field(() => LearnerInput, { description: 'The learner.' })
  learner!: LearnerInput;

  @Field(() => ContactInput, { description: 'Contact at the sending institution.' })
  sendingContact!: ContactInput;

  @Field(() => ContactInput, { description: 'Contact at the hosting institution.' })
  hostingContact!: ContactInput;

  @Field(() => AgreementTermsInput, { description: 'The terms of version 1.' })
  terms!: AgreementTermsInput;
}

@InputType({ description: 'Narrows a list of learning agreements.' })
export class LearningAgreementFilter {
  @Field(() => ID, { nullable: true, description: 'Agreements this institution is party to.' })
  institution?: string;

  @Field(() => AgreementParty, {
    nullable: true,
    description: 'With `institution`: only where it is the SENDING or HOSTING party.',
  })
  role?: AgreementParty;

  @Field(() => AgreementStatus, { nullable: true, description: 'Only in this status.' })
  status?: AgreementStatus;

  @Field(() => ID, { nullable: true, description: "Only this learner's." })
  learnerId?: string;

  @Field(() => LocalDateScalar, { nullable: true, description: 'Only mobilities under way on this day.' })
  activeOn?: string;
}

function nonBlank(field: string, value: string): void {
  if (value.trim() === '') throw new BadUserInputError(`${field} must not be blank`, field);
}

export function validateTerms(terms: AgreementTermsInput, field = 'input.terms'): void {
  if (terms.mobilityEnd < terms.mobilityStart) {
    throw new BadUserInputError(
      `${field}.mobilityEnd (${terms.mobilityEnd}) must not be before mobilityStart (${terms.mobilityStart})`,
      `${field}.mobilityEnd`,
    );
  }
  if (terms.units.length === 0)
    throw new BadUserInputError(`${field}.units must name at least one unit`, `${field}.units`);
  const seen = new Set<string>();
  terms.units.forEach((unit, index) => {
    const at = `${field}.units[${index}]`;
    if (!parseEntityId(unit.unitId))
      throw new BadUserInputError(`${at}.unitId "${unit.unitId}" is not a hub ID`, `${at}.unitId`);
    if (seen.has(unit.unitId))
      throw new BadUserInputError(`${at}.unitId ${unit.unitId} is listed twice`, `${at}.unitId`);
    seen.add(unit.unitId);
    nonBlank(`${at}.learningActivities`, unit.learningActivities);
    nonBlank(`${at}.assessment.assessor`, unit.assessment.assessor);
    nonBlank(`${at}.assessment.method`, unit.assessment.method);
    if (unit.assessment.plannedOn < terms.mobilityStart || unit.assessment.plannedOn > terms.mobilityEnd) {
      throw new BadUserInputError(
        `${at}.assessment.plannedOn (${unit.assessment.plannedOn}) must fall within the mobility period`,
        `${at}.assessment.plannedOn`,
      );
    }
  });
  validateAgreedGrading(terms.units, field);
  nonBlank(`${field}.qualityAssurance`, terms.qualityAssurance);
  nonBlank(`${field}.validationAndRecognition`, terms.validationAndRecognition);
  nonBlank(`${field}.documentation`, terms.documentation);
}

export function validateCreateAgreement(input: CreateLearningAgreementInput, sending: string): void {
  checkPattern('input.localId', input.localId, LOCAL_ID_PATTERN, 'must be 1-64 letters, digits, ".", "_" or "-"');
  checkPattern(
    'input.learner.localId',
    input.learner.localId,
    LOCAL_ID_PATTERN,
    'must be 1-64 letters, digits, ".", "_" or "-"',
  );
  if (ownerOf(input.hostingInstitution) !== input.hostingInstitution) {
    throw new BadUserInputError(
      `input.hostingInstitution "${input.hostingInstitution}" is not an institution code`,
      'input.hostingInstitution',
    );
  }
  if (input.hostingInstitution === sending)
    throw new BadUserInputError(
      'input.hostingInstitution must be another institution than the sending one',
      'input.hostingInstitution',
    );
  if (ownerOf(input.learner.homeQualificationId) !== sending || !input.learner.homeQualificationId.includes(':')) {
    throw new BadUserInputError(
      `input.learner.homeQualificationId must be a qualification of ${sending}`,
      'input.learner.homeQualificationId',
    );
  }
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(input.learner.email))
    throw new BadUserInputError('input.learner.email is not an e-mail address', 'input.learner.email');
  nonBlank('input.learner.name', input.learner.name);
  validateTerms(input.terms);
}
