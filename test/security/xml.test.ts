import { signedAgreement, startDocumentsHub, type DocumentsHub } from '../documents-chain';

/**
 * XML attacks on `importElmoTranscript`, through the hub: each file is refused with BAD_USER_INPUT naming
 * `document` and the rule before any parser reads it, nothing is imported (no transcript, no audit entry), and
 * nothing an entity could have fetched is in the answer.
 */
let chain: DocumentsHub;
let rvt: string;
let elmo: string;
let target: string;

const IMPORT =
  'mutation($id: ID!, $doc: String!) { importElmoTranscript(learningAgreementId: $id, document: $doc) { id } }';
const STATE = `query($id: ID!) {
  learningAgreement(id: $id) { transcript { id } }
  mobilitiesAuditTrail(institution: "rvt.lv", first: 100) { totalCount nodes { id action entityId } }
}`;

beforeAll(async () => {
  chain = await startDocumentsHub(['rvt.lv', 'cifp-aviles.es']);
  rvt = await chain.token('rvt.lv', ['coordinator']);
  elmo = (
    await chain.ok('query { transcriptDocument(id: "rvt.lv:T-LA-2026-001-1", format: ELMO) { content } }', {}, rvt)
  ).transcriptDocument.content;
  target = await signedAgreement(
    chain,
    'LA-2026-003',
    { localId: 'L-17', name: 'Anna Bērziņa', dateOfBirth: '2007-04-12' },
    [
      ['rvt.lv:WELD-U4', 25],
      ['rvt.lv:WELD-U5', 30],
    ],
  );
}, 120_000);
afterAll(async () => chain?.hub.dispose());

const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';
/** The valid export with a DTD placed after its declaration and an entity reference in the learner's name. */
const withDtd = (dtd: string, reference = '') =>
  elmo.replace(DECLARATION, `${DECLARATION}${dtd}\n`).replace('<givenNames>', `<givenNames>${reference}`);

async function expectRefused(document: string, rule: string, message: RegExp): Promise<void> {
  const before = await chain.ok(STATE, { id: target }, rvt);
  const started = Date.now();
  const answer = await chain.request(IMPORT, { id: target, doc: document }, rvt);
  const elapsed = Date.now() - started;
  expect(answer.body.data?.importElmoTranscript ?? null).toBeNull();
  expect(answer.body.errors).toHaveLength(1);
  const error = answer.body.errors?.[0];
  expect(error?.extensions).toEqual(expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'document', rule }));
  expect(error?.message).toMatch(message);
  expect(JSON.stringify(answer.body)).not.toMatch(/root:|lollol|schema\.xsd/);
  // Refused before any parser: an entity expansion would run for minutes. The bound leaves room for a loaded CI
  // machine, where sending a 600,000-byte file through the hub and a shard once took 2.3 s.
  expect(elapsed).toBeLessThan(10_000);
  const after = await chain.ok(STATE, { id: target }, rvt);
  expect(after).toEqual(before);
  expect(after.learningAgreement.transcript).toBeNull();
}

test('XXE: an external entity reading a local file', async () => {
  await expectRefused(
    withDtd('<!DOCTYPE elmo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', '&xxe;'),
    'entity',
    /^document declares an external entity "xxe": /,
  );
});

test('a parameter entity fetching an outside DTD', async () => {
  await expectRefused(
    withDtd('<!DOCTYPE elmo [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/evil.dtd"> %remote;]>'),
    'entity',
    /^document declares a parameter entity "%remote": XML input may declare no entities/,
  );
});

test('billion laughs is refused at once, nothing expanded', async () => {
  const levels = Array.from({ length: 10 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`).join('\n');
  await expectRefused(
    withDtd(`<!DOCTYPE elmo [\n<!ENTITY lol0 "lol">\n${levels}\n]>`, '&lol10;'),
    'entity',
    /^document declares an internal entity "lol0"/,
  );
});

test('a DOCTYPE naming an outside DTD, with no entity', async () => {
  await expectRefused(
    withDtd('<!DOCTYPE elmo SYSTEM "http://127.0.0.1:9/elmo.dtd">'),
    'doctype',
    /^document has a DOCTYPE: XML input may carry no DTD$/,
  );
});

test('XInclude of a local file', async () => {
  const include = elmo.replace(
    '<givenNames>',
    '<givenNames><xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/passwd" parse="text"/>',
  );
  await expectRefused(include, 'xinclude', /^document uses XInclude/);
});

test('a file over 500,000 bytes (within the request limit)', async () => {
  const huge = elmo.replace('</elmo>', `<!-- ${'x'.repeat(600_000)} --></elmo>`);
  await expectRefused(huge, 'size', /^document is larger than 500000 bytes/);
});

test('a declared encoding other than UTF-8', async () => {
  await expectRefused(
    elmo.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"'),
    'encoding',
    /^document declares the encoding "ISO-8859-1": only UTF-8 XML is accepted$/,
  );
});

test('the same file without the attack is imported: the refusals were the rules, not the file', async () => {
  const imported = await chain.ok(IMPORT, { id: target, doc: elmo }, rvt);
  expect(imported.importElmoTranscript.id).toBe('rvt.lv:T-LA-2026-003-1');
});
