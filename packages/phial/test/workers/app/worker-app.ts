/**
 * The app the Workers test serves under real workerd: precompiled templates (no code generation at run
 * time), JSON and a signed-cookie session, all through `app.fetch`. `virtual:compiled-templates` is the
 * module `phial templates compile` wrote; the test's bundler points it at that file.
 */

// @ts-expect-error: provided by the bundler (the output of `phial templates compile`)
import * as templates from 'virtual:compiled-templates';
import { ModuleLoader } from '@phial/jinja';
import { Phial, renderTemplate, session } from 'phial';

export const app = new Phial('workers-demo');
app.config.SECRET_KEY = 'workers-test-secret';
app.config.APP_LABEL = 'on workerd';
app.jinjaLoader = new ModuleLoader(templates);
app.templateFilter('shout', (s: unknown) => `${String(s).toUpperCase()}!`);

app.get('/', () => {
  session.set('visits', Number(session.get('visits') ?? 0) + 1);
  return renderTemplate('index.html', { title: 'Home', user: '<Ann>', items: ['tea', 'cake'] });
});

app.get('/api/items', () => ({ items: [1, 2, 3], runtime: 'workerd' }));

app.post('/login', async () => {
  session.set('user', 'ann');
  return { ok: true };
});

app.get('/me', () => ({ user: session.get('user') ?? null }));

/** Proves the runtime bans code generation (so the templates above cannot have used it). */
app.get('/codegen', () => {
  try {
    // biome-ignore lint/security/noGlobalEval: the probe of the runtime's ban
    new Function('return 1')();
    return 'allowed';
  } catch (e) {
    return `blocked: ${(e as Error).name}`;
  }
});

export default { fetch: (request: Request) => app.fetch(request) };
