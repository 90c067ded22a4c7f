/**
 * Flaskr, the blog of Flask's tutorial, written with Phial: the application factory.
 */
import { fileURLToPath } from 'node:url';
import { CSRFProtect } from '@phial/forms';
import { type ConfigValues, Phial } from 'phial';
import { bp as auth, initLogin, mail } from './auth.js';
import { bp as blog } from './blog.js';
import { initApp as initDb } from './db.js';

/**
 * Makes a new app (Flask's `create_app`). Without `testConfig` the instance folder's `config.json`
 * (`examples/flaskr/instance/config.json`) is loaded when it exists: set a real SECRET_KEY there.
 */
export function createApp(testConfig?: Partial<ConfigValues>): Phial {
  const app = new Phial(import.meta.url, {
    name: 'flaskr',
    // beside the sources, not inside them, as Flask's `instance/` folder is beside the package
    instancePath: fileURLToPath(new URL('../instance', import.meta.url)),
    instanceRelativeConfig: true,
  });
  app.config.fromMapping({
    SECRET_KEY: 'dev',
    // where password-reset mail goes (set a real server in instance/config.json)
    MAIL_SERVER: 'localhost',
    MAIL_PORT: 25,
    MAIL_DEFAULT_SENDER: 'Flaskr <flaskr@localhost>',
  });

  if (testConfig === undefined) {
    app.config.fromFile('config.json', JSON.parse, { silent: true });
  } else {
    app.config.fromMapping(testConfig);
  }

  initDb(app);
  initLogin(app);
  new CSRFProtect(app);
  mail.initApp(app);

  // a simple page that says hello
  app.route('/hello', function hello() {
    return 'Hello, World!';
  });

  app.registerBlueprint(auth);
  app.registerBlueprint(blog);
  // The blog is the front page: `urlFor('index')` and `urlFor('blog.index')` both build '/'.
  app.addUrlRule('/', { endpoint: 'index' });

  return app;
}
