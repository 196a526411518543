import { SignJWT } from 'jose';
import { ANNA, expectNothingPersonal, PABLO, startHostileHub, type HostileHub } from './hostile-hub';

/**
 * Tokens at the gateway: a claim is believed only from whoever may vouch for it. Each refusal is UNAUTHENTICATED
 * (HTTP 401) with the reason, reads nothing and writes nothing.
 */
let h: HostileHub;
beforeAll(async () => {
  h = await startHostileHub();
}, 120_000);
afterAll(async () => h?.hub.dispose());

const READ =
  'query($id: ID!) { learningAgreement(id: $id) { id learner { name email dateOfBirth } transcript { entries { grade } } } }';
const SIGN =
  'mutation($id: ID!) { signLearningAgreement(id: $id, signature: { signerName: "Pablo García Suárez", signerPosition: "learner" }) { status } }';

/** What a refused write must leave as it was: the agreement's signatures and Avilés's audit trail. */
async function pabloState() {
  const cifp = await h.token('cifp-aviles.es', ['coordinator']);
  return h.ok(
    `query($id: ID!) { learningAgreement(id: $id) { status current { signatures { party signerName signedAt } } }
       mobilitiesAuditTrail(institution: "cifp-aviles.es", first: 100) { totalCount nodes { id action entityId subject } } }`,
    { id: PABLO.agreement },
    cifp,
  );
}

async function expectRefused(
  token: string | Promise<string>,
  reason: string | RegExp,
  query = READ,
  variables: Record<string, unknown> = { id: ANNA.agreement },
) {
  const answer = await h.request(query, variables, await token);
  expect({
    status: answer.status,
    code: answer.body.errors?.[0]?.extensions?.code,
    data: answer.body.data ?? null,
  }).toEqual({ status: 401, code: 'UNAUTHENTICATED', data: null });
  expect(answer.body.errors?.[0]?.message).toMatch(reason);
  expectNothingPersonal(answer.body, [ANNA.learnerId, PABLO.learnerId]);
}

const unsigned = (payload: Record<string, unknown>) =>
  `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.`;
const hs256 = (secret: string) =>
  new SignJWT({ institution: 'rvt.lv', roles: ['learner'], learner_id: ANNA.learnerId })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer('ecvet-hub-demo')
    .setSubject('guess')
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(secret));

test('honest tokens still work: a member for itself, a member for its own learner', async () => {
  expect(
    (await h.ok('{ learningAgreements { totalCount } }', {}, await h.memberToken('omnia.fi'))).learningAgreements,
  ).toEqual({ totalCount: 0 });
  const anna = await h.memberToken(
    'rvt.lv',
    { roles: ['learner'], learner_id: ANNA.learnerId },
    { subject: 'anna@rvt.lv' },
  );
  expect(
    await h.ok('query($id: ID!) { learningAgreement(id: $id) { learner { name } } }', { id: ANNA.agreement }, anna),
  ).toEqual({
    learningAgreement: { learner: { name: 'Anna Bērziņa' } },
  });
});

test('alg none is refused', async () => {
  const exp = Math.floor(Date.now() / 1000) + 600;
  await expectRefused(
    unsigned({
      institution: 'rvt.lv',
      roles: ['learner'],
      learner_id: ANNA.learnerId,
      sub: 'x',
      iss: 'https://idp.rvt.lv',
      exp,
    }),
    'Token algorithm none is not accepted: use RS256 or ES256',
  );
});

test('an HS256 token signed with a guessed secret is refused', async () => {
  for (const guess of ['secret', 'changeme', 'ecvet-hub-demo'])
    await expectRefused(hs256(guess), 'Bearer token refused: its signature does not verify');
});

test('an expired token is refused', async () => {
  await expectRefused(
    h.memberToken('omnia.fi', {}, { expires: Math.floor(Date.now() / 1000) - 3600 }),
    'Bearer token refused: it has expired',
  );
});

test("a token with another issuer than the member's is refused", async () => {
  await expectRefused(
    h.memberToken('omnia.fi', {}, { issuer: 'https://idp.rvt.lv' }),
    /Bearer token refused: unexpected "iss" claim value/,
  );
});

test('a non-member is refused', async () => {
  await expectRefused(
    h.memberToken('omnia.fi', { institution: 'evil.example' }),
    'Token names institution "evil.example", which has no keys registered in this hub',
  );
  await expectRefused(
    h.token('evil.example', ['coordinator']),
    'Token names institution "evil.example", which is not a member of this hub',
  );
});

test('an unknown role is refused', async () => {
  await expectRefused(
    h.memberToken('omnia.fi', { roles: ['principal'] }),
    'Token roles must be a non-empty list of coordinator, assessor, viewer, learner',
  );
  await expectRefused(h.memberToken('omnia.fi', { roles: [] }), /Token roles must be a non-empty list/);
});

test("a member's key claiming another member is refused", async () => {
  await expectRefused(
    h.memberToken('omnia.fi', { institution: 'rvt.lv' }),
    'Bearer token refused: no registered key of its institution matches it',
  );
  await expectRefused(
    h.memberToken('omnia.fi', { institution: 'rvt.lv' }, { issuer: 'https://idp.rvt.lv' }),
    'Bearer token refused: no registered key of its institution matches it',
  );
});

test("a member's key claiming another member's learner reads nothing", async () => {
  const forged = h.memberToken('omnia.fi', { roles: ['learner'], learner_id: ANNA.learnerId });
  const reason =
    'Token refused: learner_id rvt.lv:L-17 belongs to rvt.lv; only rvt.lv may vouch for its learners, not omnia.fi';
  await expectRefused(forged, reason);
  await expectRefused(forged, reason, 'query($l: ID!) { learnerRecord(learnerId: $l) { credits { ecvetPoints } } }', {
    l: ANNA.learnerId,
  });
  // The hub's own demo tokens obey the same rule.
  await expectRefused(h.token('omnia.fi', ['learner'], ANNA.learnerId), reason);
});

test("a member's key claiming another member's learner cannot sign for them", async () => {
  const before = await pabloState();
  await expectRefused(
    h.memberToken('omnia.fi', { roles: ['learner'], learner_id: PABLO.learnerId }),
    'Token refused: learner_id cifp-aviles.es:A-2208 belongs to cifp-aviles.es; only cifp-aviles.es may vouch for its learners, not omnia.fi',
    SIGN,
    { id: PABLO.agreement },
  );
  expect(await pabloState()).toEqual(before);
  expect(
    (before.learningAgreement as { current: { signatures: Array<{ party: string }> } }).current.signatures.map(
      (s) => s.party,
    ),
  ).toEqual(['SENDING']);
});

test('a member may not use the service: subject reserved for the hub', async () => {
  const before = await pabloState();
  await expectRefused(
    h.memberToken('omnia.fi', { roles: ['viewer'] }, { subject: 'service:mobilities@omnia.fi' }),
    'Token subject service:mobilities@omnia.fi is refused: subjects starting "service:" are reserved for the hub\'s own services',
  );
  await expectRefused(
    h.memberToken('omnia.fi', { roles: ['coordinator'] }, { subject: 'service:mobilities@cifp-aviles.es' }),
    /reserved for the hub's own services/,
    SIGN,
    { id: PABLO.agreement },
  );
  expect(await pabloState()).toEqual(before);
});

test('a learner token holds the learner role only, and a learner_id belongs to learners only', async () => {
  const before = await pabloState();
  await expectRefused(
    h.memberToken('rvt.lv', { roles: ['learner', 'coordinator'], learner_id: ANNA.learnerId }),
    'Token refused: a learner holds only the learner role, not also coordinator',
  );
  await expectRefused(h.memberToken('rvt.lv', { roles: ['learner'] }), 'Token refused: a learner needs a learner_id');
  await expectRefused(
    h.memberToken('rvt.lv', { roles: ['coordinator'], learner_id: ANNA.learnerId }),
    'Token refused: learner_id rvt.lv:L-17 is only for the learner role',
  );
  await expectRefused(
    h.token('cifp-aviles.es', ['learner', 'coordinator'], PABLO.learnerId),
    /only the learner role/,
    SIGN,
    { id: PABLO.agreement },
  );
  expect(await pabloState()).toEqual(before);
});
