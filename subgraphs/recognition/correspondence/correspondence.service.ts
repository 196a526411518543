import { BadUserInputError, NotFoundError } from '../../../schema/errors';
import { malformedIdMessage, parseEntityId } from '../../../schema/ids';
import { CorrespondenceCoverage } from '../../../schema/mobility/correspondence';
import { ref } from '../../../schema/mobility/references';
import { CorrespondenceSuggestion } from '../../../schema/recognition/correspondence';
import { RecognitionUnitRef } from '../../../schema/recognition/references';
import { toComparison } from '../comparability/comparability.service';
import { loadEscoIndex } from '../comparability/esco.lookup';
import { hubUnits } from '../comparability/hub-units';
import { compareProfiles, skillsOf, type UnitProfile } from '../comparability/score';
import type { RecognitionContext } from '../context';
import { qualificationsFromHub } from '../hub';

export const DEFAULT_SUGGESTION_MIN_SCORE = 0.3;
export const DEFAULT_SUGGESTIONS = 5;
export const MAX_SUGGESTIONS = 50;
/** A score from which the host unit is suggested as standing for the whole home unit. */
export const FULL_COVERAGE_SCORE = 0.75;

function checkArguments(hostUnitId: string, homeQualificationId: string, minScore: number, first: number): void {
  if (!parseEntityId(hostUnitId))
    throw new BadUserInputError(malformedIdMessage('hostUnitId', hostUnitId), 'hostUnitId');
  if (!parseEntityId(homeQualificationId))
    throw new BadUserInputError(malformedIdMessage('homeQualificationId', homeQualificationId), 'homeQualificationId');
  if (!Number.isFinite(minScore) || minScore < 0 || minScore > 1)
    throw new BadUserInputError(`minScore must be between 0 and 1 (got ${minScore})`, 'minScore');
  if (!Number.isInteger(first) || first < 1 || first > MAX_SUGGESTIONS)
    throw new BadUserInputError(`first must be between 1 and ${MAX_SUGGESTIONS} (got ${first})`, 'first');
}

/**
 * `Query.suggestCorrespondences`: every active unit of the home qualification compared with the host unit as
 * `compareUnits` does, best first; public data only, so any recognition shard answers.
 */
export async function suggestCorrespondences(
  context: RecognitionContext,
  hostUnitId: string,
  homeQualificationId: string,
  minScore: number,
  first: number,
): Promise<CorrespondenceSuggestion[]> {
  checkArguments(hostUnitId, homeQualificationId, minScore, first);
  const loaders = hubUnits(context);
  const [host, qualifications] = await Promise.all([
    loaders.unit.load(hostUnitId),
    qualificationsFromHub(context, [homeQualificationId]),
  ]);
  if ('missing' in host) throw new NotFoundError(`No unit ${hostUnitId}: ${host.missing}`, { field: 'hostUnitId' });
  const qualification = qualifications.get(homeQualificationId);
  if (!qualification)
    throw new NotFoundError(`No qualification ${homeQualificationId}`, { field: 'homeQualificationId' });
  const homeUnits = (
    await loaders.unit.loadMany(qualification.units.filter((u) => u.status === 'ACTIVE').map((u) => u.id))
  ).filter((unit): unit is UnitProfile => !(unit instanceof Error) && !('missing' in unit));
  const esco = await loadEscoIndex(context.db, [...skillsOf(host), ...homeUnits.flatMap(skillsOf)]);
  return homeUnits
    .map((home) => ({ home, figures: compareProfiles(host, home, esco.broaderOf) }))
    .filter(({ figures }) => figures.score >= minScore)
    .sort((x, y) => y.figures.score - x.figures.score || (x.home.id < y.home.id ? -1 : 1))
    .slice(0, first)
    .map(({ home, figures }) =>
      Object.assign(new CorrespondenceSuggestion(), {
        hostUnitId,
        homeUnitId: home.id,
        homeUnit: ref(RecognitionUnitRef, home.id),
        score: figures.score,
        suggestedCoverage:
          figures.score >= FULL_COVERAGE_SCORE && host.ecvetPoints >= home.ecvetPoints
            ? CorrespondenceCoverage.FULL
            : CorrespondenceCoverage.PARTIAL,
        comparison: toComparison(host, home, figures, esco),
      }),
    );
}
