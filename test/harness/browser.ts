import { chromium, type Browser } from 'playwright-core';
import { createDemoMobilities } from '../../scripts/demo-mobilities';
import { startTestHub, type TestHub } from './hub';

/** Debian's headless Chromium (playwright-core downloads no browser); CHROMIUM_PATH points at another. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

/** What the pages the hub serves are tried against: Riga and Avilés with the demo mobilities, and a browser. */
export interface BrowserHub {
  hub: TestHub;
  browser: Browser;
  dispose(): Promise<void>;
}

export async function startBrowserHub(): Promise<BrowserHub> {
  const hub = await startTestHub({ institutions: ['rvt.lv', 'cifp-aviles.es'], mobilities: true, shards: 'in-process' });
  await createDemoMobilities(hub.url, false, hub.tokenSecret);
  const browser = await launchChromium();
  return {
    hub,
    browser,
    dispose: async () => {
      await browser.close();
      await hub.dispose();
    },
  };
}

/** Starts a BrowserHub before the file's tests and disposes of it after them; its fields are set once started. */
export function useBrowserHub(): { hub: TestHub; browser: Browser } {
  const current = {} as { hub: TestHub; browser: Browser };
  let started: BrowserHub | undefined;
  beforeAll(async () => {
    started = await startBrowserHub();
    Object.assign(current, { hub: started.hub, browser: started.browser });
  });
  afterAll(async () => started?.dispose());
  return current;
}
