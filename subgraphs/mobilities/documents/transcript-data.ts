import { entityId } from '../../../schema/ids';
import { requireParty } from '../../shared/access';
import {
  publicDataFromHub,
  type PublicInstitution,
  type PublicLearningOutcome,
  type PublicUnit,
} from '../../shared/documents/hub-data';
import { TranscriptRecord, type StoredTranscriptEntry } from '../assessment/assessment.entity';
import type { MobilitiesContext } from '../context';
import type { StoredRecognitionTarget } from '../correspondence/correspondence.entity';
import { AgreementVersionRecord, type StoredAgreedUnit } from '../learning-agreement/learning-agreement.entity';
import { partiesOf } from '../learning-agreement/learning-agreement.service';

/** One unit of a transcript with everything a document shows about it. */
export interface TranscriptUnit {
  entry: StoredTranscriptEntry;
  unit: PublicUnit;
  /** The learning outcomes agreed for the unit (all of the unit's when it was taken whole), in the unit's order. */
  outcomes: PublicLearningOutcome[];
  /** What the agreement says the unit will be recognised as at home, with the home units it names; null: unstated. */
  recognisedAs: (StoredRecognitionTarget & { homeUnits: PublicUnit[] }) | null;
}

/** What a transcript document (ELMO or EDC) is made of: the shard's records and the public data it shows. */
export interface TranscriptDocumentData {
  transcriptId: string;
  learningAgreementId: string;
  version: number;
  agreementVersion: number;
  current: boolean;
  issuedAt: string;
  issuedBy: string;
  learner: { id: string; name: string; dateOfBirth: string };
  mobility: { start: string; end: string };
  /** The sending institution: it keeps the transcript, and its mobilities shard signs the credential. */
  sending: PublicInstitution;
  /** The hosting institution: it assessed the units and issued the transcript. */
  host: PublicInstitution;
  units: TranscriptUnit[];
  totalEcvetPoints: number;
}

export function agreedOutcomes(unit: PublicUnit, agreed: StoredAgreedUnit | undefined): PublicLearningOutcome[] {
  const ids = new Set(agreed?.learningOutcomeIds ?? []);
  return ids.size === 0 ? unit.learningOutcomes : unit.learningOutcomes.filter((outcome) => ids.has(outcome.id));
}

/**
 * Loads a transcript this shard keeps, for a caller who is party to its agreement (NOT_FOUND otherwise, as for an unknown transcript), with the
 * units, outcomes and institutions it shows, read through the hub in one request.
 */
export async function loadTranscriptDocumentData(
  context: MobilitiesContext,
  record: TranscriptRecord,
): Promise<TranscriptDocumentData> {
  const agreement = await context.loaders.agreement.load(record.agreementId);
  if (!agreement)
    throw new Error(`Transcript ${record.id} refers to agreement ${record.agreementId}, which is missing`);
  const transcriptId = entityId(agreement.sendingInstitution, record.id);
  requireParty(context, partiesOf(agreement), { message: `No transcript ${transcriptId} at ${context.institution}` });
  const version = await context.db.dataSource.manager.findOneByOrFail(AgreementVersionRecord, {
    agreementId: agreement.id,
    number: record.agreementVersion,
  });
  const unitIds = record.entries.map((entry) => entry.unitId);
  const agreedUnit = (unitId: string) => version.content.units.find((u) => u.unitId === unitId);
  const homeUnitIds = unitIds.flatMap((id) => agreedUnit(id)?.recognisedAs?.homeUnitIds ?? []);
  // The home units travel in the same request as the transcript's own.
  const data = await publicDataFromHub(context.hub, {
    institutions: [agreement.sendingInstitution, agreement.hostingInstitution],
    units: [...new Set([...unitIds, ...homeUnitIds])],
  });
  return {
    transcriptId,
    learningAgreementId: entityId(agreement.sendingInstitution, agreement.id),
    version: record.version,
    agreementVersion: record.agreementVersion,
    current: record.current,
    issuedAt: record.issuedAt.toISOString(),
    issuedBy: record.issuedBy,
    learner: { id: agreement.learner.id, name: agreement.learner.name, dateOfBirth: agreement.learner.dateOfBirth },
    mobility: { start: version.mobilityStart, end: version.mobilityEnd },
    sending: data.institutions.get(agreement.sendingInstitution) as PublicInstitution,
    host: data.institutions.get(agreement.hostingInstitution) as PublicInstitution,
    units: record.entries.map((entry) => {
      const unit = data.units.get(entry.unitId) as PublicUnit;
      const agreed = agreedUnit(entry.unitId);
      const target = agreed?.recognisedAs ?? null;
      return {
        entry,
        unit,
        outcomes: agreedOutcomes(unit, agreed),
        recognisedAs: target && {
          ...target,
          homeUnits: target.homeUnitIds.flatMap((id) => data.units.get(id) ?? []),
        },
      };
    }),
    totalEcvetPoints: record.totalEcvetPoints,
  };
}

/** A transcript of this shard by its hub ID, or null. */
export async function findTranscript(context: MobilitiesContext, localId: string): Promise<TranscriptRecord | null> {
  return context.db.dataSource.manager.findOneBy(TranscriptRecord, { id: localId });
}
