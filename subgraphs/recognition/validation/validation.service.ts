import { randomUUID } from 'node:crypto';
import { ConflictError } from '../../../schema/errors';
import { entityId, ownerOf } from '../../../schema/ids';
import { recordAudit } from '../../shared/audit/audit';
import { ownLocalId } from '../../shared/local-id';
import { inTransaction } from '../../shared/outbox/outbox';
import { requireCoordinator, requireRecordReader } from '../access';
import type { RecognitionContext } from '../context';
import { askHub } from '../hub';
import { TranscriptValidationRecord, type AgreedRecognitionTarget, type ValidatedUnit } from './validation.entity';

interface HubAgreement {
  learner: { id: string; name: string; homeQualificationId: string };
  versions: Array<{
    number: number;
    mobilityEnd: string;
    units: Array<{
      unitId: string;
      ecvetPoints: number;
      learningOutcomeIds: string[];
      recognisedAs: AgreedRecognitionTarget | null;
    }>;
  }>;
  transcript: {
    version: number;
    agreementVersion: number;
    entries: Array<{
      unitId: string;
      result: string;
      ecvetPoints: number;
      outcomeResults: Array<{ learningOutcomeId: string; result: string }>;
    }>;
  } | null;
}

const AGREEMENT = `query ForValidation($id: ID!) {
  learningAgreement(id: $id) {
    learner { id name homeQualificationId }
    versions { number mobilityEnd units { unitId ecvetPoints learningOutcomeIds recognisedAs { homeUnitIds homeOutcomeIds coverage source } } }
    transcript { version agreementVersion entries { unitId result ecvetPoints outcomeResults { learningOutcomeId result } } }
  }
}`;

/** Agreement against transcript, unit by unit: what was achieved, and every difference in points or outcomes. */
export function compare(agreement: HubAgreement): { agreementVersion: number; units: ValidatedUnit[] } {
  const transcript = agreement.transcript;
  if (!transcript) throw new Error('compare needs a transcript');
  const version = agreement.versions.find((v) => v.number === transcript.agreementVersion);
  if (!version)
    throw new ConflictError(
      `The transcript refers to version ${transcript.agreementVersion} of the agreement, which does not exist`,
    );
  const units: ValidatedUnit[] = version.units.map((agreed) => {
    const entry = transcript.entries.find((e) => e.unitId === agreed.unitId);
    const differences: string[] = [];
    if (!entry) differences.push('not on the transcript');
    const achieved = entry?.result === 'ACHIEVED';
    if (entry && !achieved) differences.push('reported not achieved');
    if (entry && achieved && Math.abs(entry.ecvetPoints - agreed.ecvetPoints) > 1e-9) {
      differences.push(`transcript gives ${entry.ecvetPoints} ECVET points, the agreement ${agreed.ecvetPoints}`);
    }
    const agreedOutcomes = agreed.learningOutcomeIds;
    const reported = entry && entry.outcomeResults.length > 0 ? entry.outcomeResults : null;
    const achievedOutcomes = reported
      ? reported.filter((o) => o.result === 'ACHIEVED').map((o) => o.learningOutcomeId)
      : null;
    const missing = achievedOutcomes ? agreedOutcomes.filter((id) => !achievedOutcomes.includes(id)) : [];
    if (missing.length > 0) differences.push(`learning outcomes not achieved: ${missing.join(', ')}`);
    return {
      unitId: agreed.unitId,
      agreedEcvetPoints: agreed.ecvetPoints,
      agreedOutcomeIds: agreedOutcomes,
      achieved,
      transcriptEcvetPoints: entry?.ecvetPoints ?? 0,
      achievedOutcomeIds: achievedOutcomes,
      differences,
      recognisedAs: agreed.recognisedAs,
    };
  });
  for (const entry of transcript.entries) {
    if (!version.units.some((agreed) => agreed.unitId === entry.unitId)) {
      units.push({
        unitId: entry.unitId,
        agreedEcvetPoints: 0,
        agreedOutcomeIds: [],
        achieved: entry.result === 'ACHIEVED',
        transcriptEcvetPoints: entry.ecvetPoints,
        achievedOutcomeIds: null,
        differences: ['on the transcript but not in the agreement'],
      });
    }
  }
  return { agreementVersion: version.number, units };
}

export async function validateTranscript(
  context: RecognitionContext,
  learningAgreementId: string,
): Promise<TranscriptValidationRecord> {
  const caller = requireCoordinator(context, 'validate transcripts of its learners');
  if (ownerOf(learningAgreementId) !== context.institution) {
    throw new ConflictError(
      `Only the sending institution validates a transcript; ${learningAgreementId} is not ${context.institution}'s`,
      { field: 'learningAgreementId' },
    );
  }
  const data = await askHub<{ learningAgreement: HubAgreement | null }>(
    context,
    `learning agreement ${learningAgreementId}`,
    AGREEMENT,
    { id: learningAgreementId },
  );
  const agreement = data.learningAgreement;
  if (!agreement)
    throw new ConflictError(`No learning agreement ${learningAgreementId}`, { field: 'learningAgreementId' });
  if (!agreement.transcript) {
    throw new ConflictError(
      `Learning agreement ${learningAgreementId} has no issued transcript: there is nothing to validate yet`,
      { field: 'learningAgreementId' },
    );
  }
  const { agreementVersion, units } = compare(agreement);
  return inTransaction(context, async (manager) => {
    const record = manager.create(TranscriptValidationRecord, {
      id: `V-${randomUUID()}`,
      agreementId: learningAgreementId,
      learnerId: agreement.learner.id,
      learnerName: agreement.learner.name,
      homeQualificationId: agreement.learner.homeQualificationId,
      transcriptVersion: agreement.transcript?.version ?? 0,
      agreementVersion,
      consistent: units.every((unit) => unit.differences.length === 0),
      units,
      validatedAt: new Date(),
      validatedBy: caller.subject,
      mobilityEnd: agreement.versions.find((version) => version.number === agreementVersion)?.mobilityEnd ?? null,
    });
    await manager.insert(TranscriptValidationRecord, record);
    await recordAudit(manager, context, caller, {
      action: 'validateTranscript',
      entityId: entityId(context.institution, record.id),
      input: { learningAgreementId },
    });
    return record;
  });
}

/** A validation for a client naming it by ID (a reference): FORBIDDEN unless the caller may read the learner's record. */
export async function requireValidation(
  context: RecognitionContext,
  id: string,
): Promise<TranscriptValidationRecord | null> {
  const localId = ownLocalId(context.institution, id);
  const record =
    localId === null
      ? null
      : await context.db.dataSource.manager.findOneBy(TranscriptValidationRecord, { id: localId });
  if (record) requireRecordReader(context, record.learnerId);
  return record;
}
