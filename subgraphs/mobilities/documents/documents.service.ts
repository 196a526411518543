import { DocumentFormat, type HubDocument, CredentialStatus } from '../../../schema/documents';
import { BadUserInputError, ConflictError, NotFoundError } from '../../../schema/errors';
import { entityId } from '../../../schema/ids';
import { AgreementStatus } from '../../../schema/mobility/enums';
import { requireStaffRole } from '../../shared/access';
import { recordAudit } from '../../shared/audit/audit';
import { credentialText, hubDocument } from '../../shared/documents/document';
import { validateElmo } from '../../shared/documents/elmo-schema';
import { checkXmlInput } from '../../shared/documents/xml-input';
import { publicDataFromHub, type PublicInstitution, type PublicUnit } from '../../shared/documents/hub-data';
import { attestedRecord } from '../../shared/documents/credential-ids';
import { publishedKeys, signCredential } from '../../shared/documents/signing';
import { checkSignature, claimedSigner } from '../../shared/documents/verify';
import { ownLocalId } from '../../shared/local-id';
import { inTransaction } from '../../shared/outbox/outbox';
import { TranscriptRecord } from '../assessment/assessment.entity';
import type { MobilitiesContext } from '../context';
import { AgreementVersionRecord, LearningAgreementRecord } from '../learning-agreement/learning-agreement.entity';
import { agreementEvent, loadAgreement } from '../learning-agreement/learning-agreement.service';
import { buildTranscriptCredential } from './edc';
import { buildElmo } from './elmo';
import { mapElmoToAgreement } from './elmo.import';
import { parseElmo } from './elmo.parse';
import { loadTranscriptDocumentData } from './transcript-data';

/** The kind whose shard keeps transcripts and signs their credentials. */
export const TRANSCRIPT_SIGNER_KIND = 'mobilities';

/** A transcript this shard keeps, in a format, for a party to its agreement. */
export async function transcriptDocument(
  context: MobilitiesContext,
  record: TranscriptRecord,
  format: DocumentFormat,
): Promise<HubDocument> {
  const data = await loadTranscriptDocumentData(context, record);
  if (format === DocumentFormat.ELMO)
    return hubDocument('transcript', data.transcriptId, format, buildElmo(data, new Date().toISOString()), null);
  const content = credentialText(buildTranscriptCredential(data));
  const signed = await signCredential(
    context.db,
    { institution: context.institution, kind: TRANSCRIPT_SIGNER_KIND },
    content,
  );
  return hubDocument('transcript', data.transcriptId, format, content, signed);
}

/**
 * Whether the transcript a credential attests is still the agreement's current one. Only for a holder of the
 * credential: it must be one this shard signed for this agreement, else the answer is UNKNOWN, so the status
 * query tells nobody else whether an agreement or transcript exists.
 */
export async function transcriptStatus(
  context: MobilitiesContext,
  learningAgreementId: string,
  credential: string,
): Promise<CredentialStatus> {
  const localId = ownLocalId(context.institution, learningAgreementId, 'learningAgreementId');
  const claim = await claimedSigner(credential);
  if (
    localId === null ||
    !claim.ok ||
    claim.signer.institution !== context.institution ||
    claim.signer.kind !== TRANSCRIPT_SIGNER_KIND
  )
    return CredentialStatus.UNKNOWN;
  const check = await checkSignature(credential, await publishedKeys(context.db, claim.signer), claim.signer);
  if (!check.ok) return CredentialStatus.UNKNOWN;
  let id: unknown;
  try {
    id = (JSON.parse(check.payload) as { id?: unknown }).id;
  } catch {
    return CredentialStatus.UNKNOWN;
  }
  const attested = typeof id === 'string' ? attestedRecord(id) : null;
  if (attested?.kind !== 'transcript' || attested.learningAgreementId !== learningAgreementId)
    return CredentialStatus.UNKNOWN;
  const record = await context.db.dataSource.manager.findOneBy(TranscriptRecord, {
    agreementId: localId,
    version: attested.version,
  });
  if (!record) return CredentialStatus.UNKNOWN;
  return record.current ? CredentialStatus.CURRENT : CredentialStatus.SUPERSEDED;
}

/**
 * A partner's ELMO transcript, uploaded by the sending institution's coordinator against one of its signed
 * agreements: checked against the XSD, then against the agreement (learner, hosting institution, units), and
 * stored as the agreement's next transcript exactly as `issueTranscript` stores one. Nothing is written on error.
 */
export async function importElmoTranscript(
  context: MobilitiesContext,
  learningAgreementId: string,
  document: string,
): Promise<TranscriptRecord> {
  const agreement = await loadAgreement(
    context.db.dataSource.manager,
    context,
    learningAgreementId,
    'learningAgreementId',
  );
  const caller = requireStaffRole(
    context,
    agreement.sendingInstitution,
    'coordinator',
    'import transcripts of its learners',
  );
  if (agreement.status === AgreementStatus.CANCELLED)
    throw new ConflictError(`Learning agreement ${learningAgreementId} is cancelled: it gets no transcript`);
  if (agreement.status !== AgreementStatus.SIGNED) {
    throw new ConflictError(
      `Learning agreement ${learningAgreementId} is not signed by all three parties yet: no transcript before that`,
    );
  }
  checkXmlInput('document', document);

  const validation = await validateElmo(document);
  if (!validation.valid) {
    const problems = validation.problems.slice(0, 5).map((p) => (p.line ? `line ${p.line}: ${p.message}` : p.message));
    throw new BadUserInputError(`document is not a valid ELMO file (schema.xsd): ${problems.join('; ')}`, 'document', {
      line: validation.problems[0]?.line ?? null,
      problems: validation.problems.slice(0, 20),
    });
  }

  const version = await context.db.dataSource.manager.findOneByOrFail(AgreementVersionRecord, {
    agreementId: agreement.id,
    number: agreement.currentVersion,
  });
  const data = await publicDataFromHub(context.hub, {
    institutions: [agreement.hostingInstitution],
    units: version.content.units.map((u) => u.unitId),
  });
  const entries = mapElmoToAgreement(parseElmo(document), {
    learningAgreementId,
    learner: { id: agreement.learner.id, name: agreement.learner.name, dateOfBirth: agreement.learner.dateOfBirth },
    host: data.institutions.get(agreement.hostingInstitution) as PublicInstitution,
    units: version.content.units.map((agreed) => ({ agreed, unit: data.units.get(agreed.unitId) as PublicUnit })),
  });
  const hostName =
    (data.institutions.get(agreement.hostingInstitution) as PublicInstitution).names.find((n) => n.lang === 'en')
      ?.value ?? agreement.hostingInstitution;

  return inTransaction(context, async (manager) => {
    const now = await manager.findOneByOrFail(LearningAgreementRecord, { id: agreement.id });
    if (now.status !== AgreementStatus.SIGNED || now.currentVersion !== agreement.currentVersion) {
      throw new ConflictError(`Learning agreement ${learningAgreementId} changed while the file was read: try again`);
    }
    const previous = await manager.find(TranscriptRecord, {
      where: { agreementId: agreement.id },
      order: { version: 'DESC' },
      take: 1,
    });
    const next = (previous[0]?.version ?? 0) + 1;
    await manager.update(TranscriptRecord, { agreementId: agreement.id }, { current: false });
    const transcript = manager.create(TranscriptRecord, {
      id: `T-${agreement.id}-${next}`,
      agreementId: agreement.id,
      version: next,
      agreementVersion: version.number,
      current: true,
      issuedAt: new Date(),
      issuedBy: `${hostName} (ELMO file imported by ${caller.subject})`.slice(0, 200),
      entries,
      totalEcvetPoints: entries.reduce((sum, entry) => sum + entry.ecvetPoints, 0),
    });
    await manager.insert(TranscriptRecord, transcript);
    await agreementEvent(manager, agreement, 'TRANSCRIPT_ISSUED', entityId(context.institution, transcript.id));
    await recordAudit(manager, context, caller, {
      action: 'importElmoTranscript',
      entityId: entityId(context.institution, transcript.id),
      input: { learningAgreementId, documentCharacters: document.length },
    });
    return transcript;
  });
}

/** The signing keys query answers for this shard's own institution only. */
export function requireOwnInstitution(context: MobilitiesContext, institution: string): void {
  if (institution !== context.institution)
    throw new NotFoundError(`This shard signs for ${context.institution}, not ${institution}`, {
      field: 'institution',
    });
}
