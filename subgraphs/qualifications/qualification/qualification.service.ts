import { LifecycleStatus } from '../../../schema/enums';
import { ConflictError, NotFoundError } from '../../../schema/errors';
import { entityId } from '../../../schema/ids';
import type { Qualification } from '../../../schema/qualification';
import { foldText, sortKeyOf } from '../../../schema/cursor';
import { pickText } from '../../../schema/localized-text';
import { requireStaffRole } from '../../shared/access';
import { recordAudit } from '../../shared/audit/audit';
import { writePublicData } from '../../shared/changes/changes';
import type { QualificationsContext } from '../context';
import { ownLocalId } from '../../shared/local-id';
import { UnitRecord } from '../unit/unit.entity';
import { QualificationRecord } from './qualification.entity';
import {
  validateCreateQualification,
  validateUpdateQualification,
  type CreateQualificationInput,
  type UpdateQualificationInput,
} from './qualification.input';
import { toQualification } from './qualification.mapper';

/** Fields a client may clear with an explicit null; a null for any other means "leave as it is". */
const CLEARABLE = new Set(['nqfLevel', 'escoOccupation']);

/** Sort key and search text of a record, as every write computes them (bulk loaders reuse it). */
export function indexText(
  record: Pick<QualificationRecord, 'id' | 'titles' | 'descriptions'>,
): Pick<QualificationRecord, 'sortKey' | 'searchText'> {
  return {
    sortKey: sortKeyOf(pickText(record.titles, 'en') ?? record.id),
    searchText: foldText(
      [record.id, ...record.titles.map((t) => t.value), ...record.descriptions.map((t) => t.value)].join(' '),
    ),
  };
}

export async function createQualification(
  context: QualificationsContext,
  input: CreateQualificationInput,
): Promise<Qualification> {
  const caller = requireStaffRole(context, context.institution, 'coordinator', 'create its qualifications');
  validateCreateQualification(input);
  return writePublicData(context.db, async (manager) => {
    if (await manager.existsBy(QualificationRecord, { id: input.localId })) {
      throw new ConflictError(
        `Qualification ${entityId(context.institution, input.localId)} exists already: localId must be new`,
        {
          field: 'input.localId',
        },
      );
    }
    const now = new Date();
    const fields = {
      id: input.localId,
      titles: input.titles,
      descriptions: input.descriptions,
      eqfLevel: input.eqfLevel,
      nqfLevel: input.nqfLevel ?? null,
      iscedCode: input.iscedCode,
      ecvetPoints: input.ecvetPoints,
      escoOccupation: input.escoOccupation ?? null,
      status: LifecycleStatus.ACTIVE,
      createdAt: now,
      updatedAt: now,
    };
    const record = manager.create(QualificationRecord, { ...fields, ...indexText(fields) });
    await manager.insert(QualificationRecord, record);
    await recordAudit(manager, context, caller, {
      action: 'createQualification',
      entityId: entityId(context.institution, record.id),
      input,
    });
    return toQualification(record, context.institution);
  });
}

export async function updateQualification(
  context: QualificationsContext,
  id: string,
  input: UpdateQualificationInput,
): Promise<Qualification> {
  const caller = requireStaffRole(context, context.institution, 'coordinator', 'change its qualifications');
  validateUpdateQualification(input);
  const localId = ownLocalId(context.institution, id);
  return writePublicData(context.db, async (manager) => {
    const record = localId === null ? null : await manager.findOneBy(QualificationRecord, { id: localId });
    if (!record) throw new NotFoundError(`No qualification ${id} at ${context.institution}`, { field: 'id' });
    if (input.ecvetPoints !== undefined) {
      const active = await manager.sum(UnitRecord, 'ecvetPoints', {
        qualificationId: record.id,
        status: LifecycleStatus.ACTIVE,
      });
      if ((active ?? 0) > input.ecvetPoints) {
        throw new ConflictError(
          `input.ecvetPoints ${input.ecvetPoints} is less than the ${active} points of the qualification's active units`,
          { field: 'input.ecvetPoints' },
        );
      }
    }
    const changes = Object.fromEntries(
      Object.entries(input).filter(([key, value]) => value !== undefined && (value !== null || CLEARABLE.has(key))),
    );
    Object.assign(record, changes, { updatedAt: new Date() });
    Object.assign(record, indexText(record));
    await manager.save(QualificationRecord, record);
    await recordAudit(manager, context, caller, { action: 'updateQualification', entityId: id, input });
    return toQualification(record, context.institution);
  });
}
