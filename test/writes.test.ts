import { startTestHub, type TestHub } from './harness/hub';
import { seedUnits } from './seeds';

/** Only the owning institution's coordinators change its units and qualifications. */
let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub({ institutions: ['rvt.lv', 'omnia.fi'], shards: 'in-process' });
});
afterAll(async () => hub?.dispose());

const rvtUnit = () => seedUnits(['rvt.lv'])[0]?.id as string;
const UPDATE =
  'mutation($id: ID!, $title: String!) { updateUnit(id: $id, input: { titles: [{ lang: "en", value: $title }] }) { id title } }';

test('a viewer of the owner, a coordinator of another institution and an anonymous caller are refused', async () => {
  const refusals: Array<[string | undefined, string, RegExp]> = [
    [await hub.token('rvt.lv', ['viewer']), 'FORBIDDEN', /Only a coordinator of rvt\.lv/],
    [
      await hub.token('omnia.fi', ['coordinator']),
      'FORBIDDEN',
      /Only rvt\.lv may change its units; the caller belongs to omnia\.fi/,
    ],
    [undefined, 'UNAUTHENTICATED', /signed-in caller/],
  ];
  for (const [token, code, message] of refusals) {
    const answer = await hub.request(UPDATE, { id: rvtUnit(), title: 'Hijacked' }, token);
    expect(answer.body.errors?.[0]?.extensions?.code).toBe(code);
    expect(answer.body.errors?.[0]?.message).toMatch(message);
  }
  const unchanged = await hub.request(`{ unit(id: "${rvtUnit()}") { title } }`);
  expect((unchanged.body.data?.unit as { title: string }).title).not.toBe('Hijacked');
});

test('a coordinator changes and retires their own unit; search sees the change at once', async () => {
  const token = await hub.token('rvt.lv', ['coordinator']);
  const updated = await hub.request(
    UPDATE,
    { id: rvtUnit(), title: 'Aardvark-grade tungsten inert gas welding' },
    token,
  );
  expect(updated.body).toEqual({
    data: { updateUnit: { id: rvtUnit(), title: 'Aardvark-grade tungsten inert gas welding' } },
  });

  const first = await hub.request(
    '{ units(first: 1) { nodes { id } } search: units(filter: { text: "aardvark" }) { nodes { id } } }',
  );
  expect(first.body.data).toEqual({ units: { nodes: [{ id: rvtUnit() }] }, search: { nodes: [{ id: rvtUnit() }] } });

  const retire = 'mutation($id: ID!) { retireUnit(id: $id) { id status } }';
  expect((await hub.request(retire, { id: rvtUnit() }, token)).body).toEqual({
    data: { retireUnit: { id: rvtUnit(), status: 'RETIRED' } },
  });
  const again = await hub.request(retire, { id: rvtUnit() }, token);
  expect(again.body.errors?.[0]?.extensions?.code).toBe('CONFLICT');
  const active = await hub.request('{ units(filter: { status: RETIRED }) { nodes { id } } }');
  expect(active.body.data).toEqual({ units: { nodes: [{ id: rvtUnit() }] } });
});

test("createQualification goes to the caller's own institution", async () => {
  const token = await hub.token('omnia.fi', ['coordinator']);
  const answer = await hub.request(
    `mutation { createQualification(input: { localId: "BAKER", titles: [{ lang: "fi", value: "Leipuri" }, { lang: "en", value: "Baker" }],
      eqfLevel: 4, iscedCode: "0721", ecvetPoints: 180 }) { id title(lang: "fi") institution { id } } }`,
    undefined,
    token,
  );
  expect(answer.body).toEqual({
    data: { createQualification: { id: 'omnia.fi:BAKER', title: 'Leipuri', institution: { id: 'omnia.fi' } } },
  });
});

test("accepted writes are in the audit trail, readable by the owner's coordinators only", async () => {
  const coordinator = await hub.token('rvt.lv', ['coordinator']);
  const trail = `query($since: DateTime) { qualificationsAuditTrail(institution: "rvt.lv", since: $since, first: 100) {
    totalCount nodes { kind action entityId institution roles subject requestId input at } } }`;
  const since = new Date(Date.now() - 600_000).toISOString();
  const answer = await hub.request(trail, { since }, coordinator);
  expect(answer.body.errors).toBeUndefined();
  const entries = (
    answer.body.data?.qualificationsAuditTrail as { nodes: Array<Record<string, unknown>> }
  ).nodes.filter((n) => n.subject !== 'seed');
  expect(entries.map((e) => [e.action, e.entityId])).toEqual([
    ['updateUnit', rvtUnit()],
    ['retireUnit', rvtUnit()],
  ]);
  expect(entries[0]).toEqual(
    expect.objectContaining({
      kind: 'qualifications',
      institution: 'rvt.lv',
      roles: ['coordinator'],
      subject: 'demo:coordinator@rvt.lv',
    }),
  );
  expect(JSON.parse(entries[0]?.input as string)).toEqual({
    titles: [{ lang: 'en', value: 'Aardvark-grade tungsten inert gas welding' }],
  });
  expect(String(entries[0]?.requestId)).toMatch(/^[0-9a-f-]{36}$/);

  for (const token of [await hub.token('rvt.lv', ['viewer']), await hub.token('omnia.fi', ['coordinator'])]) {
    const refused = await hub.request(trail, { since }, token);
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  }
});
