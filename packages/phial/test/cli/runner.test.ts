import { describe, expect, it } from 'vitest';
import { formatRoutes } from '../../src/cli/routes.js';
import { Blueprint, currentApp, g, Phial } from '../../src/index.js';
import { createTestCliRunner } from '../../src/testing/cli-runner.js';

function makeApp(): Phial {
  const app = new Phial(null, { name: 'runner-app', staticFolder: null });
  app.get('/', function index() {
    return 'home';
  });
  app.route('/users/<int:id>', { methods: ['GET', 'POST'] }, function user() {
    return 'u';
  });
  app.post('/login', function login() {
    return 'in';
  });
  return app;
}

describe('phial routes', () => {
  it("prints Flask's table sorted by endpoint", async () => {
    const app = makeApp();
    const r = await createTestCliRunner(app).invoke(['routes']);
    expect(r.exitCode).toBe(0);
    expect(r.output).toBe(
      [
        'Endpoint  Methods    Rule',
        '--------  ---------  ---------------',
        'index     GET        /',
        'login     POST       /login',
        'user      GET, POST  /users/<int:id>',
        '',
      ].join('\n'),
    );
  });

  it('sorts by rule, methods or match order, and shows all methods on request', async () => {
    const app = makeApp();
    const runner = createTestCliRunner(app);
    const byRule = (await runner.invoke(['routes', '--sort', 'rule'])).output.split('\n').slice(2, 5);
    expect(byRule.map((l) => l.split(/\s+/)[0])).toEqual(['index', 'login', 'user']);
    const byMethods = (await runner.invoke(['routes', '-s', 'methods'])).output.split('\n').slice(2, 5);
    expect(byMethods.map((l) => l.split(/\s+/)[0])).toEqual(['index', 'user', 'login']);
    const match = (await runner.invoke(['routes', '--sort', 'match'])).output.split('\n').slice(2, 5);
    expect(match.map((l) => l.split(/\s+/)[0])).toEqual(['index', 'user', 'login']);
    const all = await runner.invoke(['routes', '--all-methods']);
    expect(all.output).toMatch(/index\s+GET, HEAD, OPTIONS\s+\/\n/);
    expect(all.output).toMatch(/login\s+OPTIONS, POST\s+\/login\n/);
    expect(all.output).toContain('GET, HEAD, OPTIONS, POST  /users/<int:id>');
  });

  it('rejects an unknown sort key with exit code 2', async () => {
    const r = await createTestCliRunner(makeApp()).invoke(['routes', '--sort', 'size']);
    expect(r.exitCode).toBe(2);
    expect(r.output).toMatch(/size.*invalid|Allowed choices/i);
  });

  it('adds a Subdomain column when a rule has one, and says when there are no routes', async () => {
    const app = makeApp();
    app.get('/api', { subdomain: 'api' }, function api() {
      return 'api';
    });
    expect(formatRoutes(app)).toMatch(/^Endpoint\s+Methods\s+Subdomain\s+Rule\n/);
    expect(formatRoutes(app)).toMatch(/api\s+GET\s+api\s+\/api\n/);
    const empty = new Phial(null, { staticFolder: null });
    expect((await createTestCliRunner(empty).invoke(['routes'])).output).toBe('No routes were registered.\n');
  });

  it('marks WebSocket routes as WEBSOCKET (they are GET rules underneath)', () => {
    const app = makeApp();
    app.websocket('/ws/<room>', function chat() {});
    expect(formatRoutes(app)).toMatch(/chat\s+WEBSOCKET\s+\/ws\/<room>\n/);
  });

  it('lists blueprint endpoints', async () => {
    const app = makeApp();
    const bp = new Blueprint('admin', null, { urlPrefix: '/admin' });
    bp.get('/', function dashboard() {
      return 'd';
    });
    app.registerBlueprint(bp);
    expect((await createTestCliRunner(app).invoke(['routes'])).output).toMatch(
      /admin\.dashboard\s+GET\s+\/admin\/\n/,
    );
  });
});

describe('custom commands', () => {
  it('run inside an app context and see currentApp and g', async () => {
    const app = makeApp();
    app.cli
      .command('greet')
      .argument('<name>')
      .option('--shout')
      .action((name: string, opts: { shout?: boolean }) => {
        g.seen = name;
        const text = `hello ${name} from ${currentApp.name} (${String(g.seen)})`;
        console.log(opts.shout ? text.toUpperCase() : text);
      });
    const r = await createTestCliRunner(app).invoke(['greet', 'ada', '--shout']);
    expect(r.exitCode).toBe(0);
    expect(r.output).toBe('HELLO ADA FROM RUNNER-APP (ADA)\n');
    const missing = await createTestCliRunner(app).invoke(['greet']);
    expect(missing.exitCode).toBe(2);
    expect(missing.output).toMatch(/missing required argument 'name'/);
    // options of one invocation do not leak into the next
    const again = await createTestCliRunner(app).invoke(['greet', 'bob']);
    expect(again.output).toBe('hello bob from runner-app (bob)\n');
  });

  it('keep the app context across awaits and in subcommands', async () => {
    const app = makeApp();
    const db = app.cli.command('db');
    db.command('init').action(async () => {
      await new Promise((r) => setTimeout(r, 5));
      process.stdout.write(`init ${currentApp.name}\n`);
    });
    const r = await createTestCliRunner(app).invoke(['db', 'init']);
    expect(r.output).toBe('init runner-app\n');
    expect(r.exitCode).toBe(0);
  });

  it('report errors with exit code 1 and keep the exception', async () => {
    const app = makeApp();
    app.cli.command('fail').action(() => {
      throw new Error('database is locked');
    });
    const r = await createTestCliRunner(app).invoke(['fail']);
    expect(r.exitCode).toBe(1);
    expect(r.output).toContain('Error: database is locked');
    expect((r.exception as Error).message).toBe('database is locked');
  });

  it('turn process.exit into the exit code', async () => {
    const app = makeApp();
    app.cli.command('quit').action(() => {
      console.error('leaving');
      process.exit(3);
    });
    const r = await createTestCliRunner(app).invoke(['quit']);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toBe('leaving\n');
    expect(typeof process.exit).toBe('function');
  });

  it('see the env and input given to invoke, and the env is restored', async () => {
    const app = makeApp();
    app.cli.command('env').action(async () => {
      let input = '';
      for await (const chunk of process.stdin) input += String(chunk);
      console.log(`${process.env.PHIAL_TEST_VALUE}|${input.trim()}`);
    });
    const r = await createTestCliRunner(app).invoke(['env'], {
      env: { PHIAL_TEST_VALUE: 'v1' },
      input: 'typed\n',
    });
    expect(r.output).toBe('v1|typed\n');
    expect(process.env.PHIAL_TEST_VALUE).toBeUndefined();
  });

  it('cannot replace a built-in command', async () => {
    const app = makeApp();
    app.cli.command('routes').action(() => console.log('mine'));
    expect((await createTestCliRunner(app).invoke(['routes'])).output).toMatch(/^Endpoint/);
  });

  it('appear in the help; unknown commands exit with 2', async () => {
    const app = makeApp();
    app.cli.command('seed').description('Fill the database.');
    const runner = createTestCliRunner(app);
    const help = await runner.invoke(['--help']);
    expect(help.exitCode).toBe(0);
    expect(help.output).toMatch(/seed\s+Fill the database\./);
    expect(help.output).toMatch(/routes \[options\]\s+Show the routes/);
    const bad = await runner.invoke(['nope']);
    expect(bad.exitCode).toBe(2);
    expect(bad.output).toMatch(/unknown command 'nope'/);
  });

  it('--debug sets app.debug before the command runs', async () => {
    const app = makeApp();
    app.cli.command('dbg').action(() => console.log(`debug=${currentApp.debug}`));
    const runner = createTestCliRunner(app);
    expect((await runner.invoke(['--debug', 'dbg'])).output).toBe('debug=true\n');
    expect((await runner.invoke(['--no-debug', 'dbg'])).output).toBe('debug=false\n');
  });
});

describe('phial shell', () => {
  it('evaluates input with app, g and the shell context inside an app context', async () => {
    const app = makeApp();
    app.shellContextProcessor(() => ({ answer: 41 }));
    const r = await createTestCliRunner(app).invoke(['shell'], {
      input: 'answer + 1\napp.name\ng.x = 7\nawait Promise.resolve(g.x * 2)\n',
    });
    expect(r.output).toContain('App: runner-app');
    expect(r.exitCode).toBe(0);
    expect(r.output).toMatch(/^Node v\d+/);
    // Each result on its own line, in input order; Node 20 prints a prompt before each, Node 24 only once.
    const results = r.output
      .split('\n')
      .map((line) => line.replace(/^(> )+/, ''))
      .filter((line) => ['42', "'runner-app'", '7', '14'].includes(line));
    expect(results).toEqual(['42', "'runner-app'", '7', '14']);
  });
});

describe('app.testCliRunner()', () => {
  const wired = typeof (Phial.prototype as { testCliRunner?: unknown }).testCliRunner === 'function';
  it.skipIf(!wired)('is the same runner, bound to the app', async () => {
    const app = makeApp();
    app.cli.command('name').action(() => console.log(currentApp.name));
    const runner = (
      app as unknown as { testCliRunner(): ReturnType<typeof createTestCliRunner> }
    ).testCliRunner();
    const r = await runner.invoke(['name']);
    expect(r).toMatchObject({ exitCode: 0, output: 'runner-app\n' });
  });
});
