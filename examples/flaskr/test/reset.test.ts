/** CSRF in Flaskr's forms, and the password reset by mail (captured by `mail.recordMessages()`). */
import { URLSafeTimedSerializer } from 'phial';
import { describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { mail } from '../src/auth.js';
import { getDb } from '../src/db.js';
import { setup } from './fixtures.js';

describe('CSRF', () => {
  it('refuses a form posted without the token, accepts it with the one from the page', async () => {
    const app = createApp({ TESTING: true });
    const dispose = await getDb(app).db.useTestDatabase(app);
    try {
      const client = app.testClient();
      const refused = await client.post('/auth/login', { form: { username: 'x', password: 'y' } });
      expect(refused.status).toBe(400);
      expect(refused.text).toContain('The CSRF token is missing.');
      const page = await client.get('/auth/login');
      const token = /name="csrf_token" type="hidden" value="([^"]+)"/.exec(page.text)?.[1] as string;
      const ok = await client.post('/auth/login', {
        form: { username: 'x', password: 'y', csrf_token: token },
      });
      expect(ok.status).toBe(200);
      expect(ok.text).toContain('Incorrect username.');
    } finally {
      await dispose();
    }
  });
});

describe('password reset', () => {
  function linkIn(text: string): string {
    const m = /http:\/\/localhost(\/auth\/reset\/[\w.-]+)/.exec(text);
    if (!m) throw new Error(`no reset link in ${text}`);
    return m[1] as string;
  }

  it('mails a link that sets a new password once, and says the same for unknown addresses', async () => {
    const { client, auth } = await setup();
    const outbox = mail.recordMessages();
    try {
      const unknown = await client.post('/auth/reset', { form: { email: 'nobody@example.com' } });
      expect(unknown.status).toBe(302);
      expect(outbox.messages).toHaveLength(0);
      const known = await client.post('/auth/reset', { form: { email: 'TEST@example.com' } });
      expect(known.status).toBe(302);
      const page = await client.get('/auth/login');
      expect(page.text).toContain('If that address is registered, a reset link is on its way.');
      expect(outbox.messages).toHaveLength(1);
      const message = outbox.messages[0];
      expect(message?.recipients).toEqual(['test@example.com']);
      expect(message?.subject).toBe('Reset your Flaskr password');
      const path = linkIn(message?.body ?? '');
      expect(message?.html).toContain(`href="http://localhost${path}"`);

      expect((await client.get(path)).text).toContain('Choose a New Password');
      const mismatch = await client.post(path, { form: { password: 'new-pass', confirm: 'other' } });
      expect(mismatch.text).toContain('Passwords must match.');
      const done = await client.post(path, { form: { password: 'new-pass', confirm: 'new-pass' } });
      expect(done.headers.get('Location')).toBe('/auth/login');
      expect((await auth.login('test', 'test')).text).toContain('Incorrect password.');
      expect((await auth.login('test', 'new-pass')).status).toBe(302);
      await auth.logout();
      // used once: the link no longer works
      const again = await client.get(path);
      expect(again.headers.get('Location')).toBe('/auth/reset');
    } finally {
      outbox.stop();
    }
  });

  it('refuses tampered and expired links', async () => {
    const { app, client } = await setup();
    const user = await app.appContext(() => getDb().getUserByName('test'));
    const s = new URLSafeTimedSerializer<{ id: number; p: string }>('dev', { salt: 'flaskr-password-reset' });
    const expired = s.dumps(
      { id: 1, p: user?.password.slice(-16) ?? '' },
      Math.floor(Date.now() / 1000) - 7200,
    );
    const forged = new URLSafeTimedSerializer('not the key', { salt: 'flaskr-password-reset' }).dumps({
      id: 1,
      p: 'x',
    });
    for (const token of [expired, forged, 'garbage']) {
      const r = await client.get(`/auth/reset/${token}`);
      expect(r.headers.get('Location')).toBe('/auth/reset');
    }
    expect((await client.get('/auth/reset')).text).toContain('That reset link is invalid or has expired.');
  });
});
