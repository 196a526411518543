import { randomUUID } from 'node:crypto';
import type { Caller } from '../../platform/caller';
import type { GraphQLAnswer, TestHub, TestShard } from '../harness/hub';

/** A GraphQL request body as a shard receives it from the gateway. */
export interface ShardCallBody {
  query: string;
  variables?: Record<string, unknown>;
}

/**
 * Calls a shard directly, bypassing the gateway, with a hop the hub itself signed for `caller` (null: a signed
 * call for an anonymous client). Every direct-shard test signs through here, so a change of the hop protocol
 * changes this one function.
 */
export async function signedShardCall(
  hub: TestHub,
  shard: TestShard,
  body: ShardCallBody,
  caller: Caller | null,
): Promise<GraphQLAnswer> {
  const kind = [...hub.mobilityShards.values()].includes(shard)
    ? 'mobilities'
    : [...hub.recognitionShards.values()].includes(shard)
      ? 'recognition'
      : 'qualifications';
  const headers = await hub.signHop({
    institution: shard.institution,
    kind,
    caller,
    requestId: randomUUID(),
    operation: { query: body.query, variables: body.variables ?? null },
  });
  const response = await fetch(shard.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query: body.query, variables: body.variables ?? null }),
  });
  return { status: response.status, body: (await response.json()) as GraphQLAnswer['body'] };
}
