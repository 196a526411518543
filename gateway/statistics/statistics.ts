import type { IncomingMessage } from 'node:http';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { LocalGraphQLDataSource, type GraphQLDataSource } from '@apollo/gateway';
import type { ApolloServerPlugin, GraphQLRequestContext } from '@apollo/server';
import {
  GraphQLError,
  Kind,
  OperationTypeNode,
  type DocumentNode,
  type ExecutionResult,
  type FormattedExecutionResult,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { BadUserInputError, ForbiddenError, UnauthenticatedError } from '../../schema/errors';
import type { Logger } from '../../platform/logger';
import { isCountryCode } from '../../schema/scalars';
import { checkMonth } from '../../schema/statistics-period';
import type { HubContext } from '../context';
import type { GatewayPart } from '../part';
import type { Registry } from '../registry/registry';
import { readBatch, type BaseBatch } from './batch';
import { useStatisticsExport } from './export';
import { keepAnswers } from './kept-answers';
import { keepPeriods } from './kept-periods';
import { useStatisticsLive, type LocalSubscribe } from './live';
import {
  GROUP_DIMENSIONS,
  mergePrepared,
  prepareBaseCells,
  SUPPRESSION_THRESHOLD,
  unitsOf,
  type BaseCell,
  type GroupDimension,
  type PreparedCells,
  type UnitClass,
} from './merge';
import { useOverviewPage } from './overview';
import { buildStatisticsSchema, type StatisticsArgs } from './schema';

export interface StatisticsOptions {
  registry: Registry;
  /** Runs a query through the supergraph, as for `POST /graphql`: the fan-out to the shards goes this way. */
  execute: (query: string, variables: Record<string, unknown>, context: HubContext) => Promise<ExecutionResult>;
  /** The context of a plain HTTP request (the export downloads). */
  contextOf: (request: IncomingMessage) => Promise<HubContext>;
  /** Where a shard's batch the hub refused is reported: its institution is only named missing in the answer. */
  log: Logger;
  /** How long after a write live statistics are recounted (see live.ts). @default DEFAULT_STATISTICS_DEBOUNCE_MS */
  debounceMs?: number;
  /** Fewest learners a base cell needs to count in any figure (merge.ts); at least 1. @default SUPPRESSION_THRESHOLD */
  suppressionThreshold?: number;
  /**
   * How long the shards' base cells for a period are reused by later requests (any grouping, any agency), counted
   * from the start of their fan-out. A period read since its last count is recounted in the background after three
   * quarters of this, the previous count answering meanwhile; a write through this gateway starts a recount at once
   * and requests after it wait for that; writes through other replicas are seen within this bound. Only the 16
   * periods asked most recently are kept (kept-periods.ts). 0: every request fans out. @default DEFAULT_STATISTICS_CACHE_MS
   */
  cacheMs?: number;
}

export const DEFAULT_STATISTICS_CACHE_MS = 30_000;

interface FanOutAnswer {
  /** The shards' base cells, prepared once for every merge that reuses them. */
  cells: PreparedCells;
  errors: NonNullable<ExecutionResult['errors']>;
}

/** What an agency token may ask for: aggregates, and the type names and introspection any client may. */
const AGENCY_FIELDS = new Set(['ecvetStatistics', '__typename', '__schema', '__type']);
/** The shards' raw base cells: only the hub's own fan-out reads them, never a client. */
const BASE_FIELDS = new Set(['mobilityStatisticsBase', 'recognitionStatisticsBase']);

/** One query for many units' field and level: public data, read through the supergraph from their owners. */
function unitQuery(ids: readonly string[]): string {
  const variables = ids.map((_, index) => `$u${index}: ID!`).join(', ');
  const fields = ids.map((_, index) => `u${index}: unit(id: $u${index}) { eqfLevel qualification { iscedCode } }`);
  return `query(${variables}) { ${fields.join(' ')} }`;
}
const FAN_OUT = `query($from: String, $to: String) {
  m: mobilityStatisticsBase(from: $from, to: $to) { institution count cells }
  r: recognitionStatisticsBase(from: $from, to: $to) { institution count cells }
}`;

function rootFields(operation: OperationDefinitionNode, fragments: Map<string, SelectionSetNode>): string[] {
  const names: string[] = [];
  const collect = (set: SelectionSetNode) => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) names.push(selection.name.value);
      else if (selection.kind === Kind.INLINE_FRAGMENT) collect(selection.selectionSet);
      else {
        const fragment = fragments.get(selection.name.value);
        if (fragment) collect(fragment);
      }
    }
  };
  collect(operation.selectionSet);
  return names;
}

// Apollo keeps one parsed document per query text: its operations' root fields are worked out once, not per request.
const knownRootFields = new WeakMap<OperationDefinitionNode, readonly string[]>();
function rootFieldsOf(document: DocumentNode, operation: OperationDefinitionNode): readonly string[] {
  let fields = knownRootFields.get(operation);
  if (!fields) {
    const fragments = new Map(
      document.definitions.flatMap((definition) =>
        definition.kind === Kind.FRAGMENT_DEFINITION ? [[definition.name.value, definition.selectionSet]] : [],
      ),
    );
    fields = rootFields(operation, fragments);
    knownRootFields.set(operation, fields);
  }
  return fields;
}

/** Root fields whose answers are the same for the same agency, operation and variables over the same base cells. */
const KEPT_FIELDS = new Set(['ecvetStatistics', '__typename']);

/** An agency's query of statistics alone: its answer may be kept (kept-answers.ts), under this key. */
function keptAnswerKey({ document, operation, contextValue, queryHash, request }: GraphQLRequestContext<HubContext>) {
  const caller = contextValue.caller;
  if (!document || !operation || operation.operation !== OperationTypeNode.QUERY) return null;
  if (!caller?.roles.includes('agency') || contextValue.statisticsFanOut) return null;
  if (!rootFieldsOf(document, operation).every((field) => KEPT_FIELDS.has(field))) return null;
  return JSON.stringify([caller.institution, queryHash, request.operationName ?? null, request.variables ?? {}]);
}

/**
 * Refuses every record to agency tokens (they read aggregates only) and the shards' base cells to every client
 * (only suppressed merges leave the hub), before anything reaches a shard.
 */
function statisticsGate(): ApolloServerPlugin<HubContext> {
  return {
    requestDidStart: async () => ({
      async didResolveOperation({ document, operation, contextValue }) {
        if (!operation) return;
        if (contextValue.statisticsFanOut) return;
        const fields = rootFieldsOf(document, operation);
        const base = fields.find((field) => BASE_FIELDS.has(field));
        if (base) throw new ForbiddenError(`${base} is read by the hub only; ask ecvetStatistics`);
        if (!contextValue.caller?.roles.includes('agency')) return;
        const record = fields.find((field) => !AGENCY_FIELDS.has(field));
        if (operation.operation !== OperationTypeNode.QUERY || record) {
          throw new ForbiddenError(
            `An agency token reads aggregates only (ecvetStatistics), not ${record ?? `a ${operation.operation}`}`,
          );
        }
      },
    }),
  };
}

interface Scope {
  from: string | null;
  to: string | null;
  institutions: string[];
  groupBy: GroupDimension[];
}

/** Who may ask, and what the arguments cover; every refusal names the argument and the rule. */
function scopeOf(args: StatisticsArgs, context: HubContext, registry: Registry): Scope {
  const caller = context.caller;
  if (!caller) throw new UnauthenticatedError(context.authError ?? 'ecvetStatistics needs an agency token');
  const overseen = caller.roles.includes('agency') ? registry.agencyCountries(caller.institution) : null;
  if (!overseen) throw new ForbiddenError('Only a national agency reads ecvetStatistics');
  const from = checkMonth(args.filter?.from, 'filter.from');
  const to = checkMonth(args.filter?.to, 'filter.to');
  if (from !== null && to !== null && from > to)
    throw new BadUserInputError(`filter.from (${from}) must not be after filter.to (${to})`, 'filter.from');
  const countries = args.filter?.countries ?? [...overseen];
  for (const country of countries) {
    if (!isCountryCode(country))
      throw new BadUserInputError(
        `filter.countries: ${JSON.stringify(country)} is not an ISO 3166-1 alpha-2 code`,
        'filter.countries',
      );
    if (!overseen.includes(country))
      throw new ForbiddenError(
        `filter.countries: ${caller.institution} does not oversee ${country} (it oversees ${overseen.join(', ')})`,
      );
  }
  const groupBy = [...new Set(args.groupBy ?? [])].filter((dimension): dimension is GroupDimension =>
    (GROUP_DIMENSIONS as readonly string[]).includes(dimension),
  );
  const institutions = registry.institutions
    .filter((entry) => !entry.agency && countries.includes(entry.country))
    .map((entry) => entry.code);
  return { from, to, institutions, groupBy };
}

/**
 * `ecvetStatistics` and its downloads: the gateway's own subgraph fans the shards' base cells out through the
 * supergraph (so owner routing, signed hops, deadlines and breakers apply), keeps the institutions in scope, merges
 * and suppresses (merge.ts), and names the institutions whose shards did not answer.
 */
export function useStatistics(options: StatisticsOptions): GatewayPart & {
  dataSource: GraphQLDataSource<HubContext>;
  subscribe: LocalSubscribe;
  /** The response text of an answer kept whole (kept-answers.ts), for Apollo Server's `stringifyResult`. */
  keptJson: (result: FormattedExecutionResult) => string | undefined;
} {
  const { registry } = options;
  const threshold = options.suppressionThreshold ?? SUPPRESSION_THRESHOLD;
  if (!Number.isInteger(threshold) || threshold < 1)
    throw new Error(
      `statistics: suppressionThreshold must be a whole number of learners, at least 1, not ${threshold}`,
    );
  const countryOf = (code: string) => registry.institution(code)?.country ?? null;
  const cacheMs = options.cacheMs ?? DEFAULT_STATISTICS_CACHE_MS;
  // Base cells by period: shared by every grouping and agency (scope is applied after), and by concurrent requests.
  const periods = keepPeriods<FanOutAnswer, HubContext>({
    cacheMs,
    complete: (answer) => answer.errors.length === 0,
    fanOut: async (period, context, background) => {
      // A refresh no request waits for runs as the last reader, its deadline counted from now, not from that request.
      const fanOutContext: HubContext = background
        ? { ...context, receivedAt: performance.now(), budgetMs: undefined, statisticsFanOut: true }
        : { ...context, statisticsFanOut: true };
      const result = await options.execute(FAN_OUT, { from: period.from, to: period.to }, fanOutContext);
      const data = (result.data ?? {}) as { m?: BaseBatch[] | null; r?: BaseBatch[] | null };
      const errors = [...(result.errors ?? [])];
      const cells: BaseCell[] = [];
      for (const batch of [...(data.m ?? []), ...(data.r ?? [])]) {
        try {
          // One by one: a spread of a large batch would pass the engine's limit on arguments.
          for (const cell of await readBatch(batch)) cells.push(cell);
        } catch (error) {
          // The answer names the institution only; its operators need the rule the batch broke.
          options.log.warn(
            { institution: batch.institution, reason: (error as Error).message },
            'statistics: a shard batch was refused; its institution is counted missing',
          );
          errors.push(
            new GraphQLError((error as Error).message, {
              extensions: { code: 'SHARD_UNAVAILABLE', institution: batch.institution },
            }),
          );
        }
        // Each shard's batch read in its own turn: requests answered meanwhile wait for one batch, not the fan-out.
        await nextTurn();
      }
      return { cells: prepareBaseCells(cells, countryOf, threshold), errors };
    },
  });
  const answers = keepAnswers<HubContext>({ keyOf: keptAnswerKey });
  // Units' field and level, kept like public data (cacheMs); a unit that could not be read is asked again next time.
  const units = new Map<string, { at: number; unit: UnitClass | null }>();
  const readUnits = async (
    ids: ReadonlySet<string>,
    context: HubContext,
  ): Promise<(id: string) => UnitClass | null> => {
    const now = performance.now();
    const wanted = [...ids].filter((id) => {
      const known = units.get(id);
      return !known || known.unit === null || now - known.at >= cacheMs;
    });
    if (wanted.length > 0) {
      const variables = Object.fromEntries(wanted.map((id, index) => [`u${index}`, id]));
      const result = await options.execute(unitQuery(wanted), variables, { ...context, statisticsFanOut: true });
      const data = (result.data ?? {}) as Record<
        string,
        { eqfLevel: number; qualification: { iscedCode: string } } | null
      >;
      wanted.forEach((id, index) => {
        const unit = data[`u${index}`];
        units.set(id, {
          at: now,
          unit: unit ? { field: unit.qualification.iscedCode, eqfLevel: unit.eqfLevel } : null,
        });
      });
    }
    return (id) => units.get(id)?.unit ?? null;
  };
  const resolve = async (args: StatisticsArgs, context: HubContext) => {
    const scope = scopeOf(args, context, registry);
    const answer = await periods.read(scope, context);
    answers.restsOn(context, () => periods.current(scope, context) === answer);
    const inScope = new Set(scope.institutions);
    const byUnit = scope.groupBy.includes('FIELD') || scope.groupBy.includes('EQF_LEVEL');
    // Units' fields and levels are kept on their own terms (above): an answer grouped by them is made afresh.
    if (byUnit) answers.notKept(context);
    const unitOf = byUnit ? await readUnits(unitsOf(answer.cells, inScope), context) : undefined;
    const missing = new Set<string>();
    for (const error of answer.errors) {
      const institution = error.extensions?.institution;
      if (typeof institution === 'string' && inScope.has(institution)) missing.add(institution);
      // A failure without an institution (a whole kind unreachable) costs every institution in scope.
      else if (typeof institution !== 'string') for (const code of inScope) missing.add(code);
    }
    return {
      cells: mergePrepared(answer.cells, { groupBy: scope.groupBy, institutions: inScope, unitOf }),
      missingInstitutions: [...missing].sort(),
      institutions: scope.institutions,
      suppressionThreshold: threshold,
    };
  };
  const exports = useStatisticsExport({ execute: options.execute, contextOf: options.contextOf });
  const live = useStatisticsLive({
    execute: options.execute,
    debounceMs: options.debounceMs,
    // A write may change any count: the kept periods are recounted at once, and the next request waits for that.
    onWrite: () => periods.written(),
  });
  const overview = useOverviewPage();
  return {
    name: 'statistics',
    plugins: [statisticsGate(), live.plugin, answers.plugin],
    routes: [...exports.routes, ...overview.routes],
    subscribe: live.subscribe,
    keptJson: answers.json,
    stop: async () => {
      periods.stop();
      live.stop();
    },
    dataSource: new LocalGraphQLDataSource<HubContext>(buildStatisticsSchema(resolve)),
  };
}
