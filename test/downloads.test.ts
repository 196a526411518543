import { createDemoMobilities } from '../scripts/demo-mobilities';
import { startTestHub, type TestHub } from './harness/hub';

/** Documents as plain downloads from the gateway, under the access rules of what they show. */
let hub: TestHub;
let base: string;
beforeAll(async () => {
  hub = await startTestHub({
    institutions: ['rvt.lv', 'cifp-aviles.es'],
    mobilities: true,
    recognition: true,
    shards: 'in-process',
  });
  await createDemoMobilities(hub.url, true, hub.tokenSecret);
  base = hub.url.replace(/\/graphql$/, '');
});
afterAll(async () => hub?.dispose());

const download = (path: string, token?: string) =>
  fetch(`${base}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

test('a party downloads the transcript as ELMO and as a Europass credential, with type and file name', async () => {
  const token = await hub.token('rvt.lv', ['coordinator']);
  const elmo = await download('/documents/transcript/rvt.lv:T-LA-2026-001-1.xml', token);
  expect(elmo.status).toBe(200);
  expect(elmo.headers.get('content-type')).toMatch(/^application\/xml/);
  expect(elmo.headers.get('content-disposition')).toMatch(/^attachment; filename=".+\.xml"$/);
  expect(elmo.headers.get('cache-control')).toBe('private, no-store');
  expect(await elmo.text()).toMatch(/^<\?xml[\s\S]*<elmo/);
  const edc = await download(
    `/documents/transcript/${encodeURIComponent('rvt.lv:T-LA-2026-001-1')}.json`,
    await hub.token('cifp-aviles.es', ['viewer']),
  );
  expect(edc.status).toBe(200);
  expect(JSON.parse(await edc.text()).type).toEqual(expect.arrayContaining(['VerifiableCredential']));
});

test('no token gets 401; another learner gets 404, as an unknown transcript does', async () => {
  expect((await download('/documents/transcript/rvt.lv:T-LA-2026-001-1.xml')).status).toBe(401);
  expect(
    (
      await download(
        '/documents/transcript/rvt.lv:T-LA-2026-001-1.xml',
        await hub.token('rvt.lv', ['learner'], 'rvt.lv:L-99'),
      )
    ).status,
  ).toBe(404);
  expect(
    (await download('/documents/transcript/rvt.lv:T-NONE-1.json', await hub.token('rvt.lv', ['coordinator']))).status,
  ).toBe(404);
  expect((await download('/documents/transcript/not-an-id.xml')).status).toBe(404);
});

test('anyone with a certificate code downloads the certificate credential', async () => {
  const learner = await hub.token('rvt.lv', ['learner'], 'rvt.lv:L-17');
  const record = await hub.request(
    '{ learnerRecord(learnerId: "rvt.lv:L-17") { certificates { code } } }',
    undefined,
    learner,
  );
  const code = (record.body.data?.learnerRecord as { certificates: Array<{ code: string }> }).certificates[0]
    ?.code as string;
  const certificate = await download(`/documents/certificate/${code}.json`);
  expect(certificate.status).toBe(200);
  expect(certificate.headers.get('content-disposition')).toMatch(/^attachment; filename=".+\.json"$/);
  expect(await certificate.text()).toContain('60b314e826');
});
