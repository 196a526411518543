import { compactVerify, createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet } from 'jose';
import { validateEdc } from '../subgraphs/shared/documents/edc-schema';
import { validateElmoDocuments } from '../subgraphs/shared/documents/elmo-schema';
import { assessedOn, signedAgreement, startDocumentsHub, type DocumentsHub } from './documents-chain';

/**
 * Transcripts and certificates leave the hub as official documents: every transcript and certificate of a
 * demo-like chain, exported as ELMO and as a signed Europass credential through the gateway, validates against
 * the official schemas offline; the signatures verify against the published keys, and a changed, superseded or
 * revoked credential fails verification with the reason. Parties only for transcripts; certificates are public.
 */
let chain: DocumentsHub;
const tokens: Record<string, string> = {};
const exportTimes: number[] = [];

interface Doc {
  format: string;
  mediaType: string;
  fileName: string;
  content: string;
  signedCredential: string | null;
  downloadUrl: string;
}
const DOC = '{ format mediaType fileName content signedCredential downloadUrl }';
const TRANSCRIPTS = `query { learningAgreements { nodes { id transcripts { id version current elmo: document(format: ELMO) ${DOC} edc: document(format: EDC) ${DOC} } } } }`;
const CERTIFICATES = `query($l: ID!) { learnerRecord(learnerId: $l) { certificates { code current edc: document(format: EDC) ${DOC} } } }`;
const VERIFY =
  'query($c: String!) { verifyCredential(credential: $c) { valid reason signatureValid status issuer { id name } keyId credentialId issuedAt credential } }';

interface Exported {
  transcripts: Array<{ id: string; version: number; current: boolean; elmo: Doc; edc: Doc }>;
  certificates: Array<{ code: string; current: boolean; edc: Doc }>;
}
const exported: Exported = { transcripts: [], certificates: [] };

async function exportAll(): Promise<void> {
  const started = performance.now();
  const data = await chain.ok(TRANSCRIPTS, {}, tokens.rvt);
  exportTimes.push(performance.now() - started);
  exported.transcripts = data.learningAgreements.nodes.flatMap(
    (n: { transcripts: Exported['transcripts'] }) => n.transcripts,
  );
  exported.certificates = [];
  for (const learner of ['rvt.lv:L-17', 'rvt.lv:L-18']) {
    exported.certificates.push(
      ...(await chain.ok(CERTIFICATES, { l: learner }, tokens.rvt)).learnerRecord.certificates,
    );
  }
}

beforeAll(async () => {
  chain = await startDocumentsHub(['rvt.lv', 'cifp-aviles.es']);
  tokens.rvt = await chain.token('rvt.lv', ['coordinator']);
  tokens.cifp = await chain.token('cifp-aviles.es', ['coordinator']);
  tokens.learner = await chain.token('rvt.lv', ['learner'], 'rvt.lv:L-17');
  // Beyond the demo: a mobility with a unit not achieved and outcomes assessed one by one, its transcript
  // reissued (version 1 superseded), one unit recognised in part; and a second certificate for the demo learner.
  const la = await signedAgreement(
    chain,
    'LA-2026-002',
    { localId: 'L-18', name: 'Pēteris Kalniņš', dateOfBirth: '2006-09-30' },
    [
      ['rvt.lv:WELD-U2', 15],
      ['rvt.lv:WELD-U6', 25],
    ],
  );
  const assessor = await chain.token('cifp-aviles.es', ['assessor']);
  const record = 'mutation($i: RecordAssessmentInput!) { recordAssessment(input: $i) { id } }';
  const base = {
    learningAgreementId: la,
    method: 'Practical test',
    assessorName: 'Carlos Menéndez',
    assessedOn: assessedOn(),
  };
  await chain.ok(record, { i: { ...base, unitId: 'rvt.lv:WELD-U2', result: 'NOT_ACHIEVED' } }, assessor);
  await chain.ok(
    record,
    {
      i: {
        ...base,
        unitId: 'rvt.lv:WELD-U6',
        result: 'ACHIEVED',
        grade: '9/10',
        outcomeResults: [
          { learningOutcomeId: 'rvt.lv:WELD-U6-LO1', result: 'ACHIEVED' },
          { learningOutcomeId: 'rvt.lv:WELD-U6-LO2', result: 'NOT_ACHIEVED' },
        ],
      },
    },
    assessor,
  );
  const issue =
    'mutation($id: ID!) { issueTranscript(learningAgreementId: $id, issuedBy: "Lucía Fernández") { version } }';
  await chain.ok(issue, { id: la }, tokens.cifp);
  await chain.ok(issue, { id: la }, tokens.cifp);
  await chain.ok('mutation($id: ID!) { validateTranscript(learningAgreementId: $id) { id } }', { id: la }, tokens.rvt);
  await chain.ok(
    'mutation($input: RecognizeUnitsInput!) { recognizeUnits(input: $input) { id } }',
    {
      input: {
        learningAgreementId: la,
        idempotencyKey: 'documents-LA-2026-002',
        decisions: [
          {
            unitId: 'rvt.lv:WELD-U6',
            decision: 'PARTIALLY_RECOGNISED',
            learningOutcomeIds: ['rvt.lv:WELD-U6-LO1', 'rvt.lv:WELD-U6-LO3'],
          },
          { unitId: 'rvt.lv:WELD-U2', decision: 'REFUSED', reason: 'Not achieved abroad' },
        ],
      },
    },
    tokens.rvt,
  );
  for (const learner of ['rvt.lv:L-18', 'rvt.lv:L-17']) {
    await chain.ok(
      'mutation($l: ID!) { issueCertificate(learnerId: $l, qualificationId: "rvt.lv:WELD") { code } }',
      { l: learner },
      tokens.rvt,
    );
  }
  await exportAll();
}, 120_000);
afterAll(async () => chain?.hub.dispose());

test('every transcript of the chain, every version, exports as ELMO valid against the official schema.xsd (offline)', async () => {
  expect(exported.transcripts.map((t) => [t.id, t.current])).toEqual([
    ['rvt.lv:T-LA-2026-001-1', true],
    ['rvt.lv:T-LA-2026-002-1', false],
    ['rvt.lv:T-LA-2026-002-2', true],
  ]);
  const results = await validateElmoDocuments(exported.transcripts.map((t) => t.elmo.content));
  expect(results.map((r) => r.problems)).toEqual(exported.transcripts.map(() => []));
  const [demo] = exported.transcripts;
  expect(demo?.elmo).toEqual(
    expect.objectContaining({
      format: 'ELMO',
      mediaType: 'application/xml',
      fileName: 'transcript-rvt.lv_T-LA-2026-001-1.xml',
      downloadUrl: '/documents/transcript/rvt.lv:T-LA-2026-001-1.xml',
      signedCredential: null,
    }),
  );
  // Titles, EQF levels and outcomes come from the qualifications shards, the host's name and country too.
  expect(demo?.elmo.content).toContain(
    '<title xml:lang="en">Manual metal arc welding with covered electrodes (111)</title>',
  );
  expect(demo?.elmo.content).toContain(
    '<title xml:lang="es">Centro Integrado de Formación Profesional de Avilés</title>',
  );
  expect(demo?.elmo.content).toMatch(/<scheme>ecvet<\/scheme>\s*<value>25<\/value>/);
  expect(demo?.elmo.content).toMatch(/<type>EQF<\/type>[\s\S]*?<value>4<\/value>/);
  expect(exported.transcripts[2]?.elmo.content).toMatch(/<status>failed<\/status>/);
  expect(exported.transcripts[2]?.elmo.content).toContain(
    'id="rvt.lv:WELD-U6-LO2" category="KNOWLEDGE" result="NOT_ACHIEVED"',
  );
});

test('every transcript and certificate exports as a Europass credential valid against the official EDC JSON Schema, signed over its content', () => {
  const credentials = [...exported.transcripts.map((t) => t.edc), ...exported.certificates.map((c) => c.edc)];
  expect(exported.certificates.map((c) => c.current)).toEqual([false, true, true]);
  expect(credentials).toHaveLength(6);
  for (const doc of credentials) {
    expect(validateEdc(JSON.parse(doc.content))).toEqual({ valid: true, problems: [] });
    expect(doc).toEqual(
      expect.objectContaining({
        format: 'EDC',
        mediaType: 'application/vc',
        downloadUrl: expect.stringMatching(/^\/documents\/(transcript|certificate)\/rvt\.lv:.+\.json$/),
      }),
    );
    const payload = (doc.signedCredential as string).split('.')[1] as string;
    expect(Buffer.from(payload, 'base64url').toString('utf8')).toBe(doc.content);
  }
  const partial = JSON.parse(exported.certificates[2]?.edc.content as string).credentialSubject.hasClaim[0];
  expect(partial.provenBy[0].grade.noteLiteral.en).toEqual([
    expect.stringMatching(/^Partially recognised: \d+(\.\d+)? of 25 ECVET points$/),
  ]);
  expect(
    partial.specifiedBy.learningOutcome.map((o: { identifier: { notation: string } }) => o.identifier.notation),
  ).toEqual(['rvt.lv:WELD-U6-LO1', 'rvt.lv:WELD-U6-LO3']);
});

test('signatures verify against the JWKS each institution publishes, with jose alone', async () => {
  for (const [field, doc] of [
    ['mobilitiesSigningKeys', exported.transcripts[0]?.edc],
    ['recognitionSigningKeys', exported.certificates[1]?.edc],
  ] as const) {
    const jwks = JSON.parse(
      (await chain.ok(`{ keys: ${field}(institution: "rvt.lv") }`, {})).keys as string,
    ) as JSONWebKeySet;
    expect(jwks.keys.every((k) => !('d' in k))).toBe(true);
    const { payload, protectedHeader } = await compactVerify(doc?.signedCredential as string, createLocalJWKSet(jwks));
    expect(protectedHeader).toEqual(expect.objectContaining({ alg: 'ES256', typ: 'vc+jwt' }));
    expect(new TextDecoder().decode(payload)).toBe(doc?.content);
  }
});

test('verifyCredential accepts the current credentials and names why the superseded ones fail', async () => {
  const verify = async (jws: string) => (await chain.ok(VERIFY, { c: jws })).verifyCredential;
  const current = await verify(exported.transcripts[0]?.edc.signedCredential as string);
  expect(current).toEqual(
    expect.objectContaining({
      valid: true,
      reason: null,
      signatureValid: true,
      status: 'CURRENT',
      issuer: { id: 'rvt.lv', name: 'Riga State Technical School' },
      credentialId: 'urn:ecvet-hub:transcript:rvt.lv:LA-2026-001:v1',
    }),
  );
  expect(current.keyId).toMatch(/^rvt\.lv\/mobilities#/);
  expect(await verify(exported.certificates[1]?.edc.signedCredential as string)).toEqual(
    expect.objectContaining({ valid: true, status: 'CURRENT' }),
  );
  for (const superseded of [exported.transcripts[1]?.edc, exported.certificates[0]?.edc]) {
    expect(await verify(superseded?.signedCredential as string)).toEqual(
      expect.objectContaining({
        valid: false,
        signatureValid: true,
        status: 'SUPERSEDED',
        reason: expect.stringMatching(/was superseded/),
      }),
    );
  }
});

test('a changed credential fails verification with the reason, whatever was changed', async () => {
  const jws = exported.certificates[1]?.edc.signedCredential as string;
  const [header, payload, signature] = jws.split('.') as [string, string, string];
  const content = Buffer.from(payload, 'base64url').toString('utf8');
  const more = Buffer.from(content.replace('"point": "25"', '"point": "30"')).toString('base64url');
  expect(more).not.toBe(payload);
  const forged = (await chain.ok(VERIFY, { c: `${header}.${more}.${signature}` })).verifyCredential;
  expect(forged).toEqual(
    expect.objectContaining({
      valid: false,
      signatureValid: false,
      status: 'UNKNOWN',
      credential: null,
      reason: expect.stringMatching(
        /^The signature does not match the content: the credential was changed after rvt\.lv signed it/,
      ),
    }),
  );
  const claimedByOther = Buffer.from(
    JSON.stringify({
      ...decodeProtectedHeader(jws),
      kid: (decodeProtectedHeader(jws).kid as string).replace('rvt.lv', 'cifp-aviles.es'),
    }),
  ).toString('base64url');
  expect((await chain.ok(VERIFY, { c: `${claimedByOther}.${payload}.${signature}` })).verifyCredential.reason).toMatch(
    /not among the keys cifp-aviles\.es publishes/,
  );
  expect((await chain.ok(VERIFY, { c: content })).verifyCredential.reason).toMatch(/not a compact JWS/);
  // The public status query answers holders of a genuine credential only.
  const status =
    'query($c: String!) { s: transcriptCredentialStatus(learningAgreementId: "rvt.lv:LA-2026-001", credential: $c) }';
  expect((await chain.ok(status, { c: exported.transcripts[0]?.edc.signedCredential })).s).toBe('CURRENT');
  expect((await chain.ok(status, { c: exported.transcripts[2]?.edc.signedCredential })).s).toBe('UNKNOWN');
  expect((await chain.ok(status, { c: `${header}.${more}.${signature}` })).s).toBe('UNKNOWN');
});

test('a revoked certificate fails verification; verifyCertificate checks the credential it is given against itself', async () => {
  const [old, l17, l18] = exported.certificates as [
    Exported['certificates'][number],
    Exported['certificates'][number],
    Exported['certificates'][number],
  ];
  const check =
    'query($code: String!, $c: String) { verifyCertificate(code: $code, credential: $c) { current revokedAt credentialCheck { valid reason status } } }';
  expect(
    (await chain.ok(check, { code: l17.code, c: l17.edc.signedCredential })).verifyCertificate.credentialCheck,
  ).toEqual({ valid: true, reason: null, status: 'CURRENT' });
  expect(
    (await chain.ok(check, { code: l17.code, c: l18.edc.signedCredential })).verifyCertificate.credentialCheck.reason,
  ).toBe(`The credential attests urn:ecvet-hub:certificate:${l18.code}, not certificate ${l17.code}`);
  expect((await chain.ok(check, { code: old.code })).verifyCertificate).toEqual({
    current: false,
    revokedAt: null,
    credentialCheck: null,
  });
  const revoke =
    'mutation($code: String!) { revokeCertificate(code: $code, reason: "Issued with a wrong name") { revokedAt } }';
  const refused = await chain.request(revoke, { code: l17.code }, tokens.cifp);
  expect(refused.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  await chain.ok(revoke, { code: l17.code }, tokens.rvt);
  expect((await chain.ok(VERIFY, { c: l17.edc.signedCredential })).verifyCredential).toEqual(
    expect.objectContaining({
      valid: false,
      signatureValid: true,
      status: 'REVOKED',
      reason: expect.stringMatching(/^The certificate was revoked on \d{4}-\d\d-\d\d: Issued with a wrong name$/),
    }),
  );
});

test('documents follow the access rules of what they show: transcripts for the parties, certificates for anyone with the code', async () => {
  const one = `query($id: ID!) { transcriptDocument(id: $id, format: ELMO) { fileName } }`;
  expect((await chain.ok(one, { id: 'rvt.lv:T-LA-2026-001-1' }, tokens.learner)).transcriptDocument.fileName).toBe(
    'transcript-rvt.lv_T-LA-2026-001-1.xml',
  );
  expect((await chain.ok(one, { id: 'rvt.lv:T-LA-2026-001-1' }, tokens.cifp)).transcriptDocument).not.toBeNull();
  // Another learner of the same school is no party to the agreement; without a token, nobody is.
  const other = await chain.token('rvt.lv', ['learner'], 'rvt.lv:L-18');
  expect((await chain.request(one, { id: 'rvt.lv:T-LA-2026-001-1' }, other)).body).toEqual({
    data: { transcriptDocument: null },
  });
  expect((await chain.request(one, { id: 'rvt.lv:T-LA-2026-001-1' })).body.errors?.[0]?.extensions?.code).toBe(
    'UNAUTHENTICATED',
  );
  const nested = await chain.request(
    'query($id: ID!) { learningAgreement(id: $id) { transcript { document(format: EDC) { fileName } } } }',
    { id: 'rvt.lv:LA-2026-001' },
    other,
  );
  expect(nested.body).toEqual({ data: { learningAgreement: null } });
  const code = exported.certificates[2]?.code as string;
  const anonymous = await chain.ok(
    'query($c: String!) { verifyCertificate(code: $c) { document(format: EDC) { fileName downloadUrl } } }',
    { c: code },
  );
  expect(anonymous.verifyCertificate.document).toEqual({
    fileName: `certificate-${code.replace(':', '_')}.json`,
    downloadUrl: `/documents/certificate/${code}.json`,
  });
  const elmo = await chain.request(
    'query($c: String!) { verifyCertificate(code: $c) { document(format: ELMO) { fileName } } }',
    { c: code },
  );
  expect(elmo.body.errors?.[0]).toEqual(
    expect.objectContaining({
      message: expect.stringContaining('a certificate is available as EDC only'),
      extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }),
    }),
  );
});

test('export time is measured: the whole chain of transcripts, in both formats, in one request', async () => {
  await exportAll();
  await exportAll();
  const [first, ...rest] = exportTimes;
  console.info(
    `documents export, 3 transcripts x (ELMO + signed EDC) in one request through the gateway: first ${first?.toFixed(0)} ms (key made), then ${rest.map((t) => t.toFixed(0)).join(', ')} ms`,
  );
  expect(rest.every((t) => t < 5_000)).toBe(true);
});
