import type { Browser, BrowserContext, Page } from 'playwright-core';

/** Debian's Chromium; without the background-networking flags it reaches out, which this network refuses. */
export const CHROMIUM = {
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
};

export interface OpenOptions {
  /** Put in the page's key store before it loads. */
  key?: string | undefined;
  viewport?: { width: number; height: number } | undefined;
  /** Browser permissions for the page's origin (e.g. the clipboard). */
  permissions?: string[] | undefined;
}

/**
 * A page of the app shell in a fresh browser context (its own local storage),
 * in US English, recording every script error and Content-Security-Policy or
 * Trusted Types violation in `problems`.
 */
export async function openWatchedPage(browser: Browser, url: string, problems: string[], options: OpenOptions = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ locale: 'en-US', viewport: options.viewport ?? { width: 1280, height: 900 } });
  if (options.permissions) await context.grantPermissions(options.permissions, { origin: new URL(url).origin });
  if (options.key) await context.addInitScript((key) => localStorage.setItem('reprise.apiKey', key), options.key);
  const page = await context.newPage();
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (/Content Security Policy|Trusted Type|Refused to/i.test(message.text())) problems.push(`console: ${message.text()}`);
  });
  await page.goto(url);
  return { context, page };
}
