/**
 * Flask's tutorial flow in a real browser (Debian's Chromium through playwright-core), against Flaskr served
 * by Phial's own server on a free port with a SQLite database of its own.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrowserSession, browserAvailable, launchBrowser } from '../../../test-support/browser.js';
import { startSmtp, type TestSmtp } from '../../../test-support/smtp.js';
import { createApp } from '../src/app.js';
import { getDb } from '../src/db.js';

describe.skipIf(!browserAvailable)('Flaskr in Chromium', () => {
  let server: Server;
  let base: string;
  let browser: BrowserSession;
  let dispose: () => Promise<void>;
  let smtp: TestSmtp;

  beforeAll(async () => {
    // a real SMTP server receives the password-reset mail
    smtp = await startSmtp({ requireAuth: false });
    const app = createApp({ SECRET_KEY: 'browser-test', MAIL_SERVER: '127.0.0.1', MAIL_PORT: smtp.port });
    dispose = await getDb(app).db.useTestDatabase(app);
    server = await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => server?.close(r));
    await dispose?.();
    await smtp?.close();
  });

  async function register(page: Page, username: string, password: string): Promise<void> {
    await page.goto(`${base}/auth/register`);
    await page.fill('#username', username);
    await page.fill('#email', `${username}@example.com`);
    await page.fill('#password', password);
    await page.click('#submit');
    await page.waitForURL(`${base}/auth/login`);
  }

  async function logIn(page: Page, username: string, password: string): Promise<void> {
    await page.fill('#username', username);
    await page.fill('#password', password);
    await page.click('#submit');
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
    await ann.click('#submit');
    await ann.waitForURL(`${base}/`);
    expect(await ann.textContent('article.post h1')).toBe('Hello from Chromium');
    // autoescaped: the markup is text
    expect(await ann.textContent('article.post p.body')).toBe('first <b>post</b>');

    await ann.click('a.action[href$="/update"]');
    await ann.fill('#title', 'Edited title');
    await ann.click('#submit');
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
    await ann.click('input.danger');
    await ann.waitForURL(`${base}/`);
    expect(await ann.textContent('p.empty')).toBe('No posts yet.');

    await ann.click('text=Log Out');
    expect(await ann.textContent('nav')).toContain('Log In');
    await bobContext.close();
  }, 60_000);

  it('resets a forgotten password through the link in a real mail', async () => {
    const page = await (await browser.browser.newContext()).newPage();
    await register(page, 'cy', 'old-password');
    await page.click('text=Forgot your password?');
    await page.fill('#email', 'cy@example.com');
    const before = smtp.received.length;
    await page.click('#submit');
    await page.waitForURL(`${base}/auth/login`);
    expect(await page.textContent('.flash')).toBe(
      'If that address is registered, a reset link is on its way.',
    );
    const got = smtp.received[before];
    expect(got?.to).toEqual(['cy@example.com']);
    const raw = got?.raw ?? '';
    expect(raw).toMatch(/^Subject: Reset your Flaskr password$/m);
    // quoted-printable: join soft line breaks, decode =XX
    const text = raw
      .replace(/=\r\n/g, '')
      .replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
    const link = /http:\/\/127\.0\.0\.1:\d+\/auth\/reset\/[\w.-]+/.exec(text)?.[0];
    expect(link).toBeDefined();
    await page.goto(link as string);
    await page.fill('#password', 'new-password');
    await page.fill('#confirm', 'new-password');
    await page.click('#submit');
    await page.waitForURL(`${base}/auth/login`);
    expect(await page.textContent('.flash')).toBe('Your password has been reset. Please log in.');
    await logIn(page, 'cy', 'old-password');
    expect(await page.textContent('.flash')).toBe('Incorrect password.');
    await logIn(page, 'cy', 'new-password');
    await page.waitForURL(`${base}/`);
    expect(await page.textContent('nav span')).toBe('cy');
    // the link worked once
    await page.click('text=Log Out');
    await page.goto(link as string);
    expect(page.url()).toBe(`${base}/auth/reset`);
  }, 60_000);
});
