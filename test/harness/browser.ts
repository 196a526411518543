import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { createDemoMobilities } from '../../scripts/demo-mobilities';
import { startTestHub, type TestHub } from './hub';

/**
 * Debian's headless Chromium (playwright-core downloads no browser); CHROMIUM_PATH points at another. Without it,
 * fails naming what is missing and how to get it: the browser tests are part of the suite, and CI installs Chromium.
 */
export function launchChromium(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    throw new Error(
      `This test file drives Chromium, and there is none at ${executablePath}. Install it (\`sudo apt-get install chromium\` on Debian ` +
        'or Ubuntu), or point CHROMIUM_PATH at a Chromium or Chrome executable.',
    );
  }
  return chromium.launch({
    executablePath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
}

/** What the pages the hub serves are tried against: Riga and Avilés with the demo mobilities, and a browser. */
export interface BrowserHub {
  hub: TestHub;
  browser: Browser;
  dispose(): Promise<void>;
}

export async function startBrowserHub(): Promise<BrowserHub> {
  // The browser first: without one, the file fails at once, before a hub is started for nothing.
  const browser = await launchChromium();
  let hub: TestHub | undefined;
  try {
    hub = await startTestHub({ institutions: ['rvt.lv', 'cifp-aviles.es'], mobilities: true, shards: 'in-process' });
    await createDemoMobilities(hub.url, false, hub.tokenSecret);
  } catch (error) {
    await hub?.dispose();
    await browser.close();
    throw error;
  }
  const started = hub;
  return {
    hub: started,
    browser,
    dispose: async () => {
      await browser.close();
      await started.dispose();
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
