import { LearningAgreementRef, RecognitionUnitRef } from '../../../schema/recognition/references';

/**
 * An agreement extended here holds nothing but the ID the caller gave: its `recognition` says what the caller
 * may see, so a signed-in caller always gets the reference, and anonymous callers are refused.
 */
export const resolveLearningAgreementReference = async (reference: { id: string }) =>
  Object.assign(new LearningAgreementRef(), { id: reference.id });

export const resolveUnitReference = async (reference: { id: string }) =>
  Object.assign(new RecognitionUnitRef(), { id: reference.id });
