import { addDays, today } from '../subgraphs/mobilities/dates';
import { useBrowserHub } from './harness/browser';

/** The dashboard in real headless Chromium: an assessment recorded through the API appears as a row. */
const started = useBrowserHub();

test('a coordinator signs in, sees the assessments so far, and a new one appears live with its unit title', async () => {
  const page = await started.browser.newPage();
  await page.goto(started.hub.url.replace(/\/graphql$/, '/dashboard'));
  await page.fill('#token', await started.hub.token('rvt.lv', ['coordinator']));
  await page.fill('#institution', 'rvt.lv');
  await page.click('button[type=submit]');
  await page.locator('#events tbody tr').nth(1).waitFor({ timeout: 15_000 });
  expect(await page.locator('#events tbody tr').count()).toBe(2);

  const assessor = await started.hub.token('cifp-aviles.es', ['assessor']);
  const agreement = await started.hub.request(
    '{ learningAgreement(id: "rvt.lv:LA-2026-001") { assessments { id unit { id } } } }',
    undefined,
    assessor,
  );
  const assessments = (
    agreement.body.data?.learningAgreement as { assessments: Array<{ id: string; unit: { id: string } }> }
  ).assessments;
  const id = assessments.find((a) => a.unit.id === 'rvt.lv:WELD-U5')?.id;
  const corrected = await started.hub.request(
    `mutation($id: ID!) { correctAssessment(id: $id, input: { result: NOT_ACHIEVED, grade: "3/10", assessedOn: "${addDays(today(), -20)}", reason: "Weld seam failed the bend test" }) { grade } }`,
    { id },
    assessor,
  );
  expect(corrected.body.errors).toBeUndefined();

  await page.locator('#events tbody tr').nth(2).waitFor({ timeout: 10_000 });
  const newest = await page.$$eval('#events tbody tr:first-child td', (cells) => cells.map((cell) => cell.textContent));
  expect(newest.slice(1, 5)).toEqual([
    'corrected',
    'MAG welding with solid and flux-cored wire (135, 136)',
    'NOT_ACHIEVED',
    '3/10',
  ]);
  expect(await page.$$eval('#counters tbody tr td', (cells) => cells.map((cell) => cell.textContent))).toEqual([
    'rvt.lv:LA-2026-001',
    'Anna Bērziņa',
    '3',
  ]);
  if (process.env.DASHBOARD_SCREENSHOT)
    await page.screenshot({ path: process.env.DASHBOARD_SCREENSHOT, fullPage: true });
  await page.close();
});

test("an institution other than the token's says why the table stays empty, instead of waiting silently", async () => {
  const page = await started.browser.newPage();
  await page.goto(started.hub.url.replace(/\/graphql$/, '/dashboard'));
  await page.fill('#token', await started.hub.token('cifp-aviles.es', ['coordinator']));
  await page.fill('#institution', 'omnia.fi');
  await page.click('button[type=submit]');
  await page.locator('#status.warning').waitFor({ timeout: 15_000 });
  expect(await page.textContent('#status')).toMatch(
    /The token is cifp-aviles\.es's: it sees only mobilities cifp-aviles\.es is party to/,
  );

  await page.fill('#token', 'Bearer not-a-token');
  await page.click('button[type=submit]');
  expect(await page.textContent('#status')).toMatch(/That is not a token/);
  await page.close();
});

test("fits a phone's width: the form stacks and the tables scroll inside the page", async () => {
  const page = await started.browser.newPage({ viewport: { width: 360, height: 740 } });
  await page.goto(started.hub.url.replace(/\/graphql$/, '/dashboard'));
  await page.fill('#token', await started.hub.token('rvt.lv', ['coordinator']));
  await page.click('button[type=submit]');
  await page.locator('#events tbody tr').first().waitFor({ timeout: 15_000 });
  expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
  await page.close();
});

test('per-outcome results appear with the assessment as they arrive, evidence on hover', async () => {
  const page = await started.browser.newPage();
  await page.goto(started.hub.url.replace(/\/graphql$/, '/dashboard'));
  await page.fill('#token', await started.hub.token('rvt.lv', ['coordinator']));
  await page.click('button[type=submit]');
  await page.locator('#events tbody tr').nth(1).waitFor({ timeout: 15_000 });
  const assessor = await started.hub.token('cifp-aviles.es', ['assessor']);
  const agreement = await started.hub.request(
    '{ learningAgreement(id: "rvt.lv:LA-2026-001") { assessments { id unit { id } } } }',
    undefined,
    assessor,
  );
  const id = (
    agreement.body.data?.learningAgreement as { assessments: Array<{ id: string; unit: { id: string } }> }
  ).assessments.find((a) => a.unit.id === 'rvt.lv:WELD-U4')?.id;
  const corrected = await started.hub.request(
    `mutation($id: ID!) { correctAssessment(id: $id, input: { result: ACHIEVED, grade: "7/10", assessedOn: "${addDays(today(), -20)}", reason: "Outcomes assessed one by one",
      outcomeResults: [{ learningOutcomeId: "rvt.lv:WELD-U4-LO1", result: ACHIEVED, evidence: "Bend test passed" },
                       { learningOutcomeId: "rvt.lv:WELD-U4-LO2", result: NOT_ACHIEVED }] }) { revision } }`,
    { id },
    assessor,
  );
  expect(corrected.body.errors).toBeUndefined();
  // The correction's own row: the history replayed at subscription may still be arriving, so the newest row (or the
  // row count) does not tell which event it is; no demo event has per-outcome results.
  const row = page.locator('#events tbody tr', { hasText: 'WELD-U4-LO1' });
  await row.waitFor({ timeout: 10_000 });
  const outcomes = row.locator('td').nth(5);
  expect(await outcomes.textContent()).toBe('WELD-U4-LO1 ✓ · WELD-U4-LO2 ✗');
  expect(await outcomes.locator('span').first().getAttribute('title')).toBe('Bend test passed');
  await page.close();
});
