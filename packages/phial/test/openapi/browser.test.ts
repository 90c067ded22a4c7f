/**
 * The live docs in a real Chromium: every asset comes from the app (requests elsewhere are refused and
 * recorded), Swagger UI lists the operations and "Try it out" on a POST shows the app's real answer, ReDoc
 * renders the operations.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrowserSession, browserAvailable, launchBrowser } from '../../../../test-support/browser.js';
import { makeApi } from './fixture.js';

let server: Server;
let base: string;
let browser: BrowserSession;

beforeAll(async () => {
  if (!browserAvailable) return;
  const { app } = makeApi();
  server = await app.listen(0, '127.0.0.1');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (server) {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

describe.skipIf(!browserAvailable)('live docs in Chromium', () => {
  it('Swagger UI at /docs lists the operations and Try it out returns the real answer', async () => {
    const page = await browser.context.newPage();
    const outside: string[] = [];
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(base) || url.startsWith('data:')) return route.continue();
      outside.push(url);
      return route.abort();
    });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${base}/docs`);
    await page.waitForSelector('.opblock', { timeout: 15000 });
    const summaries = await page.locator('.opblock-summary-path').allTextContents();
    expect(summaries.map((s) => s.replace(/\u200b/g, ''))).toEqual(
      expect.arrayContaining(['/pets/', '/pets/{id}', '/echo/{word}', '/multi']),
    );
    expect(await page.locator('.info .title').textContent()).toContain('Pet shop');

    // open "POST /pets/", Try it out, fill the body, Execute
    const op = page.locator('#operations-pets-pets_createPet');
    await op.locator('.opblock-summary').click();
    await op.getByRole('button', { name: 'Try it out' }).click();
    const body = op.locator('textarea.body-param__text');
    await body.fill(JSON.stringify({ name: 'Felix', tags: ['cat'] }));
    await op.getByRole('button', { name: 'Execute' }).click();
    const status = op.locator('.live-responses-table .response .response-col_status').first();
    await expect.poll(() => status.textContent(), { timeout: 15000 }).toContain('201');
    const shown = await op.locator('.live-responses-table .response .microlight').first().textContent();
    expect(JSON.parse(shown ?? '')).toEqual({ id: 2, name: 'Felix', tags: ['cat'] });

    // the app really has it
    const res = await fetch(`${base}/pets/2`);
    expect(await res.json()).toEqual({ id: 2, name: 'Felix', tags: ['cat'] });
    expect(outside).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('ReDoc at /redoc renders the operations from the app, without a CDN', async () => {
    const page = await browser.context.newPage();
    const outside: string[] = [];
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(base) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
      outside.push(url);
      return route.abort();
    });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${base}/redoc`);
    await page.waitForSelector('h1', { timeout: 20000 });
    await expect
      .poll(() => page.locator('h1').first().textContent(), { timeout: 20000 })
      .toContain('Pet shop');
    const text = (await page.locator('body').textContent()) ?? '';
    expect(text).toContain('List pets');
    expect(text).toContain('Create Pet');
    expect(text).toContain('Echoes the body.');
    expect(outside).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
