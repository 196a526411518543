import { chromium, type Browser } from 'playwright-core';

/** Debian's headless Chromium (playwright-core downloads no browser); CHROMIUM_PATH points at another. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}
