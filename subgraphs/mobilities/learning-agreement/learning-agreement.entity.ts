import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { StoredAgreedGrading } from '../grading/grading.content';
import type { StoredRecognitionTarget } from '../correspondence/correspondence.entity';
import type { AgreementParty, AgreementStatus, VersionStatus } from '../../../schema/mobility/enums';

export interface StoredLearner {
  id: string;
  name: string;
  dateOfBirth: string;
  email: string;
  homeQualificationId: string;
  progress: string;
}

export interface StoredContact {
  name: string;
  position: string;
  email: string;
}

export interface StoredAgreedUnit extends StoredAgreedGrading {
  unitId: string;
  ecvetPoints: number;
  learningOutcomeIds: string[];
  learningActivities: string;
  assessment: { assessor: string; method: string; plannedOn: string };
  /** What it will be recognised as at home; absent in versions written before agreements stated it. */
  recognisedAs?: StoredRecognitionTarget | null;
}

/** What a version agrees: immutable once written, so it is kept whole. */
export interface StoredVersionContent {
  units: StoredAgreedUnit[];
  qualityAssurance: string;
  validationAndRecognition: string;
  documentation: string;
}

@Entity('learning_agreement')
@Index('idx_agreement_order', ['sortKey', 'id'])
@Index('idx_agreement_learner', ['learnerId'])
@Index('idx_agreement_hosting', ['hostingInstitution'])
export class LearningAgreementRecord {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;

  @Column({ type: 'varchar', length: 100 })
  sendingInstitution!: string;

  @Column({ type: 'varchar', length: 100 })
  hostingInstitution!: string;

  @Column({ type: 'varchar', length: 200, nullable: true })
  memorandumId!: string | null;

  @Column({ type: 'varchar', length: 200 })
  learnerId!: string;

  @Column({ type: 'simple-json' })
  learner!: StoredLearner;

  @Column({ type: 'simple-json' })
  sendingContact!: StoredContact;

  @Column({ type: 'simple-json' })
  hostingContact!: StoredContact;

  @Column({ type: 'varchar', length: 10 })
  status!: AgreementStatus;

  /** The binding version, or 1 while the agreement is unsigned. */
  @Column({ type: 'integer' })
  currentVersion!: number;

  @Column({ type: 'integer', nullable: true })
  pendingVersion!: number | null;

  /** Mobility start then ID: lists of agreements run in time order. */
  @Column({ type: 'varchar', length: 160 })
  sortKey!: string;

  @Column({ type: 'datetime', precision: 3 })
  updatedAt!: Date;
}

@Entity('agreement_version')
export class AgreementVersionRecord {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  agreementId!: string;

  @PrimaryColumn({ type: 'integer' })
  number!: number;

  @Column({ type: 'varchar', length: 10 })
  status!: VersionStatus;

  @Column({ type: 'varchar', length: 10 })
  mobilityStart!: string;

  @Column({ type: 'varchar', length: 10 })
  mobilityEnd!: string;

  @Column({ type: 'simple-json' })
  content!: StoredVersionContent;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  changeReason!: string | null;

  @Column({ type: 'datetime', precision: 3 })
  createdAt!: Date;
}

/**
 * The units a version agrees, as rows: `Unit.learningAgreements` finds a unit's agreements by index, where a LIKE
 * on the version's content JSON could use none. Written with the version and, like it, never changed.
 */
@Entity('agreement_unit')
@Index('idx_agreement_unit_unit', ['unitId', 'agreementId'])
export class AgreementUnitRecord {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  agreementId!: string;

  @PrimaryColumn({ type: 'integer' })
  versionNumber!: number;

  /** A hub ID, as long as the other entity IDs this shard keeps (`learnerId`, `memorandumId`). */
  @PrimaryColumn({ type: 'varchar', length: 200 })
  unitId!: string;
}

@Entity('agreement_signature')
export class AgreementSignatureRecord {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  agreementId!: string;

  @PrimaryColumn({ type: 'integer' })
  number!: number;

  @PrimaryColumn({ type: 'varchar', length: 8 })
  party!: AgreementParty;

  @Column({ type: 'varchar', length: 200 })
  signerName!: string;

  @Column({ type: 'varchar', length: 200 })
  signerPosition!: string;

  @Column({ type: 'datetime', precision: 3 })
  signedAt!: Date;
}

@Entity('evaluation')
export class EvaluationRecord {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  agreementId!: string;

  @PrimaryColumn({ type: 'varchar', length: 100 })
  institution!: string;

  @Column({ type: 'boolean' })
  wentAsAgreed!: boolean;

  @Column({ type: 'text' })
  comments!: string;

  @Column({ type: 'datetime', precision: 3 })
  recordedAt!: Date;
}
