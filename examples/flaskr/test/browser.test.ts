/**
 * Flask's tutorial flow in a real browser (Debian's Chromium through playwright-core), against Flaskr served
 * by Phial's own server on a free port with a SQLite database of its own.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrowserSession, browserAvailable, launchBrowser } from '../../../test-support/browser.js';
import { createApp } from '../src/app.js';
import { getDb } from '../src/db.js';

describe.skipIf(!browserAvailable)('Flaskr in Chromium', () => {
  let server: Server;
  let base: string;
  let browser: BrowserSession;
  let dispose: () => Promise<void>;

  beforeAll(async () => {
    const app = createApp({ SECRET_KEY: 'browser-test' });
    dispose = await getDb(app).db.useTestDatabase(app);
    server = await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => server?.close(r));
    await dispose?.();
  });

  async function register(page: Page, username: string, password: string): Promise<void> {
    await page.goto(`${base}/auth/register`);
    await page.fill('#username', username);
    await page.fill('#password', password);
    await page.click('input[type=submit]');
    await page.waitForURL(`${base}/auth/login`);
  }

  async function logIn(page: Page, username: string, password: string): Promise<void> {
    await page.fill('#username', username);
    await page.fill('#password', password);
    await page.click('input[type=submit]');
  }

  it('registers, logs in, writes, edits and deletes a post; only its author may edit it', async () => {
    const ann = await browser.context.newPage();
    await register(ann, 'ann', 'pw-ann');
    await logIn(ann, 'ann', 'wrong');
    expect(await ann.textContent('.flash')).toBe('Incorrect password.');
    await logIn(ann, 'ann', 'pw-ann');
    await ann.waitForURL(`${base}/`);
    expect(await ann.textContent('nav span')).toBe('ann');

    await ann.click('a.action[href="/create"]');
    await ann.fill('#title', 'Hello from Chromium');
    await ann.fill('#body', 'first <b>post</b>');
    await ann.click('input[type=submit]');
    await ann.waitForURL(`${base}/`);
    expect(await ann.textContent('article.post h1')).toBe('Hello from Chromium');
    // autoescaped: the markup is text
    expect(await ann.textContent('article.post p.body')).toBe('first <b>post</b>');

    await ann.click('a.action[href$="/update"]');
    await ann.fill('#title', 'Edited title');
    await ann.click('input[type=submit][value=Save]');
    await ann.waitForURL(`${base}/`);
    expect(await ann.textContent('article.post h1')).toBe('Edited title');
    const editUrl = `${base}${await ann.getAttribute('a.action[href$="/update"]', 'href')}`;

    // another user sees the post without an Edit link and is refused its edit page
    const bobContext = await browser.browser.newContext();
    const bob = await bobContext.newPage();
    await register(bob, 'bob', 'pw-bob');
    await logIn(bob, 'bob', 'pw-bob');
    await bob.waitForURL(`${base}/`);
    expect(await bob.textContent('article.post h1')).toBe('Edited title');
    expect(await bob.locator('a.action[href$="/update"]').count()).toBe(0);
    const refused = await bob.goto(editUrl);
    expect(refused?.status()).toBe(403);

    // anonymous visitors are sent to log in, then back
    const anon = await (await browser.browser.newContext()).newPage();
    await anon.goto(`${base}/create`);
    expect(anon.url()).toBe(`${base}/auth/login?next=%2Fcreate`);
    expect(await anon.textContent('.flash')).toBe('Please log in to access this page.');
    await logIn(anon, 'bob', 'pw-bob');
    await anon.waitForURL(`${base}/create`);

    await ann.goto(editUrl);
    ann.once('dialog', (d) => d.accept());
    await ann.click('input.danger[value=Delete]');
    await ann.waitForURL(`${base}/`);
    expect(await ann.textContent('p.empty')).toBe('No posts yet.');

    await ann.click('text=Log Out');
    expect(await ann.textContent('nav')).toContain('Log In');
    await bobContext.close();
  }, 60_000);
});
