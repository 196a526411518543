import type { GradingScale } from '../../../schema/grading-scale';
import { ownLocalId } from '../../shared/local-id';
import type { QualificationsContext } from '../context';
import { GradingScaleRecord } from './grading-scale.entity';
import { toGradingScale } from './grading-scale.mapper';

export async function resolveGradingScaleReference(
  reference: Pick<GradingScale, 'id'>,
  context: QualificationsContext,
): Promise<GradingScale | null> {
  const localId = ownLocalId(context.institution, reference.id);
  if (localId === null) return null;
  const record = await context.db.dataSource.manager.findOneBy(GradingScaleRecord, { id: localId });
  return record ? toGradingScale(record, context.institution) : null;
}
