/**
 * The debugger in a real Chromium (Debian's, through playwright-core): a failing page in debug mode shows
 * the TypeScript frame and a local's value; a wrong PIN is refused; the right PIN opens the frame's console,
 * which evaluates an expression with the frame's locals and keeps state between commands.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrowserSession, browserAvailable, launchBrowser } from '../../../../test-support/browser.js';
import { type Fixture, startFixture } from './fixture/start.js';

let f: Fixture;
let browser: BrowserSession;

beforeAll(async () => {
  if (!browserAvailable) return;
  f = await startFixture();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await f?.stop();
});

describe.skipIf(!browserAvailable)('debugger in Chromium', () => {
  it('shows the frame and locals, refuses a wrong PIN, and evaluates in the frame with the right one', async () => {
    const page = await browser.context.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      d.dismiss();
    });
    const response = await page.goto(`${f.base}/boom`);
    expect(response?.status()).toBe(500);
    // the message is text, never markup: no alert ran
    await expect(page.locator('h2.exc-title .exc-message').textContent()).resolves.toBe(
      '<script>alert("pwned")</script> failed for xyz-local',
    );
    const frame = page.locator('li.frame.app', { hasText: 'in boom' });
    await expect(frame.locator('h4').textContent()).resolves.toMatch(/fixture\/app\.ts, line 28, in boom/);
    await expect(frame.locator('tr.current pre').textContent()).resolves.toContain('throw new Error(');
    const local = frame.locator('details.locals tr', { hasText: 'secretValue' });
    await expect(local.locator('td').textContent()).resolves.toBe("'xyz-local'");
    // library frames start folded
    expect(await page.locator('li.folded details').first().getAttribute('open')).toBeNull();

    // the console asks for the PIN; a wrong one is refused
    await frame.locator('button.open-console').click();
    const prompt = page.locator('div.pin-prompt');
    await prompt.waitFor({ state: 'visible' });
    await prompt.locator('input[name=pin]').fill('111-222-333');
    await prompt.locator('button[type=submit]').click();
    await expect.poll(() => page.locator('p.pin-error').textContent()).toBe('Incorrect PIN.');
    expect(await frame.locator('div.console').isVisible()).toBe(false);

    // the right PIN opens the frame's console
    await prompt.locator('input[name=pin]').fill(f.pin as string);
    await prompt.locator('button[type=submit]').click();
    await prompt.waitFor({ state: 'hidden' });
    const consoleBox = frame.locator('div.console');
    await consoleBox.waitFor({ state: 'visible' });
    const input = consoleBox.locator('input[name=cmd]');
    await input.fill('secretValue.toUpperCase() + order.items.join("")');
    await input.press('Enter');
    await expect
      .poll(() => consoleBox.locator('pre.output .result').last().textContent())
      .toBe("'XYZ-LOCALab'\n");
    await input.fill('let count = order.id * 6');
    await input.press('Enter');
    await input.fill('count');
    await input.press('Enter');
    await expect.poll(() => consoleBox.locator('pre.output .result').last().textContent()).toBe('42\n');
    expect(dialogs).toEqual([]);
    await page.close();
  });
});
