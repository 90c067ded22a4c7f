/**
 * One way for every test to start a real browser: Debian's Chromium driven by playwright-core (never a
 * downloaded browser). `.ci/run` installs Chromium; on a machine without it, `chromiumPath()` is undefined and
 * browser suites should fail loudly in CI (`CI=true`) and skip locally.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
/** The Chromium binary from `PATH` (`which chromium`), or undefined. */
export function chromiumPath() {
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      const out = execFileSync('which', [name], { encoding: 'utf8' }).trim();
      if (out) return out;
    } catch {
      // not on PATH
    }
  }
  return undefined;
}
/** True when browser tests must run (CI) or can run (Chromium installed). */
export const browserAvailable = process.env.CI === 'true' || chromiumPath() !== undefined;
/**
 * Launches headless Chromium with the flags this machine needs (no network beyond loopback, no sandbox as root)
 * and an empty profile in a temporary folder.
 */
export async function launchBrowser() {
  const executablePath = chromiumPath();
  if (executablePath === undefined) throw new Error('Chromium is not installed (apt-get install chromium)');
  const profile = mkdtempSync(join(tmpdir(), 'phial-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
  const browser = context.browser();
  return {
    browser,
    context,
    async close() {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
//# sourceMappingURL=browser.js.map
