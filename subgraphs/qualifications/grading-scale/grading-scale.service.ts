import type { EntityManager } from 'typeorm';
import { BadUserInputError } from '../../../schema/errors';
import { LOCAL_ID_PATTERN } from '../../../schema/ids';
import type { LocalizedText } from '../../../schema/localized-text';
import type { GradingScale } from '../../../schema/grading-scale';
import { entityId } from '../../../schema/ids';
import { requireStaffRole } from '../../shared/access';
import { recordAudit } from '../../shared/audit/audit';
import { writePublicData } from '../../shared/changes/changes';
import { checkPattern, checkTexts } from '../../shared/validation';
import type { QualificationsContext } from '../context';
import { GradingScaleRecord } from './grading-scale.entity';
import type { PublishGradingScaleInput } from './grading-scale.input';
import { toGradingScale } from './grading-scale.mapper';

/** A grading scale as an institution publishes it (the seed format). */
export interface GradingScaleDefinition {
  localId: string;
  titles: LocalizedText[];
  /** Best grade first. */
  grades: Array<{ value: string; labels: LocalizedText[]; share?: number | null }>;
  passGrade: string;
}

/** A scale must be readable and unambiguous: distinct grades, a pass grade among them, shares that add up. */
export function validateGradingScale(scale: GradingScaleDefinition, field = 'gradingScale'): void {
  checkPattern(`${field}.localId`, scale.localId, LOCAL_ID_PATTERN, 'must be 1-64 letters, digits, ".", "_" or "-"');
  checkTexts(`${field}.titles`, scale.titles);
  if (scale.grades.length < 2)
    throw new BadUserInputError(`${field}.grades must list at least two grades`, `${field}.grades`);
  const seen = new Set<string>();
  scale.grades.forEach((grade, index) => {
    const at = `${field}.grades[${index}]`;
    if (grade.value.trim() === '' || grade.value.length > 40)
      throw new BadUserInputError(`${at}.value must be 1-40 characters`, `${at}.value`);
    if (seen.has(grade.value))
      throw new BadUserInputError(`${at}.value "${grade.value}" is listed twice`, `${at}.value`);
    seen.add(grade.value);
    checkTexts(`${at}.labels`, grade.labels);
    if (grade.share !== undefined && grade.share !== null && !(grade.share >= 0 && grade.share <= 100))
      throw new BadUserInputError(`${at}.share must be a percentage from 0 to 100`, `${at}.share`);
  });
  if (!seen.has(scale.passGrade)) {
    throw new BadUserInputError(
      `${field}.passGrade "${scale.passGrade}" is not one of the grades (${[...seen].join(', ')})`,
      `${field}.passGrade`,
    );
  }
  const shares = scale.grades.map((g) => g.share ?? null);
  if (shares.some((s) => s !== null)) {
    const total = shares.reduce<number>((sum, s) => sum + (s ?? 0), 0);
    if (shares.some((s) => s === null) || Math.abs(total - 100) > 0.5)
      throw new BadUserInputError(
        `${field}.grades: shares are given for every grade and add up to 100 (they add up to ${total})`,
        `${field}.grades`,
      );
  }
}

const toRecord = (scale: GradingScaleDefinition) => ({
  id: scale.localId,
  titles: scale.titles.map((t) => ({ lang: t.lang, value: t.value })),
  grades: scale.grades.map((g) => ({
    value: g.value,
    labels: g.labels.map((t) => ({ lang: t.lang, value: t.value })),
    share: g.share ?? null,
  })),
  passGrade: scale.passGrade,
});

/**
 * Publishes a scale of the caller's institution, or replaces it. Agreements that named it keep the copy their
 * versions took, so a replacement changes only agreements proposed after it.
 */
export async function publishGradingScale(
  context: QualificationsContext,
  input: PublishGradingScaleInput,
): Promise<GradingScale> {
  const caller = requireStaffRole(context, context.institution, 'coordinator', 'publish its grading scales');
  validateGradingScale(input, 'input');
  return writePublicData(context.db, async (manager) => {
    const record = manager.create(GradingScaleRecord, toRecord(input));
    await manager.save(GradingScaleRecord, record);
    await recordAudit(manager, context, caller, {
      action: 'publishGradingScale',
      entityId: entityId(context.institution, record.id),
      input,
    });
    return toGradingScale(record, context.institution);
  });
}

/** Adds the scales a shard does not hold yet: a shard seeded before scales existed gains them on its next start. */
export async function addGradingScales(
  manager: EntityManager,
  scales: readonly GradingScaleDefinition[],
): Promise<void> {
  for (const [index, scale] of scales.entries()) {
    validateGradingScale(scale, `gradingScales[${index}]`);
    if (await manager.existsBy(GradingScaleRecord, { id: scale.localId })) continue;
    await manager.insert(GradingScaleRecord, toRecord(scale));
  }
}
