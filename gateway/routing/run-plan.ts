import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { ErrorCode } from '../../schema/errors';
import type { Shard } from '../registry/registry';
import { afterWrite, entitiesFromCache, fillEntities, throughCache, type CacheStep } from './cache-step';
import type { CatalogueStep } from './catalogue-step';
import { mergeConnection } from './fan-out';
import { answersAsAnother, answersForAnother, writesAsAnother } from './own-items';
import type { EntitiesCall, EntitiesPlan, FetchPlan, MutationPlan, QueryCall, QueryPlan } from './plan';
import type { ShardCaller, ShardResult } from './shard-call';
import {
  dedupe,
  failureCause,
  fromShard,
  ForeignItems,
  neverSent,
  shardFailure,
  type ResponseError,
} from './shard-errors';

type Json = Record<string, unknown>;

/** Where a plan runs: the request's shards and, when the hub has them, its entity cache and catalogue. */
export interface RunEnvironment {
  shards: ShardCaller;
  cache?: CacheStep;
  catalogue?: CatalogueStep;
}

/** Most shards that stand in, one after another, for a failed call any shard could answer. */
const MAX_STAND_INS = 2;

const answer = (data: Json, errors: ResponseError[]): GatewayGraphQLResponse =>
  errors.length > 0 ? { data, errors } : { data };

/**
 * Runs a call any shard of the kind could answer; when its shard fails (no answer at all), up to two others
 * whose circuits are not open stand in. Not after a timeout, nor once the request's deadline has passed.
 * The result keeps the first shard's name, under which the plan filed the fields; its failure is the one
 * reported when no stand-in answers.
 */
async function withStandIns(
  env: RunEnvironment,
  call: QueryCall,
  standIns: readonly Shard[],
  run: (shard: Shard) => Promise<ShardResult>,
): Promise<ShardResult> {
  const first = await run(call.shard);
  if (!('failure' in first) || failureCause(first.failure) === 'timeout') return first;
  for (const standIn of standIns.filter((other) => !env.shards.circuitOpen(other)).slice(0, MAX_STAND_INS)) {
    if (env.shards.expired()) break;
    const result = await run(standIn);
    if ('response' in result) return { shard: call.shard, response: result.response, answeredBy: standIn };
  }
  return first;
}

function sendQuery(env: RunEnvironment, call: QueryCall): Promise<ShardResult> {
  const request = { query: call.query, variables: call.variables };
  const run = (shard: Shard) =>
    throughCache(
      env.cache,
      shard,
      request,
      call.cache,
      (cache) => env.shards.call(shard, request, 'query', cache),
      () => env.shards.cacheHit(shard),
    );
  return call.standIns ? withStandIns(env, call, call.standIns, run) : run(call.shard);
}

/** Each shard's answer goes to the fields it owns; fanned-out fields are merged from every shard's answer. */
async function runQuery(env: RunEnvironment, plan: QueryPlan): Promise<GatewayGraphQLResponse> {
  const results = await Promise.all(plan.calls.map((call) => sendQuery(env, call)));
  const data: Json = { ...plan.data };
  const errors = [...plan.errors];
  const fanOutErrors: ResponseError[] = [];
  const fanOutValues = new Map<string, Array<{ institution: string; value: unknown }>>();
  results.forEach((result, i) => {
    const owned = plan.calls[i]?.owned ?? [];
    if ('failure' in result) {
      for (const key of owned) {
        data[key] = null;
        errors.push(shardFailure(result.shard, result.failure, [key]));
      }
      if (plan.fanOuts.length > 0) fanOutErrors.push(shardFailure(result.shard, result.failure, undefined));
      return;
    }
    const answered = (result.response.data ?? {}) as Json;
    for (const key of owned) {
      const claim = plan.byId?.find((one) => one.responseKey === key);
      if (claim && answersAsAnother(answered[key], claim.claims, claim.id)) {
        // The owner answers for the item asked of it: one passing it off as another item, or another member's,
        // gives nothing, named, as a fan-out's impostor does.
        data[key] = null;
        errors.push(shardFailure(result.shard, new ForeignItems(), [key]));
      } else data[key] = answered[key] ?? null;
    }
    const impostor = plan.fanOuts.some(
      (fanOut) =>
        fanOut.claims !== undefined &&
        answersForAnother(answered[fanOut.responseKey], fanOut.claims, result.shard.institution),
    );
    if (impostor) {
      // A shard answers for its own institution only: one that puts another's name or ID on its items (to count,
      // or hide, another member's figures, or show its people or records) loses its whole share of the fan-out,
      // and is named.
      fanOutErrors.push(shardFailure(result.shard, new ForeignItems(), undefined));
    }
    for (const { responseKey } of plan.fanOuts) {
      const list = fanOutValues.get(responseKey) ?? [];
      if (answered[responseKey] != null && !impostor)
        list.push({ institution: result.shard.institution, value: answered[responseKey] });
      fanOutValues.set(responseKey, list);
    }
    for (const error of (result.response.errors ?? []) as ResponseError[]) {
      const head = error.path?.[0];
      if (typeof head === 'string' && owned.includes(head))
        errors.push(fromShard(result.answeredBy ?? result.shard, error));
      else fanOutErrors.push(fromShard(result.shard, error, typeof head === 'string' ? [head] : undefined));
    }
  });
  for (const fanOut of plan.fanOuts) {
    const values = fanOutValues.get(fanOut.responseKey) ?? [];
    if (values.length === 0 && fanOutErrors.length > 0) data[fanOut.responseKey] = null;
    else if (fanOut.merge === 'connection') {
      const shards = values.map((v) => ({ institution: v.institution, value: v.value as Json }));
      data[fanOut.responseKey] = mergeConnection({
        node: fanOut.node,
        fragments: fanOut.fragments,
        first: fanOut.first,
        after: fanOut.after,
        shards,
        cursors: fanOut.cursors,
      });
    } else
      data[fanOut.responseKey] = values.flatMap((v): unknown[] =>
        Array.isArray(v.value) ? (v.value as unknown[]) : [v.value],
      );
  }
  return answer(data, [...errors, ...dedupe(fanOutErrors)]);
}

/**
 * One step after another, in document order; the cache forgets what each write changed, and the catalogue reads
 * it again, before the next.
 */
async function runMutation(env: RunEnvironment, plan: MutationPlan): Promise<GatewayGraphQLResponse> {
  const data: Json = {};
  const errors: ResponseError[] = [];
  for (const step of plan.steps) {
    if ('value' in step) {
      data[step.responseKey] = step.value;
      continue;
    }
    if ('error' in step) {
      data[step.responseKey] = null;
      errors.push(step.error);
      continue;
    }
    const { shard, query, variables } = step.call;
    const result = await env.shards.call(shard, { query, variables }, 'mutation');
    await afterWrite(env.cache, shard, result);
    if (env.catalogue && ('response' in result || !neverSent(result.failure)))
      await env.catalogue.catalogue.afterWrite(shard, 'response' in result ? result.response : null);
    if ('failure' in result) {
      data[step.responseKey] = null;
      errors.push(shardFailure(shard, result.failure, [step.responseKey]));
      continue;
    }
    const value = (result.response.data as Json | null | undefined)?.[step.responseKey] ?? null;
    if (step.claim && writesAsAnother(value, step.claim, shard.institution)) {
      // The write is done (the cache and the catalogue followed it above); its answer, passing another item or
      // member's off as the one written, is not shown.
      data[step.responseKey] = null;
      errors.push(shardFailure(shard, new ForeignItems(), [step.responseKey]));
    } else data[step.responseKey] = value;
    for (const error of (result.response.errors ?? []) as ResponseError[]) errors.push(fromShard(shard, error));
  }
  return answer(data, errors);
}

/** One owner's references: those the cache holds answered from it, the rest asked of the owner's shard. */
async function runEntitiesCall(
  env: RunEnvironment,
  plan: EntitiesPlan,
  call: EntitiesCall,
  results: unknown[],
  errors: ResponseError[],
): Promise<void> {
  const { shard } = call;
  const { responseKey } = plan;
  const misses = await entitiesFromCache(env.cache, call, plan.representations, results);
  const indexes = call.indexes.filter((index) => misses.has(index));
  if (indexes.length === 0) {
    env.shards.cacheHit(shard);
    return;
  }
  const variables =
    indexes.length === call.indexes.length
      ? call.variables
      : { ...call.variables, representations: indexes.map((i) => plan.representations[i]) };
  const looked = indexes.some((index) => misses.get(index));
  const result = await env.shards.call(shard, { query: call.query, variables }, 'query', looked ? 'miss' : 'bypass');
  if ('failure' in result) {
    for (const index of indexes) errors.push(shardFailure(shard, result.failure, [responseKey, index]));
    return;
  }
  const answers = (result.response.data as Json | null | undefined)?.[responseKey];
  if (!Array.isArray(answers) || answers.length !== indexes.length) {
    for (const index of indexes) {
      const message = `The ${shard.kind} shard of ${shard.institution} answered ${indexes.length} references wrongly`;
      errors.push(
        fromShard(shard, {
          message,
          path: [responseKey, index],
          extensions: { code: ErrorCode.SHARD_UNAVAILABLE, cause: 'malformed' },
        }),
      );
    }
  } else {
    // The owner answers for the items asked of it: one passing an item off as another, or as another member's,
    // gives nothing at that place, named, and is not cached.
    const kept: number[] = [];
    answers.forEach((value, j) => {
      const index = indexes[j] as number;
      const representation = plan.representations[index];
      const claims = plan.claims?.get(String(representation?.__typename));
      const id = representation?.id;
      if (claims && typeof id === 'string' && answersAsAnother(value, claims, id)) {
        errors.push(shardFailure(shard, new ForeignItems(), [responseKey, index]));
        return;
      }
      results[index] = value;
      kept.push(j);
    });
    await fillEntities(
      env.cache,
      misses,
      kept.map((j) => indexes[j] as number),
      kept.map((j): unknown => answers[j]),
      result.response,
    );
  }
  for (const error of (result.response.errors ?? []) as ResponseError[]) {
    const [head, position, ...rest] = error.path ?? [];
    const original = typeof position === 'number' ? indexes[position] : undefined;
    errors.push(
      fromShard(shard, error, head !== undefined && original !== undefined ? [head, original, ...rest] : error.path),
    );
  }
}

/** The owners' calls in parallel; answers go back to their original positions and error paths are renumbered to match. */
async function runEntities(env: RunEnvironment, plan: EntitiesPlan): Promise<GatewayGraphQLResponse> {
  const results: unknown[] = plan.representations.map(() => null);
  const errors = [...plan.errors];
  await Promise.all(plan.calls.map((call) => runEntitiesCall(env, plan, call, results, errors)));
  return answer({ [plan.responseKey]: results }, errors);
}

/** Executes a plan against the shards and merges their answers into one response; a failing shard costs only its own data. */
export function runPlan(env: RunEnvironment, plan: FetchPlan): Promise<GatewayGraphQLResponse> {
  if (plan.type === 'mutation') return runMutation(env, plan);
  if (plan.type === 'entities') return runEntities(env, plan);
  return runQuery(env, plan);
}
