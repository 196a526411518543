import type { Institution } from '../../../schema/institution';
import type { QualificationsContext } from '../context';
import { toInstitution } from './institution.mapper';

export async function resolveInstitutionReference(
  reference: Pick<Institution, 'id'>,
  context: QualificationsContext,
): Promise<Institution | null> {
  if (reference.id !== context.institution) return null;
  const record = await context.loaders.institution.load(reference.id);
  return record ? toInstitution(record) : null;
}
