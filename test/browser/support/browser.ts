/**
 * Headless Chromium (Debian's, not a Playwright download) driven by
 * playwright-core, and pages watched for everything that goes wrong on them.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

/**
 * Flags for a machine without internet: no sandbox (CI containers run as root),
 * no GPU, and none of Chromium's own background traffic (updates, sync, QUIC),
 * which would otherwise flood the log with refused connections.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Launch Chromium from `CHROMIUM_PATH` (default `/usr/bin/chromium`). A plain
 * `launch` runs on a fresh temporary profile, deleted when the browser closes.
 * `env` is added to its environment (e.g. `FONTCONFIG_FILE`, to choose the fonts it sees).
 */
export async function launchChromium(env?: Record<string, string>): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    throw new Error(
      `Chromium not found at ${executablePath}: install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH`,
    );
  }
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS, ...(env && { env: { ...process.env, ...env } }) });
}

/**
 * Watch `page` and return the list (filled as they happen) of what went wrong
 * on it, one line each: console errors, uncaught exceptions, responses from
 * `origin` with status >= 400, failed requests, and any request to another
 * host (the book must work offline: a web font from a CDN is a bug).
 *
 * The browser's own request for `/favicon.ico` (made for whichever page comes
 * first, when the site declares no icon) is left to a test of its own, so that
 * a missing icon fails that test and not a page chosen by test order.
 */
export function watchPage(page: Page, origin: string): string[] {
  const problems: string[] = [];
  const favicon = `${origin}/favicon.ico`;
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const { url, lineNumber } = message.location();
    if (url === favicon) return;
    problems.push(`console error: ${message.text()}${url ? ` (${url}:${lineNumber})` : ''}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.stack ?? error.message}`));
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (/^(https?|wss?):$/.test(url.protocol) && url.origin !== origin) {
      problems.push(`request to another host: ${request.method()} ${request.url()}`);
    }
  });
  page.on('response', (response) => {
    if (response.url().startsWith(`${origin}/`) && response.status() >= 400 && response.url() !== favicon) {
      problems.push(`HTTP ${response.status()}: ${response.request().method()} ${response.url()}`);
    }
  });
  page.on('requestfailed', (request) => {
    if (request.url().startsWith(`${origin}/`)) problems.push(`request failed (${request.failure()?.errorText}): ${request.url()}`);
  });
  return problems;
}
