import DataLoader from 'dataloader';
import { In } from 'typeorm';
import type { ServedKindContext, ShardRequestContext, ShardServices } from '../shared/context';
import type { Database } from '../shared/database';
import { byKey, groupBy } from '../shared/loaders';
import { AssessmentRecord, TranscriptRecord } from './assessment/assessment.entity';
import {
  AgreementSignatureRecord,
  AgreementUnitRecord,
  AgreementVersionRecord,
  EvaluationRecord,
  LearningAgreementRecord,
} from './learning-agreement/learning-agreement.entity';
import { MemorandumSignatureRecord } from './memorandum/memorandum.entity';

export interface MobilitiesLoaders {
  agreement: DataLoader<string, LearningAgreementRecord | null>;
  versionsOf: DataLoader<string, AgreementVersionRecord[]>;
  signaturesOf: DataLoader<string, AgreementSignatureRecord[]>;
  assessmentsOf: DataLoader<string, AssessmentRecord[]>;
  transcriptsOf: DataLoader<string, TranscriptRecord[]>;
  evaluationsOf: DataLoader<string, EvaluationRecord[]>;
  memorandumSignaturesOf: DataLoader<string, MemorandumSignatureRecord[]>;
  /** By unit hub ID: the agreements whose binding version lists the unit, by sort key, whoever is party to them. */
  agreementsOfUnit: DataLoader<string, LearningAgreementRecord[]>;
}

export type MobilitiesContext = ServedKindContext<MobilitiesLoaders>;

/** Per-request loaders: every list an agreement shows is read in one statement for all agreements of a page. */
export function createMobilitiesContext(
  db: Database,
  services: ShardServices,
  request: ShardRequestContext,
): MobilitiesContext {
  const manager = db.dataSource.manager;
  const grouped = <T extends object>(entity: new () => T, key: keyof T & string, order: Record<string, 'ASC'>) =>
    new DataLoader<string, T[]>(async (ids) =>
      groupBy(
        ids,
        await manager.find(entity, { where: { [key]: In([...ids]) } as never, order: order as never }),
        (row) => String(row[key]),
      ),
    );
  return {
    ...request,
    db,
    hub: services.hub,
    outbox: services.outbox,
    loaders: {
      agreement: new DataLoader(async (ids) =>
        byKey(ids, await manager.findBy(LearningAgreementRecord, { id: In([...ids]) }), (row) => row.id),
      ),
      versionsOf: grouped(AgreementVersionRecord, 'agreementId', { number: 'ASC' }),
      signaturesOf: grouped(AgreementSignatureRecord, 'agreementId', { signedAt: 'ASC' }),
      assessmentsOf: grouped(AssessmentRecord, 'agreementId', { assessedOn: 'ASC', unitId: 'ASC' }),
      transcriptsOf: grouped(TranscriptRecord, 'agreementId', { version: 'ASC' }),
      evaluationsOf: grouped(EvaluationRecord, 'agreementId', { recordedAt: 'ASC', institution: 'ASC' }),
      memorandumSignaturesOf: grouped(MemorandumSignatureRecord, 'memorandumId', { signedAt: 'ASC' }),
      agreementsOfUnit: new DataLoader(async (unitIds) => {
        const { entities, raw } = await manager
          .createQueryBuilder(LearningAgreementRecord, 'a')
          .innerJoin(AgreementUnitRecord, 'au', 'au.agreementId = a.id AND au.versionNumber = a.currentVersion')
          .addSelect('au.unitId', 'au_unitId')
          .where('au.unitId IN (:...unitIds)', { unitIds: [...unitIds] })
          .orderBy('a.sortKey')
          .addOrderBy('a.id')
          .getRawAndEntities<{ a_id: string; au_unitId: string }>();
        // One raw row per agreement and unit, in order; the entities come once per agreement.
        const byId = new Map(entities.map((agreement) => [agreement.id, agreement]));
        const pairs = raw.flatMap((row) => {
          const agreement = byId.get(row.a_id);
          return agreement ? [{ unitId: row.au_unitId, agreement }] : [];
        });
        return groupBy(unitIds, pairs, (pair) => pair.unitId).map((group) => group.map((pair) => pair.agreement));
      }),
    },
  };
}
