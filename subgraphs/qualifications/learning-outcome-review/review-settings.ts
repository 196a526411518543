import { BadUserInputError } from '../../../schema/errors';
import { requireStaffRole } from '../../shared/access';
import { recordAudit } from '../../shared/audit/audit';
import type { QualificationsContext } from '../context';
import { OutcomeReviewSettingRecord } from './review-settings.entity';
import { LearningOutcomeFindingCode } from './review.types';

/** Findings an institution cannot make blocking: they say nothing about the statement a coordinator can fix. */
const NEVER_BLOCKING: ReadonlySet<LearningOutcomeFindingCode> = new Set([
  LearningOutcomeFindingCode.LANGUAGE_NOT_CHECKED,
]);

export async function blockingCodesOf(context: QualificationsContext): Promise<LearningOutcomeFindingCode[]> {
  const record = await context.db.dataSource.manager.findOneBy(OutcomeReviewSettingRecord, {
    institution: context.institution,
  });
  const known = new Set<string>(Object.values(LearningOutcomeFindingCode));
  return (record?.blockingCodes.split(',') ?? []).filter((code): code is LearningOutcomeFindingCode => known.has(code));
}

/** Replaces the institution's blocking findings; its coordinators only. */
export async function setBlockingCodes(
  context: QualificationsContext,
  institution: string,
  codes: readonly LearningOutcomeFindingCode[],
): Promise<LearningOutcomeFindingCode[]> {
  const caller = requireStaffRole(context, institution, 'coordinator', 'choose its blocking outcome findings');
  if (institution !== context.institution)
    throw new BadUserInputError(
      `institution must be this shard's (${context.institution}), got ${institution}`,
      'institution',
    );
  const refused = codes.filter((code) => NEVER_BLOCKING.has(code));
  if (refused.length > 0) {
    throw new BadUserInputError(
      `codes may not hold ${refused.join(', ')}: it says nothing a coordinator can fix`,
      'codes',
    );
  }
  const unique = [...new Set(codes)].sort();
  // The setting and its audit entry in one transaction: a setting that changes who may write is a write too.
  await context.db.dataSource.transaction(async (manager) => {
    await manager.save(OutcomeReviewSettingRecord, {
      institution: context.institution,
      blockingCodes: unique.join(','),
      updatedAt: new Date(),
    });
    await recordAudit(manager, context, caller, {
      action: 'setBlockingOutcomeFindings',
      entityId: context.institution,
      input: { codes: unique },
    });
  });
  return unique;
}
