import DataLoader from 'dataloader';
import { In } from 'typeorm';
import type { Database } from '../shared/database';
import { byKey, groupBy } from '../shared/loaders';
import { InstitutionRecord } from './institution/institution.entity';
import { LearningOutcomeRecord, LearningOutcomeSkillRecord } from './learning-outcome/learning-outcome.entity';
import { QualificationRecord } from './qualification/qualification.entity';
import { UnitRecord } from './unit/unit.entity';

/**
 * One set of loaders per request: every relation a nested query walks is fetched in one statement per level,
 * whatever the number of rows (no N+1). Keys are local IDs.
 */
export interface QualificationsLoaders {
  institution: DataLoader<string, InstitutionRecord | null>;
  qualification: DataLoader<string, QualificationRecord | null>;
  unit: DataLoader<string, UnitRecord | null>;
  unitsOfQualification: DataLoader<string, UnitRecord[]>;
  outcome: DataLoader<string, LearningOutcomeRecord | null>;
  outcomesOfUnit: DataLoader<string, LearningOutcomeRecord[]>;
  skillsOfOutcome: DataLoader<string, string[]>;
}

export function createLoaders(db: Database): QualificationsLoaders {
  const manager = db.dataSource.manager;
  return {
    institution: new DataLoader(async (codes) =>
      byKey(codes, await manager.findBy(InstitutionRecord, { code: In([...codes]) }), (row) => row.code),
    ),
    qualification: new DataLoader(async (ids) =>
      byKey(ids, await manager.findBy(QualificationRecord, { id: In([...ids]) }), (row) => row.id),
    ),
    unit: new DataLoader(async (ids) =>
      byKey(ids, await manager.findBy(UnitRecord, { id: In([...ids]) }), (row) => row.id),
    ),
    unitsOfQualification: new DataLoader(async (ids) =>
      groupBy(
        ids,
        await manager.find(UnitRecord, {
          where: { qualificationId: In([...ids]) },
          order: { sortKey: 'ASC', id: 'ASC' },
        }),
        (row) => row.qualificationId,
      ),
    ),
    outcome: new DataLoader(async (ids) =>
      byKey(ids, await manager.findBy(LearningOutcomeRecord, { id: In([...ids]) }), (row) => row.id),
    ),
    outcomesOfUnit: new DataLoader(async (ids) =>
      groupBy(
        ids,
        await manager.find(LearningOutcomeRecord, {
          where: { unitId: In([...ids]) },
          order: { unitId: 'ASC', position: 'ASC' },
        }),
        (row) => row.unitId,
      ),
    ),
    skillsOfOutcome: new DataLoader(async (ids) =>
      groupBy(
        ids,
        await manager.find(LearningOutcomeSkillRecord, {
          where: { outcomeId: In([...ids]) },
          order: { position: 'ASC' },
        }),
        (row) => row.outcomeId,
      ).map((rows) => rows.map((row) => row.skillUri)),
    ),
  };
}
