import { type Browser, type BrowserContext } from 'playwright-core';
/** The Chromium binary from `PATH` (`which chromium`), or undefined. */
export declare function chromiumPath(): string | undefined;
/** True when browser tests must run (CI) or can run (Chromium installed). */
export declare const browserAvailable: boolean;
/** A started browser and a fresh context; `close()` ends both and removes the profile folder. */
export interface BrowserSession {
  browser: Browser;
  context: BrowserContext;
  close(): Promise<void>;
}
/**
 * Launches headless Chromium with the flags this machine needs (no network beyond loopback, no sandbox as root)
 * and an empty profile in a temporary folder.
 */
export declare function launchBrowser(): Promise<BrowserSession>;
//# sourceMappingURL=browser.d.ts.map
