import type { RunningGateway } from '../../gateway';
import { ownerOf } from '../../schema/ids';
import type { GraphQLAnswer, TestHub } from './hub';

/** The entity cache serves nothing before it follows its shards' change feeds: wait until it does. */
export async function feedsCurrent(
  gateway: RunningGateway,
  kinds: readonly string[] = ['qualifications'],
): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const states = gateway.entityCache?.feeds.states().filter((state) => kinds.includes(state.kind)) ?? [];
    if (states.length > 0 && states.every((state) => state.current)) return;
    if (Date.now() > deadline) throw new Error(`change feeds not followed: ${JSON.stringify(states)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Renames a unit at its qualifications shard itself, as that institution's coordinator, not through any
 * gateway: only the shard's change feed tells a cache. Throws if the shard refuses.
 */
export async function renameUnitAtShard(hub: TestHub, id: string, title: string): Promise<void> {
  const institution = ownerOf(id) ?? '';
  const operation = {
    query:
      'mutation($id: ID!, $title: String!) { updateUnit(id: $id, input: { titles: [{ lang: "en", value: $title }] }) { id } }',
    variables: { id, title },
  };
  const headers = await hub.signHop({
    institution,
    caller: { institution, roles: ['coordinator'], learnerId: null, subject: 'direct' },
    operation,
  });
  const response = await fetch(hub.shards.get(institution)?.url as string, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(operation),
  });
  const body = (await response.json()) as GraphQLAnswer['body'];
  if (body.errors) throw new Error(`the shard refused the rename: ${JSON.stringify(body.errors)}`);
}
