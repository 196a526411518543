import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { ErrorCode } from '../../schema/errors';
import type { EntityCache } from '../cache';
import type { Catalogue } from '../catalogue';
import type { HubContext } from '../context';
import type { Registry } from '../registry/registry';
import { answerFromCatalogue } from './catalogue-step';
import { planFetch } from './planner';
import type { RoutingTable } from './routing-table';
import { runPlan } from './run-plan';
import { createShardCaller, type ShardCallerOptions } from './shard-call';
import { isIncomingOperation } from './shard-client';

export type { ShardCallEvent } from './shard-call';

type ProcessOptions = GraphQLDataSourceProcessOptions<HubContext>;

export interface OwnerRoutingOptions extends ShardCallerOptions {
  kind: string;
  registry: Registry;
  rules: RoutingTable;
  /** The entity cache for public types; none: every call goes to its shard. */
  cache?: EntityCache;
  /** The catalogue that answers lists and searches; none: they fan out to every shard. */
  catalogue?: Catalogue;
}

const NO_OPEN_CIRCUITS: ReadonlySet<string> = new Set();

/**
 * The hub's routing data source for one subgraph kind: federation routes by type, this routes by owner.
 * Each fetch is planned (`planFetch`: which shard answers what) and the plan run against the shards
 * (`runPlan`). It never throws: a failing shard costs only its own data, reported in errors that name the
 * institution and the cause.
 */
export class OwnerRoutingDataSource implements GraphQLDataSource<HubContext> {
  constructor(private readonly options: OwnerRoutingOptions) {}

  async process(options: ProcessOptions): Promise<GatewayGraphQLResponse> {
    try {
      if (!isIncomingOperation(options)) return await this.anyShard(options);
      const { kind, registry, rules, resilience, cache, catalogue } = this.options;
      const shards = registry.shards(kind);
      const openCircuits = resilience
        ? new Set(shards.filter((shard) => resilience.circuitOf(shard) === 'open').map((shard) => shard.institution))
        : NO_OPEN_CIRCUITS;
      const { context, request } = options;
      const fetch = { query: request.query ?? '', variables: request.variables ?? {} };
      const view = { kind, shards, rules, openCircuits };
      const plan = planFetch(fetch, view, {
        institution: context.caller?.institution ?? null,
        authError: context.authError,
      });
      const env = {
        shards: createShardCaller(this.options, options),
        cache: cache ? { cache, context } : undefined,
        catalogue: catalogue ? { catalogue, context } : undefined,
      };
      if (plan.type === 'query') {
        const answered = await answerFromCatalogue(env.catalogue, fetch, plan, view, (entities) =>
          runPlan(env, entities),
        );
        if (answered) return answered;
      }
      return await runPlan(env, plan);
    } catch (error) {
      return {
        errors: [
          {
            message: (error as Error).message,
            extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, kind: this.options.kind },
          },
        ],
      };
    }
  }

  /** Health checks and schema loads: any shard of the kind answers. */
  private async anyShard(options: ProcessOptions): Promise<GatewayGraphQLResponse> {
    const shard = this.options.registry.shards(this.options.kind)[0];
    if (!shard) return { errors: [{ message: `No institution runs a ${this.options.kind} shard` }] };
    return this.options.shardSource(shard).process(options);
  }
}
