import type { EntityManager } from 'typeorm';
import { foldText, sortKeyOf } from '../../../schema/cursor';
import { LifecycleStatus } from '../../../schema/enums';
import { BadUserInputError, ConflictError, NotFoundError } from '../../../schema/errors';
import { entityId, malformedIdMessage, parseEntityId } from '../../../schema/ids';
import { pickText } from '../../../schema/localized-text';
import type { Unit } from '../../../schema/unit';
import { requireStaffRole } from '../../shared/access';
import { recordAudit } from '../../shared/audit/audit';
import { writePublicData } from '../../shared/changes/changes';
import type { QualificationsContext } from '../context';
import { LearningOutcomeRecord, LearningOutcomeSkillRecord } from '../learning-outcome/learning-outcome.entity';
import { ownLocalId } from '../../shared/local-id';
import { QualificationRecord } from '../qualification/qualification.entity';
import { UnitRecord } from './unit.entity';
import {
  checkValidity,
  validateCreateUnit,
  validateUpdateUnit,
  type CreateUnitInput,
  type LearningOutcomeInput,
  type UpdateUnitInput,
} from './unit.input';
import { toUnit } from './unit.mapper';

/** Sort key and search text of a record, as every write computes them (bulk loaders reuse it). */
export function indexText(
  unit: Pick<UnitRecord, 'id' | 'titles' | 'assessmentCriteria'>,
  outcomes: readonly LearningOutcomeInput[],
) {
  const texts = [
    unit.id,
    ...unit.titles.map((t) => t.value),
    ...outcomes.flatMap((o) => o.statements.map((t) => t.value)),
    ...unit.assessmentCriteria.flat().map((t) => t.value),
  ];
  return { sortKey: sortKeyOf(pickText(unit.titles, 'en') ?? unit.id), searchText: foldText(texts.join(' ')) };
}

/** An outcome's local ID is its unit's plus its position, so it stays stable across edits. */
function outcomeId(unitId: string, position: number): string {
  return `${unitId}-LO${position}`;
}

/** Replaces a unit's outcomes. */
async function writeOutcomes(
  manager: EntityManager,
  unitId: string,
  outcomes: readonly LearningOutcomeInput[],
): Promise<void> {
  await manager.delete(LearningOutcomeRecord, { unitId });
  const records = outcomes.map((outcome, index) =>
    manager.create(LearningOutcomeRecord, {
      id: outcomeId(unitId, index + 1),
      unitId,
      position: index + 1,
      category: outcome.category,
      statements: outcome.statements,
    }),
  );
  await manager.insert(LearningOutcomeRecord, records);
  const skills = records.flatMap((record, index) =>
    [...new Set(outcomes[index]?.escoSkills ?? [])].map((skillUri, position) =>
      manager.create(LearningOutcomeSkillRecord, { outcomeId: record.id, skillUri, unitId, position }),
    ),
  );
  if (skills.length > 0) await manager.insert(LearningOutcomeSkillRecord, skills);
}

/** The points of a qualification's active units may not exceed the qualification's own. */
async function checkPointBudget(
  manager: EntityManager,
  qualification: QualificationRecord,
  unitId: string,
  points: number,
  field: string,
): Promise<void> {
  const others = await manager
    .createQueryBuilder(UnitRecord, 'u')
    .select('COALESCE(SUM(u.ecvetPoints), 0)', 'total')
    .where('u.qualificationId = :q AND u.status = :active AND u.id <> :id', {
      q: qualification.id,
      active: LifecycleStatus.ACTIVE,
      id: unitId,
    })
    .getRawOne<{ total: number | string }>();
  const total = Number(others?.total ?? 0) + points;
  if (total > qualification.ecvetPoints + 1e-9) {
    throw new ConflictError(
      `${field} ${points} would bring the active units of qualification ${qualification.id} to ${total} ECVET points, ` +
        `more than the qualification's ${qualification.ecvetPoints}`,
      { field },
    );
  }
}

export async function createUnit(context: QualificationsContext, input: CreateUnitInput): Promise<Unit> {
  const caller = requireStaffRole(context, context.institution, 'coordinator', 'create its units');
  validateCreateUnit(input);
  const qualificationRef = parseEntityId(input.qualificationId);
  if (!qualificationRef)
    throw new BadUserInputError(
      malformedIdMessage('input.qualificationId', input.qualificationId),
      'input.qualificationId',
    );
  return writePublicData(context.db, async (manager) => {
    const qualification =
      qualificationRef.institution === context.institution
        ? await manager.findOneBy(QualificationRecord, { id: qualificationRef.localId })
        : null;
    if (!qualification)
      throw new NotFoundError(`No qualification ${input.qualificationId} at ${context.institution}`, {
        field: 'input.qualificationId',
      });
    if (qualification.status !== LifecycleStatus.ACTIVE) {
      throw new ConflictError(`Qualification ${input.qualificationId} is retired: no new units`, {
        field: 'input.qualificationId',
      });
    }
    if (await manager.existsBy(UnitRecord, { id: input.localId })) {
      throw new ConflictError(
        `Unit ${entityId(context.institution, input.localId)} exists already: localId must be new`,
        { field: 'input.localId' },
      );
    }
    await checkPointBudget(manager, qualification, input.localId, input.ecvetPoints, 'input.ecvetPoints');
    const now = new Date();
    const fields = {
      id: input.localId,
      qualificationId: qualification.id,
      titles: input.titles,
      eqfLevel: input.eqfLevel,
      ecvetPoints: input.ecvetPoints,
      assessmentCriteria: input.assessmentCriteria.map((criterion) => criterion.texts),
      validFrom: input.validFrom,
      validUntil: input.validUntil ?? null,
      status: LifecycleStatus.ACTIVE,
      version: 1,
      createdAt: now,
      updatedAt: now,
    };
    const record = manager.create(UnitRecord, { ...fields, ...indexText(fields, input.learningOutcomes) });
    await manager.insert(UnitRecord, record);
    await writeOutcomes(manager, record.id, input.learningOutcomes);
    await recordAudit(manager, context, caller, {
      action: 'createUnit',
      entityId: entityId(context.institution, record.id),
      input,
    });
    return toUnit(record, context.institution);
  });
}

async function loadOwnUnit(manager: EntityManager, context: QualificationsContext, id: string): Promise<UnitRecord> {
  const localId = ownLocalId(context.institution, id);
  const record = localId === null ? null : await manager.findOneBy(UnitRecord, { id: localId });
  if (!record) throw new NotFoundError(`No unit ${id} at ${context.institution}`, { field: 'id' });
  return record;
}

export async function updateUnit(context: QualificationsContext, id: string, input: UpdateUnitInput): Promise<Unit> {
  const caller = requireStaffRole(context, context.institution, 'coordinator', 'change its units');
  validateUpdateUnit(input);
  return writePublicData(context.db, async (manager) => {
    const record = await loadOwnUnit(manager, context, id);
    if (input.titles) record.titles = input.titles;
    if (input.eqfLevel != null) record.eqfLevel = input.eqfLevel;
    if (input.assessmentCriteria)
      record.assessmentCriteria = input.assessmentCriteria.map((criterion) => criterion.texts);
    if (input.validFrom != null) record.validFrom = input.validFrom;
    if (input.validUntil !== undefined) record.validUntil = input.validUntil;
    checkValidity(record.validFrom, record.validUntil);
    if (input.ecvetPoints != null) {
      if (record.status === LifecycleStatus.ACTIVE) {
        const qualification = await manager.findOneByOrFail(QualificationRecord, { id: record.qualificationId });
        await checkPointBudget(manager, qualification, record.id, input.ecvetPoints, 'input.ecvetPoints');
      }
      record.ecvetPoints = input.ecvetPoints;
    }
    if (input.learningOutcomes) await writeOutcomes(manager, record.id, input.learningOutcomes);
    const outcomes =
      input.learningOutcomes ??
      (await manager.find(LearningOutcomeRecord, { where: { unitId: record.id }, order: { position: 'ASC' } })).map(
        (o) => ({
          category: o.category,
          statements: o.statements,
          escoSkills: [],
        }),
      );
    Object.assign(record, indexText(record, outcomes), { updatedAt: new Date() });
    await manager.save(UnitRecord, record);
    await recordAudit(manager, context, caller, { action: 'updateUnit', entityId: id, input });
    return toUnit(record, context.institution);
  });
}

export async function retireUnit(context: QualificationsContext, id: string): Promise<Unit> {
  const caller = requireStaffRole(context, context.institution, 'coordinator', 'retire its units');
  return writePublicData(context.db, async (manager) => {
    const record = await loadOwnUnit(manager, context, id);
    if (record.status === LifecycleStatus.RETIRED)
      throw new ConflictError(`Unit ${id} is retired already`, { field: 'id' });
    record.status = LifecycleStatus.RETIRED;
    record.updatedAt = new Date();
    await manager.save(UnitRecord, record);
    await recordAudit(manager, context, caller, { action: 'retireUnit', entityId: id, input: { id } });
    return toUnit(record, context.institution);
  });
}
