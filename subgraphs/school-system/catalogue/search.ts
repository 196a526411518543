import { decodeShardCursor, encodeShardCursor, compareShardPositions } from '../../../schema/cursor';
import { BadUserInputError } from '../../../schema/errors';
import { parseEntityId } from '../../../schema/ids';
import type { Catalogue, QualificationRecord, UnitRecord } from './catalogue';
import { matchesText, sortKeyOfTitles } from './text';

const MAX_PAGE = 100;
const MAX_TEXT = 200;
const MAX_SKILLS = 20;

interface PointsRange {
  min?: number | null;
  max?: number | null;
}

export interface UnitFilter {
  text?: string | null;
  eqfLevel?: number | null;
  ecvetPoints?: PointsRange | null;
  iscedField?: string | null;
  escoSkills?: string[] | null;
  escoOccupation?: string | null;
  country?: string | null;
  institution?: string | null;
  qualification?: string | null;
  status?: string | null;
}

export interface QualificationFilter {
  text?: string | null;
  eqfLevel?: number | null;
  ecvetPoints?: PointsRange | null;
  iscedField?: string | null;
  escoOccupation?: string | null;
  escoSkill?: string | null;
  country?: string | null;
  institution?: string | null;
  status?: string | null;
}

export interface Page<T> {
  edges: Array<{ cursor: string; node: T }>;
  nodes: T[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}

const inRange = (value: number, range: PointsRange | null | undefined) =>
  (range?.min == null || value >= range.min) && (range?.max == null || value <= range.max);

function checkCommon(filter: { text?: string | null; ecvetPoints?: PointsRange | null } | null | undefined): void {
  if (filter?.text && filter.text.length > MAX_TEXT)
    throw new BadUserInputError(`filter.text must be at most ${MAX_TEXT} characters`, 'filter.text');
  const range = filter?.ecvetPoints;
  if (range?.min != null && range.max != null && range.min > range.max)
    throw new BadUserInputError(
      `filter.ecvetPoints.min (${range.min}) must not exceed filter.ecvetPoints.max (${range.max})`,
      'filter.ecvetPoints',
    );
}

/** Whether the filter's institution and country name this school (they are all it can answer for). */
function isThisSchool(
  catalogue: Catalogue,
  code: string,
  filter: { country?: string | null; institution?: string | null } | null | undefined,
) {
  return (
    (!filter?.institution || filter.institution === code) &&
    (!filter?.country || filter.country === catalogue.institution?.country)
  );
}

export function filterUnits(catalogue: Catalogue, code: string, filter: UnitFilter | null | undefined): UnitRecord[] {
  checkCommon(filter);
  if (filter?.escoSkills && filter.escoSkills.length > MAX_SKILLS)
    throw new BadUserInputError(`filter.escoSkills may name at most ${MAX_SKILLS} skills`, 'filter.escoSkills');
  if (!isThisSchool(catalogue, code, filter)) return [];
  const qualificationId = filter?.qualification ? parseEntityId(filter.qualification) : null;
  if (filter?.qualification && qualificationId?.institution !== code) return [];
  return [...catalogue.units.values()].filter((unit) => {
    const qualification = catalogue.qualifications.get(unit.qualificationLocalId);
    const skills = unit.outcomes.flatMap((o) => o.escoSkills);
    return (
      (!filter?.text ||
        matchesText(filter.text, [
          ...unit.titles.map((t) => t.value),
          ...unit.outcomes.flatMap((o) => o.statements.map((s) => s.value)),
          ...unit.criteria.flatMap((c) => c.map((t) => t.value)),
        ])) &&
      (filter?.eqfLevel == null || unit.eqfLevel === filter.eqfLevel) &&
      inRange(unit.ecvetPoints, filter?.ecvetPoints) &&
      (!filter?.iscedField || qualification?.iscedCode.startsWith(filter.iscedField) === true) &&
      (!filter?.escoSkills?.length || filter.escoSkills.some((skill) => skills.includes(skill))) &&
      (!filter?.escoOccupation || qualification?.escoOccupation === filter.escoOccupation) &&
      (!qualificationId || unit.qualificationLocalId === qualificationId.localId) &&
      (!filter?.status || unit.status === filter.status)
    );
  });
}

export function filterQualifications(
  catalogue: Catalogue,
  code: string,
  filter: QualificationFilter | null | undefined,
): QualificationRecord[] {
  checkCommon(filter);
  if (!isThisSchool(catalogue, code, filter)) return [];
  const units = [...catalogue.units.values()];
  return [...catalogue.qualifications.values()].filter(
    (q) =>
      (!filter?.text ||
        matchesText(
          filter.text,
          [...q.titles, ...q.descriptions].map((t) => t.value),
        )) &&
      (filter?.eqfLevel == null || q.eqfLevel === filter.eqfLevel) &&
      inRange(q.ecvetPoints, filter?.ecvetPoints) &&
      (!filter?.iscedField || q.iscedCode.startsWith(filter.iscedField)) &&
      (!filter?.escoOccupation || q.escoOccupation === filter.escoOccupation) &&
      (!filter?.escoSkill ||
        units.some(
          (u) =>
            u.qualificationLocalId === q.localId &&
            u.outcomes.some((o) => o.escoSkills.includes(filter.escoSkill ?? '')),
        )) &&
      (!filter?.status || q.status === filter.status),
  );
}

/** One page of `records` in the contract's order (folded English title, then local ID) after the cursor `after`. */
export function page<T extends { localId: string; titles: UnitRecord['titles'] }>(
  records: readonly T[],
  first: number,
  after: string | null | undefined,
): Page<T> {
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE)
    throw new BadUserInputError(`first must be between 1 and ${MAX_PAGE} (got ${first})`, 'first');
  const from = after ? decodeShardCursor(after) : null;
  if (after && !from) throw new BadUserInputError(`after "${after}" is not a cursor of this list`, 'after');
  const ordered = records
    .map((record) => ({ record, position: { sortKey: sortKeyOfTitles(record.titles), id: record.localId } }))
    .sort((a, b) => compareShardPositions(a.position, b.position));
  const rest = from ? ordered.filter((entry) => compareShardPositions(entry.position, from) > 0) : ordered;
  const edges = rest
    .slice(0, first)
    .map((entry) => ({ cursor: encodeShardCursor(entry.position), node: entry.record }));
  return {
    edges,
    nodes: edges.map((edge) => edge.node),
    pageInfo: { hasNextPage: rest.length > first, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount: records.length,
  };
}
