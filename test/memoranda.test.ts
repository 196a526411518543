import { openDatabase } from '../subgraphs/shared/database';
import { mobilitiesEntities, mobilitiesMigrations } from '../subgraphs/mobilities/entities';
import { MemorandumPartnerRecord, MemorandumRecord } from '../subgraphs/mobilities/memorandum/memorandum.entity';
import { addDays, today } from '../subgraphs/mobilities/dates';
import { testDatabases } from './harness/databases';
import { startTestHub, type TestHub } from './harness/hub';

/**
 * `memoranda` through the hub, filtered by status: memoranda of both partners' shards in every status, read
 * page by page. Each page is full, `hasNextPage` and `totalCount` are exact, and the pages add up to the
 * whole list. Institutions that are no partner, and learners, see none.
 */
let hub: TestHub;
const tokens: Record<string, string> = {};
beforeAll(async () => {
  hub = await startTestHub({
    institutions: ['rvt.lv', 'cifp-aviles.es', 'omnia.fi'],
    shards: 'in-process',
    mobilities: true,
  });
  tokens['rvt.lv'] = await hub.token('rvt.lv', ['coordinator']);
  tokens['cifp-aviles.es'] = await hub.token('cifp-aviles.es', ['coordinator']);
  tokens['omnia.fi'] = await hub.token('omnia.fi', ['coordinator']);
  tokens.learner = await hub.token('rvt.lv', ['learner'], 'rvt.lv:L-17');
});
afterAll(async () => hub?.dispose());

type Proposer = 'rvt.lv' | 'cifp-aviles.es';
type Status = 'DRAFT' | 'PARTIALLY_SIGNED' | 'IN_EFFECT' | 'EXPIRED' | 'TERMINATED';
const STATUSES: Status[] = ['DRAFT', 'PARTIALLY_SIGNED', 'IN_EFFECT', 'EXPIRED', 'TERMINATED'];

interface Plan {
  title: string;
  proposer: Proposer;
  status: Status;
}

// By title, the order the hub lists them in: statuses interleave, so a filter applied after paging would leave gaps.
const PLANS: Plan[] = [
  { title: 'A Welding', proposer: 'rvt.lv', status: 'IN_EFFECT' },
  { title: 'B Tourism', proposer: 'cifp-aviles.es', status: 'DRAFT' },
  { title: 'C Catering', proposer: 'rvt.lv', status: 'PARTIALLY_SIGNED' },
  { title: 'D Logistics', proposer: 'cifp-aviles.es', status: 'IN_EFFECT' },
  { title: 'E Carpentry', proposer: 'rvt.lv', status: 'EXPIRED' },
  { title: 'F Nursing', proposer: 'rvt.lv', status: 'TERMINATED' },
  { title: 'G Electrics', proposer: 'cifp-aviles.es', status: 'PARTIALLY_SIGNED' },
  { title: 'H Plumbing', proposer: 'rvt.lv', status: 'DRAFT' },
  { title: 'I Masonry', proposer: 'cifp-aviles.es', status: 'TERMINATED' },
  { title: 'J Robotics', proposer: 'rvt.lv', status: 'IN_EFFECT' },
  { title: 'K Farming', proposer: 'cifp-aviles.es', status: 'EXPIRED' },
];
const other = (proposer: Proposer): Proposer => (proposer === 'rvt.lv' ? 'cifp-aviles.es' : 'rvt.lv');
const idOf = (plan: Plan) => `${plan.proposer}:MOU-${plan.title[0]}`;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the test reads answers whose shape each assertion states anyway.
async function ok(query: string, variables: Record<string, unknown>, token: string): Promise<Record<string, any>> {
  const answer = await hub.request(query, variables, token);
  expect(answer.body.errors).toBeUndefined();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as the signature says
  return answer.body.data as Record<string, any>;
}

const PROPOSE = 'mutation($input: ProposeMemorandumInput!) { proposeMemorandum(input: $input) { id contentHash } }';
const SIGN =
  'mutation($id: ID!, $h: String!) { signMemorandum(id: $id, contentHash: $h, signature: { signerName: "N", signerPosition: "Director" }) { status } }';
const TERMINATE = 'mutation($id: ID!) { terminateMemorandum(id: $id, reason: "The programme closed") { status } }';

beforeAll(async () => {
  for (const plan of PLANS) {
    // Proposals in the past are allowed (validUntil need only follow validFrom), and signing them completes them: EXPIRED.
    const expired = plan.status === 'EXPIRED';
    const proposed = await ok(
      PROPOSE,
      {
        input: {
          localId: `MOU-${plan.title[0]}`,
          titles: [{ lang: 'en', value: plan.title }],
          partners: [other(plan.proposer)],
          qualificationIds: ['rvt.lv:WELD'],
          procedures: {
            assessment: 'By the host',
            documentation: 'Transcript of records',
            validation: 'By the sender',
            recognition: 'Full credit',
          },
          validFrom: expired ? '2020-01-01' : '2025-01-01',
          validUntil: expired ? addDays(today(), -1) : '2030-12-31',
        },
      },
      tokens[plan.proposer] as string,
    );
    const { id, contentHash } = proposed.proposeMemorandum as { id: string; contentHash: string };
    expect(id).toBe(idOf(plan));
    const signers =
      plan.status === 'DRAFT'
        ? []
        : plan.status === 'PARTIALLY_SIGNED'
          ? [other(plan.proposer)]
          : [plan.proposer, other(plan.proposer)];
    for (const signer of signers) await ok(SIGN, { id, h: contentHash }, tokens[signer] as string);
    if (plan.status === 'TERMINATED') await ok(TERMINATE, { id }, tokens[other(plan.proposer)] as string);
  }
});

const LIST = `query($status: MemorandumStatus, $first: Int!, $after: String) {
  memoranda(status: $status, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { id status } }
}`;

interface Listed {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: Array<{ id: string; status: Status }>;
}

async function list(token: string, status: Status | null, first: number, after: string | null = null): Promise<Listed> {
  return (await ok(LIST, { status, first, after }, token)).memoranda as Listed;
}

test('each memorandum shows the status it was brought to, to both partners', async () => {
  const expected = PLANS.map((plan) => ({ id: idOf(plan), status: plan.status }));
  for (const partner of ['rvt.lv', 'cifp-aviles.es']) {
    const all = await list(tokens[partner] as string, null, 100);
    expect(all).toEqual({
      totalCount: PLANS.length,
      pageInfo: { hasNextPage: false, endCursor: expect.any(String) },
      nodes: expected,
    });
  }
});

test.each(STATUSES)('filtered by %s, the whole list holds exactly the memoranda in that status', async (status) => {
  const expected = PLANS.filter((plan) => plan.status === status).map((plan) => ({ id: idOf(plan), status }));
  for (const partner of ['rvt.lv', 'cifp-aviles.es']) {
    const all = await list(tokens[partner] as string, status, 100);
    expect(all).toEqual({
      totalCount: expected.length,
      pageInfo: { hasNextPage: false, endCursor: expect.any(String) },
      nodes: expected,
    });
  }
});

test.each([1, 2])(
  'pages of %i under each status filter are full, end exactly, and add up to the whole list',
  async (first) => {
    const token = tokens['rvt.lv'] as string;
    for (const status of [null, ...STATUSES]) {
      const whole = await list(token, status, 100);
      const read: Listed['nodes'] = [];
      let after: string | null = null;
      for (;;) {
        const page = await list(token, status, first, after);
        expect(page.totalCount).toBe(whole.totalCount);
        read.push(...page.nodes);
        expect(page.pageInfo.hasNextPage).toBe(read.length < whole.nodes.length);
        if (!page.pageInfo.hasNextPage) {
          expect(page.nodes.length).toBeGreaterThan(0);
          break;
        }
        expect(page.nodes).toHaveLength(first);
        after = page.pageInfo.endCursor;
      }
      expect(read).toEqual(whole.nodes);
    }
  },
);

test('an institution that is no partner, and a learner of a partner, see none', async () => {
  for (const token of [tokens['omnia.fi'] as string, tokens.learner as string]) {
    for (const status of [null, ...STATUSES]) {
      expect(await list(token, status, 20)).toEqual({
        totalCount: 0,
        pageInfo: { hasNextPage: false, endCursor: null },
        nodes: [],
      });
    }
  }
});

test('the migration gives memoranda written before it their partner rows', async () => {
  const databases = testDatabases();
  const url = databases.url('memoranda_backfill');
  const before = mobilitiesMigrations.filter((migration) => migration.name !== 'IndexMemorandumPartners1763900000160');
  expect(before).toHaveLength(mobilitiesMigrations.length - 1);
  try {
    const old = await openDatabase({ url, entities: mobilitiesEntities, migrations: before });
    try {
      for (const [id, partners] of [
        ['MOU-1', ['rvt.lv', 'cifp-aviles.es']],
        ['MOU-2', ['rvt.lv', 'omnia.fi', 'bbs-hannover.de']],
      ] as const) {
        await old.dataSource.manager.insert(MemorandumRecord, {
          id,
          titles: [{ lang: 'en', value: id }],
          proposer: 'rvt.lv',
          partners: [...partners],
          qualificationIds: ['rvt.lv:WELD'],
          unitIds: [],
          procedures: { assessment: 'A', documentation: 'D', validation: 'V', recognition: 'R' },
          validFrom: '2025-01-01',
          validUntil: '2030-12-31',
          contentHash: 'c'.repeat(64),
          terminationReason: null,
          sortKey: id,
          createdAt: new Date(),
        });
      }
    } finally {
      await old.close();
    }
    const migrated = await openDatabase({ url, entities: mobilitiesEntities, migrations: mobilitiesMigrations });
    try {
      const rows = await migrated.dataSource.manager.find(MemorandumPartnerRecord);
      expect(rows.map((row) => `${row.memorandumId} ${row.institution}`).sort()).toEqual([
        'MOU-1 cifp-aviles.es',
        'MOU-1 rvt.lv',
        'MOU-2 bbs-hannover.de',
        'MOU-2 omnia.fi',
        'MOU-2 rvt.lv',
      ]);
    } finally {
      await migrated.close();
    }
  } finally {
    await databases.dispose();
  }
});
