import { BadUserInputError } from '../../../schema/errors';
import { AssessmentResult } from '../../../schema/mobility/enums';
import type { PublicInstitution, PublicUnit } from '../../shared/documents/hub-data';
import type { StoredOutcomeResult, StoredTranscriptEntry } from '../assessment/assessment.entity';
import type { StoredAgreedUnit } from '../learning-agreement/learning-agreement.entity';
import type { ElmoFile, ElmoIdentifier, ElmoOpportunity, ElmoText } from './elmo.parse';
import { HUB_IDENTIFIER_TYPE } from './elmo';

/** The learning agreement an ELMO file is imported against, with the public data its units are matched by. */
export interface ImportTarget {
  learningAgreementId: string;
  learner: { id: string; name: string; dateOfBirth: string };
  host: PublicInstitution;
  /** The binding version's units, each with the unit as its owner describes it. */
  units: Array<{ agreed: StoredAgreedUnit; unit: PublicUnit }>;
}

/** Accents, case and spacing ignored: "Bērziņa" matches "BERZINA", "MAG  welding" matches "mag welding". */
export function normalize(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/g, ' ').trim();
}

const field = 'document';
const reject = (message: string, extensions: Record<string, unknown> = {}) =>
  new BadUserInputError(message, field, extensions);
const describeIds = (ids: readonly ElmoIdentifier[]) => ids.map((i) => `${i.type} ${i.value}`).join(', ');
const firstTitle = (titles: readonly ElmoText[]) =>
  titles.find((t) => t.lang === 'en')?.value ?? titles[0]?.value ?? '(untitled)';

function learnerProblem(file: ElmoFile, target: ImportTarget): string | null {
  const { learner } = file;
  const name = `${learner.givenNames} ${learner.familyName}`.trim();
  const hubId = learner.identifiers.find((i) => i.type === HUB_IDENTIFIER_TYPE)?.value;
  const sameId = hubId === undefined || hubId === target.learner.id;
  const sameName = normalize(name) === normalize(target.learner.name);
  const sameBirthday = learner.bday === null || learner.bday === target.learner.dateOfBirth;
  if (sameId && sameName && sameBirthday) return null;
  const theirs = `"${name}"${learner.bday ? ` (born ${learner.bday})` : ''}${hubId ? ` [${hubId}]` : ''}`;
  return `the learner ${theirs} is not the agreement's learner "${target.learner.name}" (born ${target.learner.dateOfBirth}) [${target.learner.id}]`;
}

function issuerProblems(file: ElmoFile, target: ImportTarget): string[] {
  return file.reports.flatMap((report) => {
    const codes = report.issuer.identifiers
      .filter((i) => i.type === 'schac' || i.type === HUB_IDENTIFIER_TYPE)
      .map((i) => i.value.toLowerCase());
    const who = `"${firstTitle(report.issuer.titles)}" (${describeIds(report.issuer.identifiers) || 'no identifier'}), line ${report.line}`;
    if (!codes.includes(target.host.id))
      return [
        `the report issuer ${who} is not the hosting institution ${target.host.id} (expected its SCHAC code "${target.host.id}")`,
      ];
    if (report.issuer.country && report.issuer.country.toUpperCase() !== target.host.country) {
      return [
        `the report issuer ${who} is in ${report.issuer.country}, the hosting institution ${target.host.id} in ${target.host.country}`,
      ];
    }
    return [];
  });
}

/** The agreed unit a learning opportunity stands for: by identifier (hub ID or the owner's local ID), else by title. */
function matchUnit(opportunity: ElmoOpportunity, target: ImportTarget): ImportTarget['units'][number] | null {
  const values = new Set(opportunity.identifiers.map((i) => i.value));
  const byId = target.units.find(({ unit }) => values.has(unit.id) || values.has(unit.localId));
  if (byId) return byId;
  const titles = new Set(opportunity.titles.map((t) => normalize(t.value)));
  return target.units.find(({ unit }) => unit.titles.some((t) => titles.has(normalize(t.value)))) ?? null;
}

const ASSESSMENT_RESULTS: ReadonlySet<string> = new Set(Object.values(AssessmentResult));
const isAssessmentResult = (value: string): value is AssessmentResult => ASSESSMENT_RESULTS.has(value);

function entryOf(
  opportunity: ElmoOpportunity,
  agreed: StoredAgreedUnit,
  unit: PublicUnit,
  fallbackDate: string,
): StoredTranscriptEntry {
  const at = `learning opportunity "${firstTitle(opportunity.titles)}" (line ${opportunity.line}, unit ${unit.id})`;
  if (opportunity.status === 'in-progress')
    throw reject(`${at} is still in progress: a transcript reports units passed or failed`, {
      line: opportunity.line,
      unitId: unit.id,
    });
  const achieved = opportunity.status === 'passed';
  const credit = opportunity.credits.find((c) => c.scheme === 'ecvet');
  if (credit && (credit.value === null || !Number.isFinite(credit.value) || credit.value < 0)) {
    throw reject(`${at} gives an ECVET credit without a valid number of points`, {
      line: opportunity.line,
      unitId: unit.id,
    });
  }
  // Outcomes listed without a result were not assessed one by one: only those with a result are read.
  const outcomeResults: StoredOutcomeResult[] = opportunity.outcomes.flatMap((outcome) => {
    if (outcome.result === null) return [];
    if (!agreed.learningOutcomeIds.includes(outcome.id)) {
      throw reject(
        `${at} reports learning outcome ${outcome.id} (line ${outcome.line}), which is not agreed for the unit`,
        { line: outcome.line, unitId: unit.id },
      );
    }
    if (!isAssessmentResult(outcome.result)) {
      throw reject(
        `${at}: learning outcome ${outcome.id} (line ${outcome.line}) has result "${outcome.result}", not ACHIEVED or NOT_ACHIEVED`,
        { line: outcome.line, unitId: unit.id },
      );
    }
    return [{ learningOutcomeId: outcome.id, result: outcome.result }];
  });
  return {
    unitId: unit.id,
    result: achieved ? AssessmentResult.ACHIEVED : AssessmentResult.NOT_ACHIEVED,
    grade: opportunity.grade,
    assessedOn: opportunity.date ?? fallbackDate,
    // As a native transcript: nothing for a unit not achieved; for an achieved one the points the file states,
    // or the agreed points when it states none (validation then compares them with the agreement).
    ecvetPoints: achieved ? (credit?.value ?? agreed.ecvetPoints) : 0,
    outcomeResults,
  };
}

/**
 * Maps an ELMO file onto a learning agreement: the learner and the issuer must be the agreement's, every learning
 * opportunity must be an agreed unit (matched by identifier or title) and every agreed unit must be there. Returns
 * the transcript entries in the agreement's order, or throws BAD_USER_INPUT naming the person, institution or unit.
 */
export function mapElmoToAgreement(file: ElmoFile, target: ImportTarget): StoredTranscriptEntry[] {
  const identity = [learnerProblem(file, target), ...issuerProblems(file, target)].filter(
    (p): p is string => p !== null,
  );
  if (identity.length > 0)
    throw reject(
      `This ELMO file does not belong to learning agreement ${target.learningAgreementId}: ${identity.join('; ')}`,
    );
  const found = new Map<string, StoredTranscriptEntry>();
  for (const report of file.reports) {
    for (const opportunity of report.opportunities) {
      const match = matchUnit(opportunity, target);
      if (!match) {
        const agreed = target.units.map(({ unit }) => unit.id).join(', ');
        throw reject(
          `Learning opportunity "${firstTitle(opportunity.titles)}" (line ${opportunity.line}${opportunity.identifiers.length ? `, ${describeIds(opportunity.identifiers)}` : ''}) is not a unit of learning agreement ${target.learningAgreementId}: neither its identifiers nor its titles match an agreed unit (${agreed})`,
          { line: opportunity.line },
        );
      }
      if (found.has(match.unit.id)) {
        throw reject(
          `Learning opportunity "${firstTitle(opportunity.titles)}" (line ${opportunity.line}) reports unit ${match.unit.id} a second time`,
          { line: opportunity.line, unitId: match.unit.id },
        );
      }
      found.set(match.unit.id, entryOf(opportunity, match.agreed, match.unit, report.issueDate.slice(0, 10)));
    }
  }
  const missing = target.units.filter(({ unit }) => !found.has(unit.id)).map(({ unit }) => unit.id);
  if (missing.length > 0)
    throw reject(
      `The ELMO file does not report every agreed unit: missing ${missing.join(', ')}; a transcript lists every agreed unit`,
      { missing },
    );
  return target.units.map(({ unit }) => found.get(unit.id) as StoredTranscriptEntry);
}
