import { Kind, parse, print, type FieldNode, type OperationDefinitionNode } from 'graphql';
import type { SubscriptionRoot } from '../routing/routing-table';
import { payloadQuery } from './payload';

const root: SubscriptionRoot = {
  kind: 'mobilities',
  eventType: 'AssessmentEvent',
  cursorArgument: 'after',
  filter: { argument: 'filter', type: 'AgreementEventFilter' },
  entities: [
    { field: 'assessment', rootField: 'assessmentById' },
    { field: 'learningAgreement', rootField: 'learningAgreement' },
  ],
};

function payloadOf(text: string) {
  const document = parse(text);
  const operation = document.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  const field = operation?.selectionSet.selections[0] as FieldNode;
  if (!operation) throw new Error('no operation');
  return payloadQuery(document, operation, root, field);
}

test("each selected entity field becomes its by-ID root field, keeping the client's selection, alias and variables", () => {
  const payload = payloadOf(`subscription($lang: String) {
    assessmentRecorded(after: null) { cursor mine: assessment { grade(lang: $lang) } learningAgreement { ...Parties } }
  }
  fragment Parties on LearningAgreement { id }`);
  expect(print(parse(payload.query ?? ''))).toBe(
    print(
      parse(`query HubEventPayload($lang: String, $__hub_assessment: ID!, $__hub_learningAgreement: ID!) {
        mine: assessmentById(id: $__hub_assessment) { grade(lang: $lang) }
        learningAgreement: learningAgreement(id: $__hub_learningAgreement) { ...Parties }
      }
      fragment Parties on LearningAgreement { id }`),
    ),
  );
  expect(payload.variableNames).toContain('lang');
});

test('a subscription selecting no entity needs no payload query', () => {
  expect(payloadOf('subscription { assessmentRecorded { cursor type } }').query).toBeNull();
});
