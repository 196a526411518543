import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kind, parse, print, type DefinitionNode, type DocumentNode, type TypeNode } from 'graphql';
import { projectRoot } from '../../platform/project-root';
import type { Requirement } from './kit';
import { check, codesOf, dataOf, Skipped, type Probe } from './probe';

/** The codes a shard may put on an error (CONTRACT.md, error-codes). */
export const CONTRACT_CODES = new Set([
  'BAD_USER_INPUT',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
]);

/** Whether a member's type is read by the hub (a field) or sent by it (an argument or input field). */
type Position = 'output' | 'input';
interface Member {
  type: string;
  node?: TypeNode;
  position?: Position;
}

/** The fields, arguments and values a definition declares, each with its type, e.g. "Unit.title(lang)": "LanguageCode". */
function members(definition: DefinitionNode): Map<string, Member> {
  const out = new Map<string, Member>();
  const typed = (node: TypeNode, position: Position): Member => ({ type: print(node), node, position });
  if (
    definition.kind === Kind.OBJECT_TYPE_DEFINITION ||
    definition.kind === Kind.INTERFACE_TYPE_DEFINITION ||
    definition.kind === Kind.OBJECT_TYPE_EXTENSION
  ) {
    for (const field of definition.fields ?? []) {
      out.set(field.name.value, typed(field.type, 'output'));
      for (const arg of field.arguments ?? [])
        out.set(`${field.name.value}(${arg.name.value})`, typed(arg.type, 'input'));
    }
  } else if (definition.kind === Kind.INPUT_OBJECT_TYPE_DEFINITION) {
    for (const field of definition.fields ?? []) out.set(field.name.value, typed(field.type, 'input'));
  } else if (definition.kind === Kind.ENUM_TYPE_DEFINITION) {
    for (const value of definition.values ?? []) out.set(value.name.value, { type: 'value' });
  } else if (definition.kind === Kind.UNION_TYPE_DEFINITION) {
    for (const type of definition.types ?? []) out.set(type.name.value, { type: 'member' });
  }
  return out;
}

/**
 * Whether a shard's declared type serves where the contract's is expected: the same named type and lists, and
 * nullability may be stricter where the hub reads (a field declared non-null where the contract allows null) or
 * looser where the hub sends (an argument that is optional where the contract requires it). So a shard written
 * against an earlier version of the contract stays conformant when the contract only widens what it allows.
 */
function serves(contract: TypeNode, shard: TypeNode, position: Position): boolean {
  const contractNonNull = contract.kind === Kind.NON_NULL_TYPE;
  const shardNonNull = shard.kind === Kind.NON_NULL_TYPE;
  if (contractNonNull !== shardNonNull && (position === 'output' ? contractNonNull : shardNonNull)) return false;
  const c = contract.kind === Kind.NON_NULL_TYPE ? contract.type : contract;
  const s = shard.kind === Kind.NON_NULL_TYPE ? shard.type : shard;
  if (c.kind === Kind.LIST_TYPE || s.kind === Kind.LIST_TYPE) {
    return c.kind === Kind.LIST_TYPE && s.kind === Kind.LIST_TYPE && serves(c.type, s.type, position);
  }
  return c.name.value === s.name.value;
}

function typesOf(document: DocumentNode): Map<string, { kind: string; members: Map<string, Member> }> {
  const types = new Map<string, { kind: string; members: Map<string, Member> }>();
  for (const definition of document.definitions) {
    if (!('name' in definition) || !definition.name || definition.kind === Kind.DIRECTIVE_DEFINITION) continue;
    const name = definition.name.value;
    const kind = definition.kind.replace('Extension', 'Definition');
    const seen = types.get(name);
    const merged = new Map([...(seen?.members ?? []), ...members(definition)]);
    types.set(name, { kind, members: merged });
  }
  return types;
}

/** What `actual` lacks or declares otherwise than `committed` (additions, and nullability that serves, are allowed). */
export function sdlDifferences(committed: string, actual: string): string[] {
  const want = typesOf(parse(committed));
  const have = typesOf(parse(actual));
  const problems: string[] = [];
  for (const [name, type] of want) {
    const other = have.get(name);
    if (!other) {
      problems.push(`type ${name} is missing`);
      continue;
    }
    if (other.kind !== type.kind) problems.push(`${name} is a ${other.kind}, not a ${type.kind}`);
    for (const [member, memberType] of type.members) {
      const found = other.members.get(member);
      if (found === undefined) problems.push(`${name}.${member} is missing`);
      else if (
        found.type !== memberType.type &&
        !(memberType.node && found.node && serves(memberType.node, found.node, memberType.position ?? 'output'))
      ) {
        problems.push(`${name}.${member} is ${found.type}, not ${memberType.type}`);
      }
    }
  }
  return problems;
}

/** The requirements every kind shares; `sample` is a small public query of the kind that must succeed anonymously. */
export function commonRequirements(kind: string, sample: string): Requirement[] {
  const refusedWhole = async (probe: Probe, signing: Parameters<Probe['graphql']>[2], what: string) => {
    const answer = await probe.graphql(sample, null, signing);
    check(answer.status === 401, `${what}: expected HTTP 401, got ${answer.status}`);
    check(
      codesOf(answer).includes('UNAUTHENTICATED'),
      `${what}: expected an UNAUTHENTICATED error, got ${codesOf(answer).join(', ') || 'none'}`,
    );
    check(!answer.body.data, `${what}: it was refused but still answered data`);
  };
  return [
    {
      id: 'health',
      title: 'GET /health names the kind and institution',
      run: async (probe) => {
        const { status, json } = await probe.get('/health');
        check(status === 200, `expected HTTP 200 from /health, got ${status}`);
        const health = (json ?? {}) as Record<string, unknown>;
        check(health.status === 'ok', `expected "status": "ok", got ${JSON.stringify(health.status)}`);
        check(health.kind === kind, `expected "kind": "${kind}", got ${JSON.stringify(health.kind)}`);
        check(
          health.institution === probe.options.institution,
          `expected "institution": "${probe.options.institution}", got ${JSON.stringify(health.institution)}`,
        );
      },
    },
    {
      id: 'sdl',
      title: `_service.sdl declares everything of schema/${kind}.graphql`,
      run: async (probe) => {
        const data = dataOf(await probe.graphql('{ _service { sdl } }'), '_service');
        const sdl = (data._service as { sdl?: unknown } | null)?.sdl;
        check(typeof sdl === 'string', '_service.sdl is not a string');
        const committed = readFileSync(join(projectRoot(), 'schema', `${kind}.graphql`), 'utf8');
        let problems: string[];
        try {
          problems = sdlDifferences(committed, sdl);
        } catch (error) {
          throw new Error(`_service.sdl does not parse: ${(error as Error).message}`);
        }
        check(
          problems.length === 0,
          `the SDL differs from the contract: ${problems.slice(0, 10).join('; ')}${problems.length > 10 ? `; and ${problems.length - 10} more` : ''}`,
        );
      },
    },
    {
      id: 'hop-unsigned',
      title: 'an unsigned call is answered as anonymous (public data)',
      run: async (probe) => {
        dataOf(await probe.graphql(sample), 'an unsigned public query');
      },
    },
    {
      id: 'hop-verify',
      title: "a hop signed with a key that is not the hub's is refused whole (401 UNAUTHENTICATED)",
      run: (probe) => refusedWhole(probe, { as: 'stranger' }, "a hop signed with a stranger's Ed25519 key"),
    },
    {
      id: 'hop-verify',
      title: 'a hop addressed to another shard is refused whole',
      run: (probe) => refusedWhole(probe, { as: 'other-audience' }, 'a hop for other-school.example'),
    },
    {
      id: 'hop-verify',
      title: 'a hop signed over another operation is refused whole',
      run: (probe) => refusedWhole(probe, { as: 'other-operation' }, 'a hop whose op digest is of { __typename }'),
    },
    {
      id: 'hop-verify',
      title: "a hop signed by the hub's key is accepted",
      run: async (probe) => {
        dataOf(await probe.graphql(sample, null, { as: 'hub', caller: null }), 'a genuine hop');
      },
    },
    {
      id: 'hop-batches',
      title:
        "a shard that takes batched hops (/health hopBatches: true) accepts its own hop of a batch, and refuses another shard's, as is or re-addressed to it",
      run: async (probe) => {
        const { json } = await probe.get('/health');
        if ((json as { hopBatches?: unknown } | null)?.hopBatches !== true)
          throw new Skipped('the shard takes no batched hops: its /health does not say "hopBatches": true');
        dataOf(await probe.graphql(sample, null, { as: 'batch', hop: 'own' }), 'its own hop of a batch');
        await refusedWhole(probe, { as: 'batch', hop: 'other' }, "another shard's hop of the batch");
        await refusedWhole(
          probe,
          { as: 'batch', hop: 'forged' },
          "another shard's hop of the batch, re-addressed to this shard with its proof",
        );
      },
    },
  ];
}

/** Last of every run: the errors every check received carried codes of the contract. */
export const errorCodesRequirement: Requirement = {
  id: 'error-codes',
  title: 'every error the shard returned carries a code of the contract',
  run: (probe) => {
    const bad = probe.errorsSeen.filter((error) => !CONTRACT_CODES.has(String(error.extensions?.code)));
    check(
      bad.length === 0,
      `errors without a code of the contract: ${bad
        .slice(0, 5)
        .map((e) => `${typeof e.extensions?.code === 'string' ? e.extensions.code : 'no code'} "${e.message}"`)
        .join('; ')}`,
    );
    const unnamed = probe.errorsSeen.filter(
      (error) => error.extensions?.code === 'BAD_USER_INPUT' && typeof error.extensions.field !== 'string',
    );
    check(
      unnamed.length === 0,
      `BAD_USER_INPUT errors that name no field (extensions.field): ${unnamed.map((e) => `"${e.message}"`).join('; ')}`,
    );
    return Promise.resolve();
  },
};
