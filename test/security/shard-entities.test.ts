import type { Caller } from '../../platform/caller';
import { postGraphQL, type GraphQLAnswer, type TestShard } from '../harness/hub';
import { startDocumentsHub, type DocumentsHub } from '../documents-chain';
import { signedShardCall } from './shard-call';

/**
 * `_entities` of personal types called directly on a shard, as a member holding a hop signature could: without
 * a caller UNAUTHENTICATED, for a non-party NOT_FOUND exactly as for a record that does not exist (a null entity
 * and one error at its index), never INTERNAL_SERVER_ERROR and never a personal field. A party gets the entity.
 */
let chain: DocumentsHub;
const LA = 'rvt.lv:LA-2026-001';
const ids: Record<string, string> = {};

const PERSONAL = ['Anna', 'Bērziņa', 'anna.berzina@example.lv', '2007-04-12', 'rvt.lv:L-17', 'Carlos Menéndez', '8/10'];

const ENTITIES = 'query($r: [_Any!]!) { _entities(representations: $r) { __typename ...Fields } }';
const FIELDS: Record<string, { kind: 'mobilities' | 'recognition'; fragment: string }> = {
  LearningAgreement: {
    kind: 'mobilities',
    fragment: 'fragment Fields on LearningAgreement { id status learner { name email dateOfBirth } }',
  },
  Assessment: { kind: 'mobilities', fragment: 'fragment Fields on Assessment { id result grade assessorName }' },
  Transcript: {
    kind: 'mobilities',
    fragment: 'fragment Fields on Transcript { id issuedBy totalEcvetPoints entries { grade } }',
  },
  Memorandum: {
    kind: 'mobilities',
    fragment: 'fragment Fields on Memorandum { id status contentHash signatures { signerName } }',
  },
  RecognitionLearningAgreement: {
    kind: 'recognition',
    fragment: 'fragment Fields on LearningAgreement { id recognition { decisions { learnerId decision } } }',
  },
  TranscriptValidation: {
    kind: 'recognition',
    fragment:
      'fragment Fields on TranscriptValidation { id consistent validatedBy findings { transcriptEcvetPoints } }',
  },
  RecognitionDecision: {
    kind: 'recognition',
    fragment: 'fragment Fields on RecognitionDecision { id learnerId decision ecvetPoints }',
  },
};
const typeName = (name: string) => (name === 'RecognitionLearningAgreement' ? 'LearningAgreement' : name);

const caller = (institution: string, roles: Caller['roles'], learnerId: string | null = null): Caller => ({
  institution,
  roles,
  learnerId,
  subject: `${institution}-test`,
});
const NON_PARTY = caller('omnia.fi', ['coordinator']);
const OTHER_LEARNER = caller('rvt.lv', ['learner'], 'rvt.lv:L-99');
const HOST_LEARNER = caller('cifp-aviles.es', ['learner'], 'cifp-aviles.es:A-2208');
const SENDING = caller('rvt.lv', ['coordinator']);

beforeAll(async () => {
  chain = await startDocumentsHub(['rvt.lv', 'cifp-aviles.es']);
  const rvt = await chain.token('rvt.lv', ['coordinator']);
  const read = await chain.ok(
    'query($id: ID!) { learningAgreement(id: $id) { assessments { id } transcript { id } recognition { validation { id } decisions { id } } } }',
    { id: LA },
    rvt,
  );
  Object.assign(ids, {
    LearningAgreement: LA,
    Assessment: read.learningAgreement.assessments[0].id,
    Transcript: read.learningAgreement.transcript.id,
    Memorandum: 'rvt.lv:MOU-WELD',
    RecognitionLearningAgreement: LA,
    TranscriptValidation: read.learningAgreement.recognition.validation.id,
    RecognitionDecision: read.learningAgreement.recognition.decisions[0].id,
  });
}, 120_000);
afterAll(async () => chain?.hub.dispose());

function shardOf(name: string): TestShard {
  const kind = FIELDS[name]?.kind;
  const shard = (kind === 'mobilities' ? chain.hub.mobilityShards : chain.hub.recognitionShards).get('rvt.lv');
  if (!shard) throw new Error(`no ${kind} shard`);
  return shard;
}

const body = (name: string, id: string) => ({
  query: `${ENTITIES} ${FIELDS[name]?.fragment}`,
  variables: { r: [{ __typename: typeName(name), id }] },
});

function expectRefused(answer: GraphQLAnswer, code: string): string {
  expect(answer.body.data).toEqual({ _entities: [null] });
  expect(answer.body.errors).toHaveLength(1);
  const error = answer.body.errors?.[0];
  expect(error?.extensions?.code).toBe(code);
  expect(error?.path).toEqual(['_entities', 0]);
  const text = JSON.stringify(answer.body);
  for (const personal of PERSONAL) expect(text).not.toContain(personal);
  return error?.message ?? '';
}

const REFUSING = Object.keys(FIELDS).filter((name) => name !== 'RecognitionLearningAgreement');

describe.each(Object.keys(FIELDS))('_entities of %s directly on the shard', (name) => {
  test('without a caller (unsigned, or signed for an anonymous client): UNAUTHENTICATED', async () => {
    const id = ids[name] as string;
    expectRefused(
      await postGraphQL(shardOf(name).url, body(name, id).query, body(name, id).variables),
      'UNAUTHENTICATED',
    );
    expectRefused(await signedShardCall(chain.hub, shardOf(name), body(name, id), null), 'UNAUTHENTICATED');
  });

  test('a party gets the entity', async () => {
    const answer = await signedShardCall(chain.hub, shardOf(name), body(name, ids[name] as string), SENDING);
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data?._entities).toEqual([
      expect.objectContaining({ __typename: typeName(name), id: ids[name] }),
    ]);
  });
});

test.each(REFUSING)(
  '_entities of %s directly on the shard: a non-party gets NOT_FOUND, worded exactly as for a record that does not exist',
  async (name) => {
    const id = ids[name] as string;
    const missing = `rvt.lv:NO-SUCH-${name}`;
    for (const stranger of [NON_PARTY, OTHER_LEARNER, HOST_LEARNER]) {
      const absent = expectRefused(
        await signedShardCall(chain.hub, shardOf(name), body(name, missing), stranger),
        'NOT_FOUND',
      );
      const message = expectRefused(
        await signedShardCall(chain.hub, shardOf(name), body(name, id), stranger),
        'NOT_FOUND',
      );
      expect(message).toBe(absent.replace(missing, id));
    }
  },
);

test('LearningAgreement.recognition directly on the recognition shard: a non-party gets the same empty answer as for no record', async () => {
  const shard = shardOf('RecognitionLearningAgreement');
  for (const stranger of [NON_PARTY, OTHER_LEARNER, HOST_LEARNER, caller('cifp-aviles.es', ['coordinator'])]) {
    for (const id of [LA, 'rvt.lv:LA-NONE']) {
      const answer = await signedShardCall(chain.hub, shard, body('RecognitionLearningAgreement', id), stranger);
      expect(answer.body).toEqual({
        data: { _entities: [{ __typename: 'LearningAgreement', id, recognition: null }] },
      });
    }
  }
  const learner = await signedShardCall(
    chain.hub,
    shard,
    body('RecognitionLearningAgreement', LA),
    caller('rvt.lv', ['learner'], 'rvt.lv:L-17'),
  );
  expect(learner.body.data?._entities).toEqual([
    expect.objectContaining({
      recognition: { decisions: expect.arrayContaining([expect.objectContaining({ learnerId: 'rvt.lv:L-17' })]) },
    }),
  ]);
});
