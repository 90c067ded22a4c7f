/** The default `app.logger`: Flask's line format, Python-style and console-style `%` placeholders. */
import { describe, expect, it } from 'vitest';
import { createDefaultLogger } from '../../src/app/logging.js';

function capture(debug = false) {
  const lines: string[] = [];
  const log = createDefaultLogger(
    'app',
    () => debug,
    (l) => lines.push(l),
  );
  return { log, lines, body: () => lines.map((l) => l.replace(/^\[[^\]]+\] /, '')) };
}

describe('the default logger', () => {
  it("writes Flask's format: [time] LEVEL in name: message; debug only in debug mode", () => {
    const { log, lines, body } = capture();
    log.info('started');
    log.debug('hidden');
    log.warn('careful');
    expect(lines[0]).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}\] INFO in app: started\n$/);
    expect(body()).toEqual(['INFO in app: started\n', 'WARNING in app: careful\n']);
  });

  it('fills %s %d %r %j %% from the arguments, as logging.error("Bad %s", x) and console.error do', () => {
    const { log, body } = capture();
    const e = new Error('kaput');
    log.error('500: %s', e);
    log.error('%d items, %i left, %f%%', 3.7, '2', 0.5);
    log.error('user %r sent %j', 'ada', { a: [1] });
    log.error('100% sure');
    log.error('no args %s');
    expect(body()).toEqual([
      'ERROR in app: 500: kaput\n',
      'ERROR in app: 3 items, 2 left, 0.5%\n',
      'ERROR in app: user \'ada\' sent {"a":[1]}\n',
      'ERROR in app: 100% sure\n',
      'ERROR in app: no args %s\n',
    ]);
  });

  it('writes arguments the format did not use on their own lines, an Error with its stack', () => {
    const { log, body } = capture();
    const e = new Error('kaput');
    log.error('Exception on /x [GET]', e);
    log.error('failed for %s', 'ada', e);
    log.error('too few %s %s', 'one');
    const [first, second, third] = body();
    expect(first).toMatch(/^ERROR in app: Exception on \/x \[GET\]\nError: kaput\n {4}at /);
    expect(second).toMatch(/^ERROR in app: failed for ada\nError: kaput\n {4}at /);
    expect(third).toBe('ERROR in app: too few one %s\n');
  });

  it('writes the causes of an error first, as Python chains tracebacks (and survives a cycle)', () => {
    const { log, body } = capture();
    const root = new Error('SQLITE_BUSY: database is locked');
    const wrapped = new Error('Failed query: insert into item', { cause: root });
    log.error('Exception on /items [POST]', wrapped);
    const [text] = body();
    expect(text).toMatch(
      /^ERROR in app: Exception on \/items \[POST\]\nError: SQLITE_BUSY: database is locked\n {4}at [\s\S]*\n\nThe above exception was the direct cause of the following exception:\n\nError: Failed query: insert into item\n {4}at /,
    );
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    a.cause = b;
    log.error('loop', b);
    expect(body()[1]?.match(/direct cause/g)).toHaveLength(1);
    log.error('plain', new Error('x', { cause: 'a string reason' }));
    expect(body()[2]).toMatch(/^ERROR in app: plain\n'a string reason'\n\nThe above exception/);
  });
});
