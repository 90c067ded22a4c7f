/**
 * The dashboard in a real browser (Debian's Chromium through playwright-core) against Phial's own server:
 * the chart receives new points over SSE, a command sent from one page reaches another over the
 * WebSocket control channel, and closing a page stops its producer on the server.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrowserSession, browserAvailable, launchBrowser } from '../../../test-support/browser.js';
import { createApp, stateOf } from '../src/app.js';

describe.skipIf(!browserAvailable)('dashboard in Chromium', () => {
  const app = createApp();
  let server: Server;
  let base: string;
  let browser: BrowserSession;

  beforeAll(async () => {
    server = await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
  });

  async function open(): Promise<Page> {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${base}/`);
    await page.waitForFunction("document.getElementById('status').textContent === 'live'");
    expect(errors).toEqual([]);
    return page;
  }

  async function producers(): Promise<number> {
    const res = await fetch(`${base}/stats`);
    return ((await res.json()) as { producers: number }).producers;
  }

  it('plots live points, shares commands between pages, and stops a closed page’s producer', async () => {
    const a = await open();
    const b = await open();
    expect(await a.evaluate('typeof window.Chart')).toBe('function');

    // a faster rate from page A: both pages hear it, and A's chart gains points quickly
    await a.fill('#rate', '100');
    await a.click('#rate-form button');
    await b.waitForFunction("document.getElementById('current-rate').textContent === '100'");
    expect(stateOf(app).rateMs).toBe(100);
    const before = (await a.evaluate('window.dashboard.points()')) as number;
    await a.waitForFunction(`window.dashboard.points() >= ${before + 5}`, undefined, { timeout: 5000 });
    // the points are in the chart's data, not just counted
    const plotted = (await a.evaluate('window.dashboard.chart.data.datasets[0].data.length')) as number;
    expect(plotted).toBeGreaterThanOrEqual(before + 5);

    // an annotation posted on B shows up on A
    await b.fill('#note', 'deploy v2');
    await b.click('#annotate-form button');
    await a.waitForFunction("document.getElementById('annotations').textContent.includes('deploy v2')");

    // two producers while two pages are open; closing B stops its producer on the server
    expect(await producers()).toBe(2);
    await b.close();
    const deadline = Date.now() + 5000;
    while ((await producers()) !== 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await producers()).toBe(1);
    await a.close();
  }, 60_000);
});
