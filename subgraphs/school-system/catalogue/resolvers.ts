import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { BadUserInputError, ForbiddenError, UnauthenticatedError } from '../../../schema/errors';
import { parseEntityId } from '../../../schema/ids';
import {
  CountryCodeScalar,
  DateTimeScalar,
  EcvetPointsScalar,
  EqfLevelScalar,
  EscoOccupationUriScalar,
  EscoSkillUriScalar,
  IscedFieldCodeScalar,
  LanguageCodeScalar,
  LocalDateScalar,
} from '../../../schema/scalars';
import type { Caller } from '../../../platform/caller';
import type { Catalogue, OutcomeRecord, QualificationRecord, Text, UnitRecord } from './catalogue';
import { filterQualifications, filterUnits, page, type QualificationFilter, type UnitFilter } from './search';
import { similarOutcomes } from './similar';
import { pickText, sortKeyOfTitles } from './text';

/** One request's view of the school: its catalogue (read once), the caller, and what the answer was read from. */
export interface SchoolContext {
  institution: string;
  caller: Caller | null;
  catalogue(): Promise<Catalogue>;
  /** Cache tags of every record read (CONTRACT.md, cache-hints). */
  reads: Set<string>;
  /** Set when an answer depended on the caller: it is then private. */
  callerConsulted: boolean;
}

type Args = Record<string, unknown>;
const lang = (args: Args) => (typeof args.lang === 'string' ? args.lang : null);
const byTitle = <T extends { titles: Text[]; localId: string }>(records: T[]) =>
  [...records].sort((a, b) => {
    const [x, y] = [sortKeyOfTitles(a.titles), sortKeyOfTitles(b.titles)];
    return x === y ? (a.localId < b.localId ? -1 : 1) : x < y ? -1 : 1;
  });

/** The local ID of one of this school's records, or null for anyone else's ID or a malformed one. */
function ownLocalId(context: SchoolContext, id: unknown): string | null {
  const parsed = typeof id === 'string' ? parseEntityId(id) : null;
  return parsed && parsed.institution === context.institution ? parsed.localId : null;
}

async function unitOf(context: SchoolContext, id: unknown): Promise<UnitRecord | null> {
  const localId = ownLocalId(context, id);
  const unit = localId ? ((await context.catalogue()).units.get(localId) ?? null) : null;
  if (localId) context.reads.add(`Unit:${localId}`);
  return unit;
}

async function qualificationOf(context: SchoolContext, localId: string | null): Promise<QualificationRecord | null> {
  if (!localId) return null;
  context.reads.add(`Qualification:${localId}`);
  return (await context.catalogue()).qualifications.get(localId) ?? null;
}

async function institutionOf(context: SchoolContext, id: unknown) {
  if (id !== context.institution) return null;
  context.reads.add('Institution');
  return (await context.catalogue()).institution ? { id: context.institution } : null;
}

async function outcomeOf(context: SchoolContext, id: unknown): Promise<OutcomeRecord | null> {
  const localId = ownLocalId(context, id);
  const outcome = localId ? ((await context.catalogue()).outcomes.get(localId) ?? null) : null;
  if (outcome) context.reads.add(`Unit:${outcome.unitLocalId}`);
  return outcome;
}

/** The checks of an institution-scoped read for its coordinators (audit trail, blocking findings). */
function requireOwnCoordinator(context: SchoolContext, institution: unknown, what: string): void {
  context.callerConsulted = true;
  if (institution !== context.institution)
    throw new BadUserInputError(`institution ${String(institution)} is not served by this shard`, 'institution');
  const caller = context.caller;
  if (!caller) throw new UnauthenticatedError('This needs a signed-in caller: send a bearer token to the hub');
  if (caller.institution !== context.institution || !caller.roles.includes('coordinator'))
    throw new ForbiddenError(`Only a coordinator of ${context.institution} may ${what}`);
}

/**
 * The school keeps its catalogue in its own system (its staff edit it there; the triggers tell the hub): writes
 * through the hub are refused, as CONTRACT.md allows (writes-refused).
 */
function refuseWrite(_parent: unknown, _args: Args, context: SchoolContext): never {
  throw new ForbiddenError(
    `${context.institution} keeps its qualifications and units in its own school system: change them there, not through the hub`,
  );
}

export function schoolResolvers(): GraphQLResolverMap<SchoolContext> {
  const id = (parent: { localId: string }, _args: Args, context: SchoolContext) =>
    `${context.institution}:${parent.localId}`;
  return {
    EqfLevel: EqfLevelScalar,
    EcvetPoints: EcvetPointsScalar,
    LanguageCode: LanguageCodeScalar,
    CountryCode: CountryCodeScalar,
    IscedFieldCode: IscedFieldCodeScalar,
    LocalDate: LocalDateScalar,
    DateTime: DateTimeScalar,
    EscoSkillUri: EscoSkillUriScalar,
    EscoOccupationUri: EscoOccupationUriScalar,
    Query: {
      institution: (_p, args: Args, context: SchoolContext) => institutionOf(context, args.id),
      institutions: async (_p, _args, context: SchoolContext) => {
        const one = await institutionOf(context, context.institution);
        return one ? [one] : [];
      },
      qualification: (_p, args: Args, context: SchoolContext) => qualificationOf(context, ownLocalId(context, args.id)),
      qualifications: async (_p, args: Args, context: SchoolContext) => {
        context.reads.add('QualificationList');
        const records = filterQualifications(
          await context.catalogue(),
          context.institution,
          args.filter as QualificationFilter | null,
        );
        const result = page(records, args.first as number, args.after as string | null);
        for (const q of result.nodes) context.reads.add(`Qualification:${q.localId}`);
        return result;
      },
      unit: (_p, args: Args, context: SchoolContext) => unitOf(context, args.id),
      units: async (_p, args: Args, context: SchoolContext) => {
        context.reads.add('UnitList');
        const records = filterUnits(await context.catalogue(), context.institution, args.filter as UnitFilter | null);
        const result = page(records, args.first as number, args.after as string | null);
        for (const u of result.nodes) context.reads.add(`Unit:${u.localId}`);
        return result;
      },
      qualificationsAuditTrail: (_p, args: Args, context: SchoolContext) => {
        requireOwnCoordinator(context, args.institution, 'read its audit trail');
        // No write reaches this school through the hub, so its hub trail is empty: its own system keeps its history.
        return page([], args.first as number, args.after as string | null);
      },
      // The school publishes no grading scale through the hub: every scale ID answers as an unknown one.
      gradingScale: () => null,
      similarLearningOutcomes: async (_p, args: Args, context: SchoolContext) => {
        if (args.exceptInstitution === context.institution) return [];
        context.reads.add('UnitList');
        const request = { statement: args.statement as string, lang: args.lang as string, first: args.first as number };
        return similarOutcomes(await context.catalogue(), context.institution, request);
      },
      reviewLearningOutcome: (_p, _args, context: SchoolContext) => {
        throw new ForbiddenError(
          `${context.institution}'s school system does not review learning outcome statements: ask the hub without a token (another member's shard answers)`,
        );
      },
      blockingOutcomeFindings: (_p, args: Args, context: SchoolContext) => {
        requireOwnCoordinator(context, args.institution, 'read its blocking outcome findings');
        // Writes through the hub are refused whole, so no finding is needed to stop one.
        return [];
      },
    },
    Mutation: {
      createQualification: refuseWrite,
      updateQualification: refuseWrite,
      createUnit: refuseWrite,
      updateUnit: refuseWrite,
      retireUnit: refuseWrite,
      publishGradingScale: refuseWrite,
      setBlockingOutcomeFindings: refuseWrite,
    },
    Institution: {
      __resolveReference: (reference: { id: unknown }, context: SchoolContext) => institutionOf(context, reference.id),
      names: async (_p, _args, context: SchoolContext) => (await context.catalogue()).institution?.names ?? [],
      name: async (_p, args: Args, context: SchoolContext) =>
        pickText((await context.catalogue()).institution?.names ?? [], lang(args)),
      country: async (_p, _args, context: SchoolContext) => (await context.catalogue()).institution?.country,
      city: async (_p, _args, context: SchoolContext) => (await context.catalogue()).institution?.city,
      website: async (_p, _args, context: SchoolContext) => (await context.catalogue()).institution?.website ?? null,
      gradingScales: () => [],
      qualifications: async (_p, args: Args, context: SchoolContext) => {
        const all = [...(await context.catalogue()).qualifications.values()].filter(
          (q) => !args.status || q.status === args.status,
        );
        for (const q of all) context.reads.add(`Qualification:${q.localId}`);
        return byTitle(all);
      },
    },
    Qualification: {
      __resolveReference: (reference: { id: unknown }, context: SchoolContext) =>
        qualificationOf(context, ownLocalId(context, reference.id)),
      id,
      title: (parent: QualificationRecord, args: Args) => pickText(parent.titles, lang(args)),
      description: (parent: QualificationRecord, args: Args) => pickText(parent.descriptions, lang(args)),
      units: async (parent: QualificationRecord, _args, context: SchoolContext) => {
        const units = [...(await context.catalogue()).units.values()].filter(
          (u) => u.qualificationLocalId === parent.localId,
        );
        for (const u of units) context.reads.add(`Unit:${u.localId}`);
        return byTitle(units);
      },
      institution: (_p, _args, context: SchoolContext) => institutionOf(context, context.institution),
    },
    Unit: {
      __resolveReference: (reference: { id: unknown }, context: SchoolContext) => unitOf(context, reference.id),
      id,
      title: (parent: UnitRecord, args: Args) => pickText(parent.titles, lang(args)),
      assessmentCriteria: (parent: UnitRecord) => parent.criteria.map((texts) => ({ texts })),
      learningOutcomes: (parent: UnitRecord, args: Args) =>
        parent.outcomes.filter((o) => !args.category || o.category === args.category),
      escoSkills: (parent: UnitRecord) => [...new Set(parent.outcomes.flatMap((o) => o.escoSkills))],
      qualification: (parent: UnitRecord, _args, context: SchoolContext) =>
        qualificationOf(context, parent.qualificationLocalId),
      institution: (_p, _args, context: SchoolContext) => institutionOf(context, context.institution),
    },
    AssessmentCriterion: {
      text: (parent: { texts: Text[] }, args: Args) => pickText(parent.texts, lang(args)),
    },
    LearningOutcome: {
      __resolveReference: (reference: { id: unknown }, context: SchoolContext) => outcomeOf(context, reference.id),
      id,
      statement: (parent: OutcomeRecord, args: Args) => pickText(parent.statements, lang(args)),
      unit: (parent: OutcomeRecord, _args, context: SchoolContext) =>
        unitOf(context, `${context.institution}:${parent.unitLocalId}`),
    },
  };
}
