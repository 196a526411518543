import { readThirdParty } from '../subgraphs/shared/documents/third-party';
import { signedAgreement, startDocumentsHub, type DocumentsHub } from './documents-chain';

/**
 * A partner that does not run the hub sends its transcript as an ELMO file; the sending institution uploads it
 * against a learning agreement. Round trip: the ELMO export of the demo's transcript, imported at another
 * agreement of the same learner and host, gives the same units, points and results, and the recognition kind
 * validates it unchanged. Bad files are refused with the schema's or the rule's message, and nothing is written.
 */
let chain: DocumentsHub;
let rvt: string;
let exportedElmo: string;
let target: string;

const IMPORT =
  'mutation($id: ID!, $doc: String!) { importElmoTranscript(learningAgreementId: $id, document: $doc) { id version entries { unit { id } result grade assessedOn ecvetPoints outcomeResults { learningOutcome { id } result } } totalEcvetPoints } }';
const TRANSCRIPT =
  'query($id: ID!) { learningAgreement(id: $id) { transcript { version issuedBy entries { unit { id } result grade assessedOn ecvetPoints outcomeResults { learningOutcome { id } result } } totalEcvetPoints } } }';

async function refusedImport(document: string, token = rvt) {
  const answer = await chain.request(IMPORT, { id: target, doc: document }, token);
  expect(answer.body.data?.importElmoTranscript ?? null).toBeNull();
  return answer.body.errors?.[0] as { message: string; extensions: Record<string, unknown> };
}

beforeAll(async () => {
  chain = await startDocumentsHub(['rvt.lv', 'cifp-aviles.es']);
  rvt = await chain.token('rvt.lv', ['coordinator']);
  exportedElmo = (
    await chain.ok('query { transcriptDocument(id: "rvt.lv:T-LA-2026-001-1", format: ELMO) { content } }', {}, rvt)
  ).transcriptDocument.content;
  // The same learner's next mobility to Avilés with the same units; Avilés sends its transcript as a file.
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

test("a file that is not well-formed or fails the XSD is refused with libxml2's message and line", async () => {
  const broken = await refusedImport(exportedElmo.replace('</familyName>', '</family>'));
  expect(broken.extensions).toEqual(expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'document', line: 7 }));
  expect(broken.message).toMatch(
    /^document is not a valid ELMO file \(schema\.xsd\): line 7: parser error : Opening and ending tag mismatch: familyName line 7 and family/,
  );
  const invalid = await refusedImport(exportedElmo.replace(/\s*<url>[^<]*<\/url>/, ''));
  expect(invalid.extensions.line).toBe(11);
  expect(invalid.message).toMatch(
    /line 11: Schemas validity error : Element '\{https:\/\/github\.com\/emrex-eu\/elmo-schemas\/tree\/v1\}issuer': Missing child element\(s\)/,
  );
});

test("the official example.xml is valid ELMO but not this agreement's: the learner and the issuer are named", async () => {
  const error = await refusedImport(readThirdParty('elmo', 'examples', 'example.xml'));
  expect(error.extensions.code).toBe('BAD_USER_INPUT');
  expect(error.message).toBe(
    'This ELMO file does not belong to learning agreement rvt.lv:LA-2026-003: ' +
      'the learner "Wojciech Łukasz Rygielski" (born 1983-04-12) is not the agreement\'s learner "Anna Bērziņa" (born 2007-04-12) [rvt.lv:L-17]; ' +
      'the report issuer "University of Warsaw" (pic 999572294, erasmus PL WARSZAW01, schac uw.edu.pl), line 33 is not the hosting institution cifp-aviles.es (expected its SCHAC code "cifp-aviles.es")',
  );
});

test('a unit the agreement does not contain is refused by name; only the sending coordinator imports', async () => {
  const unknown = exportedElmo
    .replace(/rvt\.lv:WELD-U5|WELD-U5/g, 'X-99')
    .replace(
      /<title xml:lang="(lv|en)">[^<]*\(135, 136\)<\/title>/g,
      '<title xml:lang="en">Underwater welding</title>',
    );
  const error = await refusedImport(unknown);
  expect(error.message).toMatch(
    /^Learning opportunity "Underwater welding" \(line \d+, ecvet-hub X-99, local X-99\) is not a unit of learning agreement rvt\.lv:LA-2026-003/,
  );
  expect(error.extensions).toEqual(expect.objectContaining({ code: 'BAD_USER_INPUT', line: expect.any(Number) }));
  expect(
    (await refusedImport(exportedElmo, await chain.token('cifp-aviles.es', ['coordinator']))).extensions.code,
  ).toBe('FORBIDDEN');
  expect((await refusedImport(exportedElmo, await chain.token('rvt.lv', ['viewer']))).extensions.code).toBe(
    'FORBIDDEN',
  );
  // Nothing was written by any refusal.
  expect((await chain.ok(TRANSCRIPT, { id: target }, rvt)).learningAgreement.transcript).toBeNull();
});

test('round trip: the demo transcript exported as ELMO and imported at another agreement has the same units, points and results', async () => {
  const original = (await chain.ok(TRANSCRIPT, { id: 'rvt.lv:LA-2026-001' }, rvt)).learningAgreement.transcript;
  const imported = (await chain.ok(IMPORT, { id: target, doc: exportedElmo }, rvt)).importElmoTranscript;
  expect(imported).toEqual(
    expect.objectContaining({
      id: 'rvt.lv:T-LA-2026-003-1',
      version: 1,
      entries: original.entries,
      totalEcvetPoints: original.totalEcvetPoints,
    }),
  );
  expect(
    imported.entries.map((e: { unit: { id: string }; result: string; ecvetPoints: number }) => [
      e.unit.id,
      e.result,
      e.ecvetPoints,
    ]),
  ).toEqual([
    ['rvt.lv:WELD-U4', 'ACHIEVED', 25],
    ['rvt.lv:WELD-U5', 'ACHIEVED', 30],
  ]);
  const stored = (await chain.ok(TRANSCRIPT, { id: target }, rvt)).learningAgreement.transcript;
  expect(stored.issuedBy).toMatch(/^Integrated Vocational Training Centre Avilés \(ELMO file imported by /);
  // The recognition kind reads it through the hub like a native transcript.
  const validation = await chain.ok(
    'mutation($id: ID!) { validateTranscript(learningAgreementId: $id) { consistent findings { unit { id } achieved transcriptEcvetPoints differences } } }',
    { id: target },
    rvt,
  );
  expect(validation.validateTranscript).toEqual({
    consistent: true,
    findings: [
      { unit: { id: 'rvt.lv:WELD-U4' }, achieved: true, transcriptEcvetPoints: 25, differences: [] },
      { unit: { id: 'rvt.lv:WELD-U5' }, achieved: true, transcriptEcvetPoints: 30, differences: [] },
    ],
  });
  // And it leaves the hub again as it came in.
  const again = (
    await chain.ok('query { transcriptDocument(id: "rvt.lv:T-LA-2026-003-1", format: ELMO) { content } }', {}, rvt)
  ).transcriptDocument.content as string;
  const units = (xml: string) =>
    [...xml.matchAll(/<status>(\w+)<\/status>[\s\S]*?<value>([\d.]+)<\/value>/g)].map((m) => [m[1], m[2]]);
  expect(units(again)).toEqual(units(exportedElmo));
});

test('a partner file with its own identifiers, matched by title, supersedes the earlier import; points it states are kept', async () => {
  const partner = exportedElmo
    .replace(/<identifier type="(ecvet-hub|local)">[^<]*<\/identifier>\s*/g, '')
    .replace(/<extension>[\s\S]*?<\/extension>\s*/g, '')
    .replace('<value>30</value>', '<value>28</value>');
  const imported = (await chain.ok(IMPORT, { id: target, doc: partner }, rvt)).importElmoTranscript;
  expect(imported.version).toBe(2);
  expect(
    imported.entries.map((e: { unit: { id: string }; ecvetPoints: number; outcomeResults: unknown[] }) => [
      e.unit.id,
      e.ecvetPoints,
      e.outcomeResults,
    ]),
  ).toEqual([
    ['rvt.lv:WELD-U4', 25, []],
    ['rvt.lv:WELD-U5', 28, []],
  ]);
  const validation = await chain.ok(
    'mutation($id: ID!) { validateTranscript(learningAgreementId: $id) { consistent findings { differences } } }',
    { id: target },
    rvt,
  );
  expect(validation.validateTranscript.findings[1].differences).toEqual([
    'transcript gives 28 ECVET points, the agreement 30',
  ]);
});
