import type { StoredGradingScale } from '../../../schema/grading-scale';
import { ConflictError, NotFoundError } from '../../../schema/errors';
import { ownerOf } from '../../../schema/ids';
import type { MobilitiesContext } from '../context';
import type { AgreedGradingInput } from './grading.input';

interface HubScale {
  id: string;
  institutionId: string;
  titles: StoredGradingScale['titles'];
  grades: StoredGradingScale['grades'];
  passGrade: string;
}

/**
 * The published scales the units name, read through the hub from the hosting institution (it grades, so it must
 * publish the scale); each is copied into the version, so what was signed never changes with the published scale.
 */
export async function fetchAgreedScales(
  context: MobilitiesContext,
  hosting: string,
  units: readonly AgreedGradingInput[],
  field: string,
): Promise<Map<string, StoredGradingScale>> {
  const ids = [...new Set(units.flatMap((u) => (u.gradingScaleId ? [u.gradingScaleId] : [])))];
  const scales = new Map<string, StoredGradingScale>();
  if (ids.length === 0) return scales;
  units.forEach((unit, index) => {
    if (unit.gradingScaleId && ownerOf(unit.gradingScaleId) !== hosting)
      throw new ConflictError(
        `${field}.units[${index}].gradingScaleId ${unit.gradingScaleId} is not a scale of the hosting institution ${hosting}, which grades the unit`,
        { field: `${field}.units[${index}].gradingScaleId` },
      );
  });
  if (!context.hub) throw new ConflictError('This shard was started without HUB_URL, so it cannot read grading scales');
  const query = `query AgreedScales(${ids.map((_, i) => `$g${i}: ID!`).join(', ')}) {
    ${ids.map((_, i) => `g${i}: gradingScale(id: $g${i}) { id institutionId titles { lang value } grades { value labels { lang value } share } passGrade }`).join('\n')}
  }`;
  const answer = await context.hub.request<Record<string, HubScale | null>>(
    query,
    Object.fromEntries(ids.map((id, i) => [`g${i}`, id])),
  );
  ids.forEach((id, i) => {
    const scale = answer.data?.[`g${i}`];
    if (!scale) {
      const index = units.findIndex((u) => u.gradingScaleId === id);
      const why = answer.errors[0]?.message ?? `${hosting} publishes no such scale`;
      throw new NotFoundError(`${field}.units[${index}].gradingScaleId: grading scale ${id} cannot be used: ${why}`, {
        field: `${field}.units[${index}].gradingScaleId`,
      });
    }
    scales.set(id, { id: scale.id, titles: scale.titles, grades: scale.grades, passGrade: scale.passGrade });
  });
  return scales;
}
