import type { Page } from 'playwright-core';
import { useBrowserHub } from './harness/browser';
import { startTestHub } from './harness/hub';

/**
 * The GraphQL IDE at /graphql in real headless Chromium with every request outside the hub refused, as on an
 * offline machine or a school network without CDNs: GraphiQL loads from the hub itself, runs a query, and runs a
 * subscription with the token typed into its Headers tab.
 */
const started = useBrowserHub();

/** A page that may reach the hub only; what it tried elsewhere is collected. */
async function offlinePage(): Promise<{ page: Page; outside: string[] }> {
  const origin = new URL(started.hub.url).origin;
  const outside: string[] = [];
  const page = await started.browser.newPage();
  await page.route('**/*', async (route) => {
    const url = route.request().url();
    if (new URL(url).origin === origin || url.startsWith('data:')) return route.continue();
    outside.push(url);
    return route.abort();
  });
  return { page, outside };
}

const result = (page: Page) => page.locator('.graphiql-response .CodeMirror-code');

test('GraphiQL loads from the hub alone and runs the example query', async () => {
  const { page, outside } = await offlinePage();
  await page.goto(started.hub.url);
  await page.locator('.graphiql-execute-button').waitFor({ timeout: 30_000 });
  await page.click('.graphiql-execute-button');
  await page.waitForFunction(
    `document.querySelector('.graphiql-response')?.textContent?.includes('"units"')`,
    undefined,
    { timeout: 15_000 },
  );
  const text = (await result(page).textContent()) ?? '';
  expect(text).toContain('rvt.lv:');
  expect(text).not.toContain('errors');
  expect(outside).toEqual([]);
  await page.close();
});

test('a subscription runs over graphql-ws with the Authorization header from the Headers tab', async () => {
  const { page, outside } = await offlinePage();
  const subscription =
    'subscription { assessmentRecorded(filter: { institution: "rvt.lv", role: SENDING }) { cursor type assessment { result } } }';
  await page.addInitScript(`localStorage.setItem('graphiql:query', ${JSON.stringify(subscription)})`);
  await page.goto(started.hub.url);
  await page.locator('.graphiql-execute-button').waitFor({ timeout: 30_000 });
  await page.getByRole('button', { name: 'Headers' }).click();
  await page.locator('.graphiql-editor-tool .CodeMirror').last().click();
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText(
    JSON.stringify({ Authorization: `Bearer ${await started.hub.token('rvt.lv', ['coordinator'])}` }),
  );
  await page.click('.graphiql-execute-button');
  await page.waitForFunction(
    `document.querySelector('.graphiql-response')?.textContent?.includes('"assessmentRecorded"')`,
    undefined,
    { timeout: 15_000 },
  );
  const text = (await result(page).textContent()) ?? '';
  expect(text).toContain('"result"');
  expect(text).not.toContain('UNAUTHENTICATED');
  expect(outside).toEqual([]);
  await page.close();
});

test('the explorer serves only its own files, and a production hub has no explorer', async () => {
  const asset = await fetch(new URL('/explorer/graphiql.min.js', started.hub.url));
  expect(asset.status).toBe(200);
  expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  expect((await fetch(new URL('/explorer/react/package.json', started.hub.url))).status).toBe(404);
  expect((await fetch(new URL('/explorer/%2e%2e/package.json', started.hub.url))).status).toBe(404);

  const production = await startTestHub({
    institutions: ['rvt.lv'],
    shards: 'in-process',
    gateway: { production: true },
  });
  try {
    expect((await fetch(new URL('/explorer/graphiql.min.js', production.url))).status).toBe(404);
    const page = await fetch(production.url, { headers: { accept: 'text/html' } });
    expect(await page.text()).not.toContain('graphiql');
  } finally {
    await production.dispose();
  }
});
