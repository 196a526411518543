import { postGraphQL } from '../harness/hub';
import { startDocumentsHub, type DocumentsHub } from '../documents-chain';

/**
 * verifyCertificate is public: anyone holding the code reads what the certificate itself states (learner name,
 * qualification, units, points, dates, whether it stands), and nothing of the learner's record behind it.
 */
let chain: DocumentsHub;
let code: string;
let decisionIds: string[];

const VERIFY =
  'query($code: String!) { verifyCertificate(code: $code) { code learnerName totalEcvetPoints current revokedAt units { unit { id } ecvetPoints source creditedOn decisionId } } }';

beforeAll(async () => {
  chain = await startDocumentsHub(['rvt.lv', 'cifp-aviles.es']);
  const record = await chain.ok(
    'query { learnerRecord(learnerId: "rvt.lv:L-17") { certificates { code units { decisionId } } } }',
    {},
    await chain.token('rvt.lv', ['coordinator']),
  );
  const certificate = record.learnerRecord.certificates[0];
  code = certificate.code;
  decisionIds = certificate.units.map((unit: { decisionId: string | null }) => unit.decisionId);
}, 120_000);
afterAll(async () => chain?.hub.dispose());

test("the learner's record readers see the decision behind each certified unit", () => {
  expect(decisionIds.length).toBeGreaterThan(0);
  expect(decisionIds.every((id) => typeof id === 'string' && id.startsWith('rvt.lv:'))).toBe(true);
});

test('anyone verifying the code gets what the certificate states, without decision IDs: anonymous, another member, on the shard itself', async () => {
  const answers = [
    await chain.request(VERIFY, { code }),
    await chain.request(VERIFY, { code }, await chain.token('cifp-aviles.es', ['coordinator'])),
    await postGraphQL(chain.hub.recognitionShards.get('rvt.lv')?.url ?? '', VERIFY, { code }),
  ];
  for (const answer of answers) {
    expect(answer.body.errors).toBeUndefined();
    const statement = answer.body.data?.verifyCertificate as {
      learnerName: string;
      current: boolean;
      units: Array<{ decisionId: string | null; ecvetPoints: number }>;
    };
    expect(statement).toEqual(
      expect.objectContaining({ code, learnerName: 'Anna Bērziņa', current: true, revokedAt: null }),
    );
    expect(statement.units).toHaveLength(decisionIds.length);
    expect(statement.units.map((unit) => unit.decisionId)).toEqual(decisionIds.map(() => null));
    const text = JSON.stringify(answer.body);
    for (const id of decisionIds) expect(text).not.toContain(id);
    expect(text).not.toContain('rvt.lv:L-17');
  }
});
