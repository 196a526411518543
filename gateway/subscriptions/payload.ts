import {
  Kind,
  type ExecutionArgs,
  type FieldNode,
  type OperationDefinitionNode,
  type VariableDefinitionNode,
} from 'graphql';
import { parseFetch, subOperation } from '../routing/operation';
import type { SubscriptionRoot } from '../routing/routing-table';

/** The variable that carries one entity field's ID into the payload query. */
export const idVariable = (field: string) => `__hub_${field}`;

function variableDefinition(name: string): VariableDefinitionNode {
  return {
    kind: Kind.VARIABLE_DEFINITION,
    variable: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: name } },
    type: { kind: Kind.NON_NULL_TYPE, type: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: 'ID' } } },
  };
}

/**
 * The query that resolves one event's payload through the supergraph: each entity field the client selected
 * becomes the by-ID root field of its type, with the client's own selection (aliases, fragments, variables).
 */
export function payloadQuery(
  document: ExecutionArgs['document'],
  operation: OperationDefinitionNode,
  route: SubscriptionRoot,
  field: FieldNode,
) {
  const selected = (field.selectionSet?.selections ?? []).filter((s): s is FieldNode => s.kind === Kind.FIELD);
  const entityFields = selected.flatMap((s) => {
    const entity = route.entities.find((e) => e.field === s.name.value);
    if (!entity) return [];
    const node: FieldNode = {
      ...s,
      alias: { kind: Kind.NAME, value: s.alias?.value ?? s.name.value },
      name: { kind: Kind.NAME, value: entity.rootField },
      arguments: [
        {
          kind: Kind.ARGUMENT,
          name: { kind: Kind.NAME, value: 'id' },
          value: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: idVariable(entity.field) } },
        },
      ],
    };
    return [{ node, entity: entity.field }];
  });
  const asQuery: OperationDefinitionNode = {
    ...operation,
    operation: 'query' as OperationDefinitionNode['operation'],
    name: { kind: Kind.NAME, value: 'HubEventPayload' },
  };
  const fetch = {
    ...parseFetch('{ __typename }'),
    document,
    operation: asQuery,
    type: 'query' as const,
    fragments: new Map(
      document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])),
    ),
  };
  const usedEntities = [...new Set(entityFields.map((e) => e.entity))];
  const cut = subOperation(
    fetch,
    entityFields.map((e) => e.node),
    usedEntities.map((e) => variableDefinition(idVariable(e))),
  );
  return { query: entityFields.length > 0 ? cut.query : null, variableNames: cut.variableNames };
}
