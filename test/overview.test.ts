import type { Browser, Page } from 'playwright-core';
import { createDemoMobilities } from '../scripts/demo-mobilities';
import { today } from '../subgraphs/mobilities/dates';
import { launchChromium } from './harness/browser';
import { startTestHub, type TestHub } from './harness/hub';

/**
 * /overview in real headless Chromium: an agency's charts of the live statistics, redrawn when a recognition
 * decision is made. The hub counts every learner here (threshold 1): the demo has one finished mobility, and what is
 * tested is the page and its live updates; suppression is test/statistics.test.ts's.
 */
let browser: Browser;
let hub: TestHub;
beforeAll(async () => {
  browser = await launchChromium();
  hub = await startTestHub({
    institutions: ['rvt.lv', 'cifp-aviles.es'],
    mobilities: true,
    recognition: true,
    shards: 'in-process',
    agencies: [{ code: 'viaa.gov.lv', country: 'LV', countries: ['LV', 'ES'] }],
    gateway: { statistics: { suppressionThreshold: 1, debounceMs: 100 } },
  });
  await createDemoMobilities(hub.url, true, hub.tokenSecret);
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await hub?.dispose();
});

async function openOverview(page: Page): Promise<void> {
  await page.goto(hub.url.replace(/\/graphql$/, '/overview'));
  await page.fill('#token', await hub.token('viaa.gov.lv', ['agency']));
  await page.click('button[type=submit]');
  await page.locator('body[data-updates="1"][data-unit-updates="1"]').waitFor({ timeout: 15_000 });
}

test('an agency sees charts of the demo data, and they change when a recognition decision is made', async () => {
  const page = await browser.newPage();
  await openOverview(page);
  expect(await page.textContent('#recognition-rate')).toBe('100 %');
  // Chart.js's own record of what each canvas shows (the page has no DOM typings here, so an expression).
  const drawn = () =>
    page.evaluate<Array<{ labels: string[] | null; values: number[][] | null }>>(
      `['pairs', 'rate', 'uptake', 'field', 'level', 'days'].map((id) => {
        const data = Chart.getChart(id)?.data;
        return { labels: data?.labels ?? null, values: data?.datasets.map((d) => d.data) ?? null };
      })`,
    );
  const [pairs, rate, uptake, field, level, days] = await drawn();
  // LA-2026-001 (LV → ES, signed) and LA-2026-014 (ES → LV, in preparation).
  expect(pairs).toEqual({
    labels: ['ES → LV', 'LV → ES'],
    values: [
      [1, 0],
      [0, 1],
    ],
  });
  expect(rate).toEqual({ labels: ['LV'], values: [[100]] });
  expect(uptake?.labels?.length).toBeGreaterThan(0);
  // Both recognised units are welding units of one qualification; 14 days from the mobility's end to the decisions.
  const units = await hub.request('{ unit(id: "rvt.lv:WELD-U4") { eqfLevel qualification { iscedCode } } }');
  const weld = units.body.data?.unit as { eqfLevel: number; qualification: { iscedCode: string } };
  expect(field).toEqual({ labels: [weld.qualification.iscedCode], values: [[100]] });
  expect(level).toEqual({ labels: [`EQF ${weld.eqfLevel}`], values: [[100]] });
  expect(days).toEqual({ labels: [today().slice(0, 7)], values: [[14]] });

  const coordinator = await hub.token('rvt.lv', ['coordinator']);
  const read = await hub.request(
    '{ learningAgreement(id: "rvt.lv:LA-2026-001") { recognition { decisions { id unitId } } } }',
    {},
    coordinator,
  );
  const decisions = (
    read.body.data?.learningAgreement as { recognition: { decisions: Array<{ id: string; unitId: string }> } }
  ).recognition.decisions;
  // Over HTTP too: asked again, the rate is the kept answer; asked after the write, the write's.
  const agency = await hub.token('viaa.gov.lv', ['agency']);
  const rateNow = async () => {
    const answer = await hub.request(
      '{ ecvetStatistics(groupBy: [COUNTRY]) { cells { measure country value } } }',
      {},
      agency,
    );
    const cells = (answer.body.data?.ecvetStatistics as { cells: Array<{ measure: string; value: number | null }> })
      .cells;
    return cells.find((cell) => cell.measure === 'RECOGNITION_RATE')?.value;
  };
  expect(await rateNow()).toBe(1);
  expect(await rateNow()).toBe(1);
  const revised = await hub.request(
    'mutation($id: ID!) { reviseRecognition(id: $id, input: { decision: REFUSED, reason: "Seam failed the bend test" }) { id } }',
    { id: decisions.find((d) => d.unitId === 'rvt.lv:WELD-U5')?.id },
    coordinator,
  );
  expect(revised.body.errors).toBeUndefined();
  expect(await rateNow()).toBe(0.5);
  await page.locator('body[data-updates="2"][data-unit-updates="2"]').waitFor({ timeout: 10_000 });
  expect(await page.textContent('#recognition-rate')).toBe('50 %');
  const after = await drawn();
  expect(after[1]).toEqual({ labels: ['LV'], values: [[50]] });
  expect(after[3]).toEqual({ labels: [weld.qualification.iscedCode], values: [[50]] });
  expect(after[4]).toEqual({ labels: [`EQF ${weld.eqfLevel}`], values: [[50]] });
  // The refused unit has no days any more; the recognised one keeps its 14.
  expect(after[5]).toEqual({ labels: [today().slice(0, 7)], values: [[14]] });
  await page.close();
});

test('is usable on a phone: nothing wider than the screen, all six charts drawn', async () => {
  const page = await browser.newPage({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
  await openOverview(page);
  const widths = {
    page: await page.$eval('html', (html) => html.scrollWidth),
    canvases: await page.$$eval('canvas', (canvases) =>
      canvases.map((canvas) => {
        const box = canvas.getBoundingClientRect();
        return { width: box.width, right: box.right };
      }),
    ),
  };
  expect(widths.page).toBeLessThanOrEqual(360);
  expect(widths.canvases).toHaveLength(6);
  for (const { width, right } of widths.canvases) {
    expect(width).toBeGreaterThan(200);
    expect(right).toBeLessThanOrEqual(360);
  }
  // The three charts of decisions by field, level and days hold data on the phone too.
  const labelled = await page.evaluate<number[]>(
    `['field', 'level', 'days'].map((id) => Chart.getChart(id)?.data.labels?.length ?? 0)`,
  );
  expect(labelled).toEqual([1, 1, 1]);
  await page.close();
});

test('the page and its chart library come from the hub itself', async () => {
  const base = hub.url.replace(/\/graphql$/, '');
  const page = await fetch(`${base}/overview`);
  expect(page.headers.get('content-security-policy')).toContain("script-src 'self' 'unsafe-inline'");
  const html = await page.text();
  expect(html).toContain('<script src="/overview/chart.umd.min.js"></script>');
  expect(html).not.toMatch(/<script src="https?:/);
  const library = await fetch(`${base}/overview/chart.umd.min.js`);
  expect(library.status).toBe(200);
  expect(await library.text()).toContain('Chart');
});
