import type { Browser } from 'playwright-core';
import { launchChromium } from './harness/browser';
import { startTestHub, type TestHub } from './harness/hub';

/** The /outcomes editor in real headless Chromium, on the hub's public review. */
let browser: Browser;
let hub: TestHub;
beforeAll(async () => {
  browser = await launchChromium();
  hub = await startTestHub({ institutions: ['rvt.lv', 'omnia.fi'], shards: 'in-process' });
});
afterAll(async () => {
  await browser?.close();
  await hub?.dispose();
});

test('a coordinator types a statement, sees findings as they type, picks an ESCO concept and copies the outcome', async () => {
  const page = await browser.newPage();
  await page.goto(hub.url.replace(/\/graphql$/, '/outcomes'));
  await page.selectOption('#lang', 'en');
  await page.selectOption('#category', 'SKILLS');
  await page.fill('#statement', 'The learner knows photovoltaic systems.');
  await page.locator('#findings li[data-code="VAGUE_VERB"]').waitFor({ timeout: 10_000 });
  expect(await page.textContent('#findings li[data-code="VAGUE_VERB"] mark')).toBe('knows');
  expect(await page.textContent('#level')).toMatch(/Reads as KNOWLEDGE/);

  await page.fill(
    '#statement',
    'The learner is able to install photovoltaic systems on flat roofs according to the installation manual.',
  );
  await page.locator('#findings li.none').waitFor({ timeout: 10_000 });
  expect(await page.textContent('#level')).toMatch(/^EQF 3 \(install\): “A range of cognitive and practical skills/);
  const first = page.locator('#esco tbody tr').first();
  expect(await first.locator('td').nth(1).textContent()).toBe('install photovoltaic systems');
  await first.locator('input[type=checkbox]').check();
  expect(await page.locator('#similar tbody tr').count()).toBeGreaterThan(0);

  await page.click('#copy');
  const copied = JSON.parse((await page.textContent('#result')) ?? '{}') as unknown;
  expect(copied).toEqual({
    category: 'SKILLS',
    statements: [
      {
        lang: 'en',
        value:
          'The learner is able to install photovoltaic systems on flat roofs according to the installation manual.',
      },
    ],
    escoSkills: ['http://data.europa.eu/esco/skill/18d3f89a-6ac5-4ca6-bf93-0baec4e13bcd'],
  });
  if (process.env.OUTCOMES_SCREENSHOT) await page.screenshot({ path: process.env.OUTCOMES_SCREENSHOT, fullPage: true });
  await page.close();
});

test('the page is served with a content security policy that allows only the hub itself', async () => {
  const response = await fetch(hub.url.replace(/\/graphql$/, '/outcomes'));
  expect(response.status).toBe(200);
  expect(response.headers.get('content-security-policy')).toMatch(/connect-src 'self'/);
});
