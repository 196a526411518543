import { Directive, Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import {
  LearningOutcomeRef,
  QualificationRef,
  InstitutionRef,
  whenOwnerFails,
  whenOwnersFail,
} from '../mobility/references';
import { RecognitionUnitRef } from './references';
import { DateTimeScalar, EcvetPointsScalar, LocalDateScalar } from '../scalars';
import { CredentialVerification } from '../documents';

export enum RecognitionDecisionKind {
  RECOGNISED = 'RECOGNISED',
  PARTIALLY_RECOGNISED = 'PARTIALLY_RECOGNISED',
  REFUSED = 'REFUSED',
}
registerEnumType(RecognitionDecisionKind, {
  name: 'RecognitionDecisionKind',
  description: 'What the sending institution decides for a unit achieved abroad.',
  valuesConfig: {
    RECOGNISED: { description: "Recognised in full: the unit's points are credited." },
    PARTIALLY_RECOGNISED: { description: 'Some learning outcomes recognised: points in proportion to them.' },
    REFUSED: { description: 'Not recognised, with a reason: nothing is credited.' },
  },
});

export enum CreditSource {
  HOME = 'HOME',
  ABROAD = 'ABROAD',
  TRANSFER = 'TRANSFER',
  PRIOR_LEARNING = 'PRIOR_LEARNING',
}
registerEnumType(CreditSource, {
  name: 'CreditSource',
  description: 'Where a credited unit was achieved.',
  valuesConfig: {
    HOME: { description: 'In this programme at the home institution.' },
    ABROAD: { description: 'Abroad, in a mobility, recognised by a decision on its transcript.' },
    TRANSFER: {
      description: 'In another programme or at another institution at home, recognised by a transfer decision.',
    },
    PRIOR_LEARNING: {
      description: 'At work or outside school, assessed and recognised by validation of prior learning.',
    },
  },
});

@ObjectType({ description: 'What validation found for one agreed unit.' })
export class ValidationFinding {
  @Field(() => ID, { description: 'Hub ID of the unit.' })
  unitId!: string;

  @Field(() => RecognitionUnitRef, { nullable: true, description: `The unit.${whenOwnerFails('unitId')}` })
  unit!: RecognitionUnitRef;

  @Field({ description: 'Whether the transcript reports it achieved.' })
  achieved!: boolean;

  @Field(() => EcvetPointsScalar, { description: 'Points the agreement gives the unit.' })
  agreedEcvetPoints!: number;

  @Field(() => EcvetPointsScalar, { description: 'Points the transcript reports for it.' })
  transcriptEcvetPoints!: number;

  @Field(() => [ID], {
    description: 'Hub IDs of the agreed learning outcomes the transcript does not report achieved.',
  })
  outcomeIdsNotAchieved!: string[];

  @Field(() => [LearningOutcomeRef], {
    nullable: 'items',
    description: `Agreed learning outcomes the transcript does not report achieved.${whenOwnersFail('outcomeIdsNotAchieved')}`,
  })
  outcomesNotAchieved!: LearningOutcomeRef[];

  @Field(() => [String], {
    description: 'Differences between agreement and transcript, in words; empty when they agree.',
  })
  differences!: string[];
}

@Directive('@key(fields: "id")')
@ObjectType({
  description:
    "The sending institution's check of an issued transcript against the learning agreement version it refers to.",
})
export class TranscriptValidation {
  @Field(() => ID, { description: 'Hub ID.' })
  id!: string;

  @Field(() => ID, { description: 'The learning agreement.' })
  learningAgreementId!: string;

  @Field({ description: 'Transcript version validated.' })
  transcriptVersion!: number;

  @Field({ description: 'Learning agreement version the transcript refers to.' })
  agreementVersion!: number;

  @Field({ description: 'True when agreement and transcript agree on every unit.' })
  consistent!: boolean;

  @Field(() => [ValidationFinding], { description: 'Per agreed unit.' })
  findings!: ValidationFinding[];

  @Field(() => DateTimeScalar, { description: 'When.' })
  validatedAt!: string;

  @Field({ description: 'Who validated (token subject).' })
  validatedBy!: string;
}

@ObjectType({ description: 'An earlier value of a revised decision.' })
export class DecisionRevision {
  @Field(() => RecognitionDecisionKind, { description: 'The decision then.' })
  decision!: RecognitionDecisionKind;

  @Field(() => EcvetPointsScalar, { description: 'Points credited then.' })
  ecvetPoints!: number;

  @Field(() => String, { nullable: true, description: 'Reason given then.' })
  reason!: string | null;

  @Field(() => DateTimeScalar, { description: 'When it was decided.' })
  decidedAt!: string;

  @Field(() => [ID], {
    nullable: true,
    description: 'Home units credited then; null for revisions recorded before decisions named home units.',
  })
  homeUnitIds!: string[] | null;
}

@Directive('@key(fields: "id")')
@ObjectType({
  description:
    "The sending institution's recognition decision for one unit achieved abroad. Visible to the sending institution and the learner.",
})
export class RecognitionDecision {
  @Field(() => ID, { description: 'Hub ID.' })
  id!: string;

  @Field(() => ID, { description: 'The learning agreement.' })
  learningAgreementId!: string;

  @Field(() => ID, { description: 'The learner.' })
  learnerId!: string;

  @Field(() => ID, { description: 'Hub ID of the unit.' })
  unitId!: string;

  @Field(() => RecognitionUnitRef, { nullable: true, description: `The unit.${whenOwnerFails('unitId')}` })
  unit!: RecognitionUnitRef;

  @Field(() => RecognitionDecisionKind, { description: 'Recognised, partially, or refused.' })
  decision!: RecognitionDecisionKind;

  @Field(() => [ID], { description: 'For a partial recognition: hub IDs of the learning outcomes recognised.' })
  recognisedOutcomeIds!: string[];

  @Field(() => [LearningOutcomeRef], {
    nullable: 'items',
    description: `For a partial recognition: the learning outcomes recognised.${whenOwnersFail('recognisedOutcomeIds')}`,
  })
  recognisedOutcomes!: LearningOutcomeRef[];

  @Field(() => EcvetPointsScalar, { description: "Points credited to the learner's record." })
  ecvetPoints!: number;

  @Field(() => String, { nullable: true, description: 'Why (required when refused, and for every revision).' })
  reason!: string | null;

  @Field(() => DateTimeScalar, { description: 'When it was decided (last revision).' })
  decidedAt!: string;

  @Field(() => [DecisionRevision], { description: 'Earlier values, oldest first.' })
  history!: DecisionRevision[];

  @Field(() => [ID], {
    description:
      "Hub IDs of the units of the learner's home qualification this decision credits (empty when refused): those the " +
      'agreement foresaw, or others with `overrideReason`.',
  })
  homeUnitIds!: string[];

  @Field(() => [RecognitionUnitRef], {
    nullable: 'items',
    description: `The home units credited.${whenOwnersFail('homeUnitIds')}`,
  })
  homeUnits!: RecognitionUnitRef[];

  @Field(() => [ID], {
    description: 'Home learning outcomes credited; a home unit none of whose outcomes is listed is credited whole.',
  })
  homeOutcomeIds!: string[];

  @Field(() => [LearningOutcomeRef], {
    nullable: 'items',
    description: `The home learning outcomes credited.${whenOwnersFail('homeOutcomeIds')}`,
  })
  homeOutcomes!: LearningOutcomeRef[];

  @Field(() => String, {
    nullable: true,
    description:
      'Why the home units or outcomes credited differ from what the agreement foresaw; null when they do not.',
  })
  overrideReason!: string | null;
}

@ObjectType({ description: 'A unit credited to the learner.' })
export class Credit {
  @Field(() => ID, { description: 'Hub ID of the unit of the home qualification.' })
  unitId!: string;

  @Field(() => RecognitionUnitRef, {
    nullable: true,
    description: `The unit of the home qualification.${whenOwnerFails('unitId')}`,
  })
  unit!: RecognitionUnitRef;

  @Field(() => EcvetPointsScalar, { description: 'Points credited.' })
  ecvetPoints!: number;

  @Field(() => CreditSource, { description: 'Achieved at home or recognised from abroad.' })
  source!: CreditSource;

  @Field(() => LocalDateScalar, { description: 'When it was achieved or recognised.' })
  creditedOn!: string;

  @Field(() => ID, {
    nullable: true,
    description:
      "The recognition decision, for units from abroad, to the learner's record readers; null on a certificate's public statement (`verifyCertificate`).",
  })
  decisionId!: string | null;

  @Field(() => ID, {
    nullable: true,
    description:
      'Hub ID of the unit achieved elsewhere (abroad) that was recognised as this home unit; null for units achieved at home ' +
      'and for credits recorded before decisions named home units (then `unitId` is the unit achieved abroad).',
  })
  achievedAsUnitId!: string | null;

  @Field(() => RecognitionUnitRef, {
    nullable: true,
    description: `The unit achieved elsewhere that was recognised as this home unit.${whenOwnerFails('achievedAsUnitId')}`,
  })
  achievedAsUnit!: RecognitionUnitRef | null;

  @Field(() => [ID], {
    nullable: true,
    description: 'When the home unit is credited in part: the learning outcomes credited. Null when credited whole.',
  })
  creditedOutcomeIds!: string[] | null;
}

export enum HomeUnitStatus {
  ACHIEVED_AT_HOME = 'ACHIEVED_AT_HOME',
  RECOGNISED = 'RECOGNISED',
  PARTLY_ACHIEVED = 'PARTLY_ACHIEVED',
  MISSING = 'MISSING',
}
registerEnumType(HomeUnitStatus, {
  name: 'HomeUnitStatus',
  description: "Where one unit of a home qualification stands in a learner's record.",
  valuesConfig: {
    ACHIEVED_AT_HOME: { description: 'Achieved at the home institution.' },
    RECOGNISED: {
      description:
        'Credited in full by a recognition decision (abroad, by transfer or from prior learning: see `source`).',
    },
    PARTLY_ACHIEVED: { description: 'Some of its learning outcomes credited; `missingOutcomeIds` names the rest.' },
    MISSING: { description: 'Nothing credited yet.' },
  },
});

@ObjectType({ description: "One unit of a home qualification in a learner's record." })
export class HomeUnitProgress {
  @Field(() => ID, { description: 'Hub ID of the home unit.' })
  unitId!: string;

  @Field(() => RecognitionUnitRef, { nullable: true, description: `The home unit.${whenOwnerFails('unitId')}` })
  unit!: RecognitionUnitRef;

  @Field(() => HomeUnitStatus, { description: 'Achieved at home, recognised, partly achieved or missing.' })
  status!: HomeUnitStatus;

  @Field(() => CreditSource, { nullable: true, description: 'Where its credit comes from; null when missing.' })
  source!: CreditSource | null;

  @Field(() => EcvetPointsScalar, { description: "The unit's own ECVET points." })
  unitEcvetPoints!: number;

  @Field(() => EcvetPointsScalar, {
    description: 'Points credited for it (counted once however many decisions credit it).',
  })
  creditedEcvetPoints!: number;

  @Field(() => [ID], {
    description: "Recognition decisions that credit it, oldest first; the first is the credit's source.",
  })
  decisionIds!: string[];

  @Field(() => [ID], { description: 'Its learning outcomes not credited (all of them when missing).' })
  missingOutcomeIds!: string[];

  @Field(() => [LearningOutcomeRef], {
    nullable: 'items',
    description: `Its learning outcomes not credited.${whenOwnersFail('missingOutcomeIds')}`,
  })
  missingOutcomes!: LearningOutcomeRef[];
}

@ObjectType({ description: 'Progress towards one qualification.' })
export class QualificationProgress {
  @Field(() => ID, { description: 'Hub ID of the qualification.' })
  qualificationId!: string;

  @Field(() => QualificationRef, {
    nullable: true,
    description: `The qualification.${whenOwnerFails('qualificationId')}`,
  })
  qualification!: QualificationRef;

  @Field(() => EcvetPointsScalar, {
    nullable: true,
    description:
      "Points the qualification requires. Null when the qualification could not be read from its owner's qualifications shard (an error on `requiredEcvetPoints` names the institution).",
  })
  requiredEcvetPoints!: number | null;

  @Field(() => EcvetPointsScalar, { description: 'Points accumulated so far.' })
  accumulatedEcvetPoints!: number;

  @Field(() => EcvetPointsScalar, {
    nullable: true,
    description:
      "Points still missing. Null when the qualification could not be read from its owner's qualifications shard (an error on `requiredEcvetPoints` names the institution).",
  })
  missingEcvetPoints!: number | null;

  @Field(() => [Credit], { description: 'Units credited, home and abroad.' })
  credits!: Credit[];

  @Field(() => [ID], {
    nullable: true,
    description:
      "Hub IDs of the units of the qualification not credited yet. Null when the qualification could not be read from its owner's qualifications shard (an error on `requiredEcvetPoints` names the institution).",
  })
  missingUnitIds!: string[] | null;

  @Field(() => [RecognitionUnitRef], {
    nullable: 'itemsAndList',
    description: `Units of the qualification not credited yet; null with \`missingUnitIds\`.${whenOwnersFail('missingUnitIds')}`,
  })
  missingUnits!: RecognitionUnitRef[] | null;

  @Field(() => [HomeUnitProgress], {
    nullable: true,
    description:
      "Every active unit of the qualification and where it stands. Null when the qualification could not be read from its owner's qualifications shard.",
  })
  units!: HomeUnitProgress[] | null;

  @Field(() => Boolean, {
    nullable: true,
    description:
      'True when every active unit of the qualification is credited in full and the required points are reached. Null when the ' +
      "qualification could not be read from its owner's qualifications shard.",
  })
  complete!: boolean | null;
}

@ObjectType({ description: 'What a certificate states: all that its public verification reveals.' })
export class CertificateStatement {
  @Field({ description: 'Verification code, printed on the certificate.' })
  code!: string;

  @Field(() => ID, { description: 'Code of the issuing institution.' })
  issuerId!: string;

  @Field(() => InstitutionRef, { nullable: true, description: `The issuing institution.${whenOwnerFails('issuerId')}` })
  issuer!: InstitutionRef;

  @Field({ description: "The learner's name as printed." })
  learnerName!: string;

  @Field(() => ID, { description: 'Hub ID of the qualification the units belong to.' })
  qualificationId!: string;

  @Field(() => QualificationRef, {
    nullable: true,
    description: `The qualification the units belong to.${whenOwnerFails('qualificationId')}`,
  })
  qualification!: QualificationRef;

  @Field(() => [Credit], {
    description:
      'Credited units of the qualification and their points, each with where it was achieved (`source`); certificates issued ' +
      'before credits named home units list the units recognised from abroad only.',
  })
  units!: Credit[];

  @Field(() => EcvetPointsScalar, { description: 'Points in all.' })
  totalEcvetPoints!: number;

  @Field(() => DateTimeScalar, { description: 'When it was issued.' })
  issuedAt!: string;

  @Field({ description: 'False once a later certificate for the same learner and qualification replaced it.' })
  current!: boolean;

  @Field(() => DateTimeScalar, {
    nullable: true,
    description: 'When the issuing institution revoked it; null while it stands.',
  })
  revokedAt!: string | null;

  @Field(() => String, { nullable: true, description: 'Why it was revoked.' })
  revocationReason!: string | null;

  @Field(() => CredentialVerification, {
    nullable: true,
    description:
      'Only on `verifyCertificate` given the signed credential: whether its signature holds, it states this certificate, and the certificate stands. Null otherwise.',
  })
  credentialCheck!: CredentialVerification | null;
}

@ObjectType({ description: "A learner's record at their sending institution: credits, progress and certificates." })
export class LearnerRecord {
  @Field(() => ID, { description: 'The learner ID.' })
  learnerId!: string;

  @Field(() => [QualificationProgress], { description: 'Progress per qualification.' })
  qualifications!: QualificationProgress[];

  @Field(() => [RecognitionDecision], { description: 'Every recognition decision.' })
  decisions!: RecognitionDecision[];

  @Field(() => [CertificateStatement], { description: 'Certificates of recognised units issued.' })
  certificates!: CertificateStatement[];
}

@ObjectType({ description: "What the sending institution did with a mobility's transcript." })
export class AgreementRecognition {
  @Field(() => TranscriptValidation, {
    nullable: true,
    description: 'The latest validation of the transcript, if any.',
  })
  validation!: TranscriptValidation | null;

  @Field(() => [RecognitionDecision], { description: 'Recognition decisions per unit.' })
  decisions!: RecognitionDecision[];
}
