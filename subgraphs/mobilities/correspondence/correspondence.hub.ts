import { BadUserInputError, ConflictError, NotFoundError } from '../../../schema/errors';
import { ownerOf } from '../../../schema/ids';
import { CorrespondenceCoverage, RecognitionTargetSource } from '../../../schema/mobility/correspondence';
import type { MobilitiesContext } from '../context';
import type { AgreementTermsInput } from '../learning-agreement/learning-agreement.input';
import type { StoredCorrespondence, StoredRecognitionTarget } from './correspondence.entity';
import { checkCoverage, type RecognitionTargetInput, type UnitCorrespondenceInput } from './correspondence.input';

interface HubUnit {
  id: string;
  status: string;
  qualification: { id: string };
  learningOutcomes: Array<{ id: string }>;
}

function requireHub(context: MobilitiesContext): NonNullable<MobilitiesContext['hub']> {
  if (!context.hub)
    throw new ConflictError(
      'This shard was started without HUB_URL, so it cannot check unit correspondences against the units',
    );
  return context.hub;
}

/** Units by hub ID, read from their owners through the hub in one request; a unit nobody has is missing from the map. */
async function unitsFromHub(context: MobilitiesContext, ids: readonly string[]): Promise<Map<string, HubUnit>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const fields = unique
    .map((_, i) => `u${i}: unit(id: $u${i}) { id status qualification { id } learningOutcomes { id } }`)
    .join('\n');
  const answer = await requireHub(context).request<Record<string, HubUnit | null>>(
    `query CorrespondenceUnits(${unique.map((_, i) => `$u${i}: ID!`).join(', ')}) { ${fields} }`,
    Object.fromEntries(unique.map((id, i) => [`u${i}`, id])),
  );
  if (!answer.data)
    throw new ConflictError(`Cannot read units through the hub: ${answer.errors.map((e) => e.message).join('; ')}`);
  return new Map(Object.values(answer.data).flatMap((unit) => (unit ? [[unit.id, unit] as const] : [])));
}

function requireUnit(units: Map<string, HubUnit>, field: string, id: string): HubUnit {
  const unit = units.get(id);
  if (!unit) throw new NotFoundError(`${field}: no unit ${id} in the federation`, { field });
  return unit;
}

/** Named outcomes must be outcomes of one of the named home units. */
function checkOutcomes(field: string, homeUnits: readonly HubUnit[], outcomeIds: readonly string[]): void {
  const outcomes = new Set(homeUnits.flatMap((unit) => unit.learningOutcomes.map((o) => o.id)));
  outcomeIds.forEach((id, index) => {
    if (!outcomes.has(id))
      throw new BadUserInputError(
        `${field}.homeOutcomeIds[${index}] ${id} is not a learning outcome of the named home units (${homeUnits.map((u) => u.id).join(', ')})`,
        `${field}.homeOutcomeIds[${index}]`,
      );
  });
}

/** `compareUnits` scores of the one-to-one lines, as evidence; a line the hub cannot compare keeps a null score. */
async function comparisonScores(
  context: MobilitiesContext,
  lines: readonly UnitCorrespondenceInput[],
): Promise<Array<number | null>> {
  const pairs = lines.flatMap((line, index) =>
    line.hostUnitIds.length === 1 && line.homeUnitIds.length === 1
      ? [{ index, a: line.hostUnitIds[0] ?? '', b: line.homeUnitIds[0] ?? '' }]
      : [],
  );
  const scores: Array<number | null> = lines.map(() => null);
  // One request per pair: compareUnits is non-null, so one pair the hub cannot compare would null all of them.
  await Promise.all(
    pairs.map(async ({ index, a, b }) => {
      const answer = await requireHub(context).request<{ compareUnits: { score: number } | null }>(
        'query CorrespondenceScore($a: ID!, $b: ID!) { compareUnits(a: $a, b: $b) { score } }',
        { a, b },
      );
      scores[index] = answer.data?.compareUnits?.score ?? null;
    }),
  );
  return scores;
}

/**
 * The rules that need the units' owners: every unit exists and is covered by the memorandum (its qualification or
 * itself), the home units belong to a covered qualification, named outcomes belong to the named home units.
 */
export async function checkCorrespondencesAgainstHub(
  context: MobilitiesContext,
  lines: readonly UnitCorrespondenceInput[],
  covered: { qualificationIds: readonly string[]; unitIds: readonly string[] },
): Promise<StoredCorrespondence[]> {
  if (lines.length === 0) return [];
  const units = await unitsFromHub(
    context,
    lines.flatMap((line) => [...line.hostUnitIds, ...line.homeUnitIds]),
  );
  const qualifications = new Set(covered.qualificationIds);
  lines.forEach((line, index) => {
    const field = `input.correspondences[${index}]`;
    line.hostUnitIds.forEach((id, at) => {
      const unit = requireUnit(units, `${field}.hostUnitIds[${at}]`, id);
      if (!qualifications.has(unit.qualification.id) && !covered.unitIds.includes(id))
        throw new BadUserInputError(
          `${field}.hostUnitIds[${at}] ${id} is not covered by the memorandum (neither its qualification ${unit.qualification.id} nor the unit is listed)`,
          `${field}.hostUnitIds[${at}]`,
        );
    });
    const homeUnits = line.homeUnitIds.map((id, at) => {
      const unit = requireUnit(units, `${field}.homeUnitIds[${at}]`, id);
      if (!qualifications.has(unit.qualification.id))
        throw new BadUserInputError(
          `${field}.homeUnitIds[${at}] ${id} belongs to ${unit.qualification.id}, which is not a qualification the memorandum covers`,
          `${field}.homeUnitIds[${at}]`,
        );
      return unit;
    });
    checkOutcomes(field, homeUnits, line.homeOutcomeIds);
  });
  const scores = await comparisonScores(context, lines);
  return lines.map((line, index) => ({
    hostUnitIds: line.hostUnitIds,
    homeUnitIds: line.homeUnitIds,
    homeOutcomeIds: line.homeOutcomeIds,
    coverage: line.coverage,
    comparisonScore: scores[index] ?? null,
  }));
}

interface HubMemorandumLines {
  memorandum: { correspondences: StoredCorrespondence[] } | null;
}

/**
 * What each agreed unit will be recognised as: the agreement's own statement (checked: units of the learner's home
 * qualification, outcomes of them), else the memorandum's correspondence for the unit towards that qualification,
 * else the unit itself when it is a unit of the home qualification, else nothing (recognition must then name the
 * home units, with a reason).
 */
export async function recognitionTargets(
  context: MobilitiesContext,
  memorandumId: string,
  homeQualificationId: string,
  terms: AgreementTermsInput,
  field: string,
): Promise<Array<StoredRecognitionTarget | null>> {
  const stated = terms.units.map((unit) => unit.recognisedAs ?? null);
  stated.forEach((target, index) => {
    if (target) checkCoverage(`${field}.units[${index}].recognisedAs`, target);
  });
  const lines =
    ownerOf(memorandumId) && terms.units.some((_, index) => !stated[index])
      ? ((
          await requireHub(context).request<HubMemorandumLines>(
            'query AgreementCorrespondences($m: ID!) { memorandum(id: $m) { correspondences { hostUnitIds homeUnitIds homeOutcomeIds coverage comparisonScore } } }',
            { m: memorandumId },
          )
        ).data?.memorandum?.correspondences ?? [])
      : [];
  const units = await unitsFromHub(context, [
    ...terms.units.map((unit) => unit.unitId),
    ...stated.flatMap((target) => target?.homeUnitIds ?? []),
    // Only the lines of agreed units: a large table must not push the request over the hub's root-field limit.
    ...lines
      .filter((line) => terms.units.some((agreed) => line.hostUnitIds.includes(agreed.unitId)))
      .flatMap((line) => line.homeUnitIds),
  ]);
  const ofHome = (id: string) => units.get(id)?.qualification.id === homeQualificationId;
  return terms.units.map((agreed, index) => {
    const target: RecognitionTargetInput | null = stated[index] ?? null;
    if (target) {
      const at = `${field}.units[${index}].recognisedAs`;
      const homeUnits = target.homeUnitIds.map((id, i) => {
        const unit = requireUnit(units, `${at}.homeUnitIds[${i}]`, id);
        if (unit.qualification.id !== homeQualificationId)
          throw new BadUserInputError(
            `${at}.homeUnitIds[${i}] ${id} is not a unit of the learner's home qualification ${homeQualificationId}`,
            `${at}.homeUnitIds[${i}]`,
          );
        return unit;
      });
      checkOutcomes(at, homeUnits, target.homeOutcomeIds);
      return { ...target, source: RecognitionTargetSource.AGREEMENT };
    }
    const line = lines.find((l) => l.hostUnitIds.includes(agreed.unitId) && l.homeUnitIds.every(ofHome));
    if (line)
      return {
        homeUnitIds: line.homeUnitIds,
        homeOutcomeIds: line.homeOutcomeIds,
        coverage: line.coverage,
        source: RecognitionTargetSource.MEMORANDUM,
      };
    if (ofHome(agreed.unitId)) {
      const all = units.get(agreed.unitId)?.learningOutcomes.map((o) => o.id) ?? [];
      const part = agreed.learningOutcomeIds.length > 0 && agreed.learningOutcomeIds.length < all.length;
      return {
        homeUnitIds: [agreed.unitId],
        homeOutcomeIds: part ? agreed.learningOutcomeIds : [],
        coverage: part ? CorrespondenceCoverage.PARTIAL : CorrespondenceCoverage.FULL,
        source: RecognitionTargetSource.SAME_UNIT,
      };
    }
    return null;
  });
}
