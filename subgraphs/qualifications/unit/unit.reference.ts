import type { Unit } from '../../../schema/unit';
import type { QualificationsContext } from '../context';
import { ownLocalId } from '../../shared/local-id';
import { toUnit } from './unit.mapper';

export async function resolveUnitReference(
  reference: Pick<Unit, 'id'>,
  context: QualificationsContext,
): Promise<Unit | null> {
  const localId = ownLocalId(context.institution, reference.id);
  if (localId === null) return null;
  const record = await context.loaders.unit.load(localId);
  return record ? toUnit(record, context.institution) : null;
}
