import { registerEnumType } from 'type-graphql';

export enum MemorandumStatus {
  DRAFT = 'DRAFT',
  PARTIALLY_SIGNED = 'PARTIALLY_SIGNED',
  IN_EFFECT = 'IN_EFFECT',
  EXPIRED = 'EXPIRED',
  TERMINATED = 'TERMINATED',
}
registerEnumType(MemorandumStatus, {
  name: 'MemorandumStatus',
  description: 'Where a Memorandum of Understanding stands.',
  valuesConfig: {
    DRAFT: { description: 'Proposed; no partner has signed yet.' },
    PARTIALLY_SIGNED: { description: 'Some partners have signed this text.' },
    IN_EFFECT: { description: 'Every partner signed and today is within the validity period.' },
    EXPIRED: { description: 'Every partner signed but the validity period is over.' },
    TERMINATED: { description: 'Ended early by a partner.' },
  },
});

export enum AgreementStatus {
  DRAFT = 'DRAFT',
  SIGNED = 'SIGNED',
  CANCELLED = 'CANCELLED',
}
registerEnumType(AgreementStatus, {
  name: 'LearningAgreementStatus',
  description: 'Where a Learning Agreement stands.',
  valuesConfig: {
    DRAFT: { description: 'Waiting for some of its three signatures (sending, hosting, learner).' },
    SIGNED: { description: 'Signed by all three; the current version is binding.' },
    CANCELLED: { description: 'Cancelled: no assessment may be recorded any more.' },
  },
});

export enum VersionStatus {
  PROPOSED = 'PROPOSED',
  SIGNED = 'SIGNED',
  SUPERSEDED = 'SUPERSEDED',
  REJECTED = 'REJECTED',
}
registerEnumType(VersionStatus, {
  name: 'LearningAgreementVersionStatus',
  description: 'A version of a Learning Agreement: never edited in place once signed.',
  valuesConfig: {
    PROPOSED: { description: 'Waiting for the parties: the first version, or a proposed change.' },
    SIGNED: { description: 'Approved by all three parties: the binding version.' },
    SUPERSEDED: { description: 'Was binding; a later signed version replaced it.' },
    REJECTED: { description: 'A proposed change a party rejected.' },
  },
});

export enum AgreementParty {
  SENDING = 'SENDING',
  HOSTING = 'HOSTING',
  LEARNER = 'LEARNER',
}
registerEnumType(AgreementParty, { name: 'AgreementParty', description: 'The three parties to a Learning Agreement.' });

export enum AssessmentResult {
  ACHIEVED = 'ACHIEVED',
  NOT_ACHIEVED = 'NOT_ACHIEVED',
}
registerEnumType(AssessmentResult, {
  name: 'AssessmentResult',
  description: 'Outcome of assessing a unit or learning outcome.',
});
