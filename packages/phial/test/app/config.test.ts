import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Config, defaultConfig, isUpperKey } from '../../src/app/config.js';

const dir = mkdtempSync(join(tmpdir(), 'phial-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Config defaults', () => {
  it('holds Flask 3.1 defaults as plain properties', () => {
    const c = new Config(dir);
    expect(c.DEBUG).toBe(false);
    expect(c.TESTING).toBe(false);
    expect(c.PROPAGATE_EXCEPTIONS).toBeNull();
    expect(c.SECRET_KEY).toBeNull();
    expect(c.SECRET_KEY_FALLBACKS).toBeNull();
    expect(c.PERMANENT_SESSION_LIFETIME).toBe(2678400);
    expect(c.USE_X_SENDFILE).toBe(false);
    expect(c.TRUSTED_HOSTS).toBeNull();
    expect(c.SERVER_NAME).toBeNull();
    expect(c.APPLICATION_ROOT).toBe('/');
    expect(c.SESSION_COOKIE_NAME).toBe('session');
    expect(c.SESSION_COOKIE_DOMAIN).toBeNull();
    expect(c.SESSION_COOKIE_PATH).toBeNull();
    expect(c.SESSION_COOKIE_HTTPONLY).toBe(true);
    expect(c.SESSION_COOKIE_SECURE).toBe(false);
    expect(c.SESSION_COOKIE_PARTITIONED).toBe(false);
    expect(c.SESSION_COOKIE_SAMESITE).toBeNull();
    expect(c.SESSION_REFRESH_EACH_REQUEST).toBe(true);
    expect(c.MAX_CONTENT_LENGTH).toBeNull();
    expect(c.MAX_FORM_MEMORY_SIZE).toBe(500000);
    expect(c.MAX_FORM_PARTS).toBe(1000);
    expect(c.SEND_FILE_MAX_AGE_DEFAULT).toBeNull();
    expect(c.TRAP_BAD_REQUEST_ERRORS).toBeNull();
    expect(c.TRAP_HTTP_EXCEPTIONS).toBe(false);
    expect(c.EXPLAIN_TEMPLATE_LOADING).toBe(false);
    expect(c.PREFERRED_URL_SCHEME).toBe('http');
    expect(c.TEMPLATES_AUTO_RELOAD).toBeNull();
    expect(c.MAX_COOKIE_SIZE).toBe(4093);
    expect(c.PROVIDE_AUTOMATIC_OPTIONS).toBe(true);
    expect(c.keys()).toEqual(Object.keys(defaultConfig()));
    expect(Object.keys(c)).not.toContain('rootPath');
    expect(c.rootPath).toBe(dir);
  });

  it('applies constructor defaults on top and keeps instances independent', () => {
    const a = new Config(dir, { DEBUG: true, CUSTOM: 1 });
    const b = new Config(dir);
    expect(a.DEBUG).toBe(true);
    expect(a.CUSTOM).toBe(1);
    expect(b.DEBUG).toBe(false);
    expect(b.has('CUSTOM')).toBe(false);
    a.SECRET_KEY = 'x';
    expect(a.get('SECRET_KEY')).toBe('x');
    expect(a.get('MISSING', 5)).toBe(5);
    expect(a.get('toString')).toBeUndefined();
  });

  it('update, setDefault, delete, items and values behave like a dict', () => {
    const c = new Config(dir);
    c.update({ SECRET_KEY: 's', lower_ok: 1 });
    c.update([['PAIR', 2]]);
    expect([c.SECRET_KEY, c.lower_ok, c.PAIR]).toEqual(['s', 1, 2]);
    expect(c.setDefault('PAIR', 3)).toBe(2);
    expect(c.setDefault('NEW', 4)).toBe(4);
    expect(c.delete('NEW')).toBe(true);
    expect(c.delete('NEW')).toBe(false);
    expect(c.items()).toContainEqual(['PAIR', 2]);
    expect(c.values()).toContain('s');
    expect(() => c.update({ update: 1 })).toThrow(TypeError);
    expect(typeof c.update).toBe('function');
  });

  it('isUpperKey follows str.isupper', () => {
    expect(isUpperKey('DEBUG')).toBe(true);
    expect(isUpperKey('A_1')).toBe(true);
    expect(isUpperKey('_')).toBe(false);
    expect(isUpperKey('123')).toBe(false);
    expect(isUpperKey('Debug')).toBe(false);
  });
});

describe('Config loaders', () => {
  it('fromObject takes upper-case keys of objects, classes and instances', () => {
    const c = new Config(dir);
    c.fromObject({ SECRET_KEY: 'k', lower: 1, MixedCase: 2 });
    expect(c.SECRET_KEY).toBe('k');
    expect(c.has('lower')).toBe(false);
    expect(c.has('MixedCase')).toBe(false);
    // biome-ignore lint/complexity/noStaticOnlyClass: Flask-style settings classes are exactly this
    class Base {
      static DEBUG = true;
      static helper = 1;
    }
    class Prod extends Base {
      static DATABASE_URI = 'postgres://';
    }
    c.fromObject(Prod);
    expect(c.DEBUG).toBe(true);
    expect(c.DATABASE_URI).toBe('postgres://');
    expect(c.has('helper')).toBe(false);
    class Settings {
      get MAIL_SERVER() {
        return 'smtp.local';
      }
    }
    c.fromObject(new Settings());
    expect(c.MAIL_SERVER).toBe('smtp.local');
  });

  it('fromMapping takes upper-case keys from objects, maps, pairs and extra', () => {
    const c = new Config(dir);
    c.fromMapping({ A: 1, b: 2 }, { C: 3, d: 4 });
    c.fromMapping(new Map([['E', 5]]));
    c.fromMapping(null, { F: 6 });
    expect([c.A, c.has('b'), c.C, c.has('d'), c.E, c.F]).toEqual([1, false, 3, false, 5, 6]);
  });

  it('fromFile loads JSON synchronously, relative to the root path, upper-case keys only', () => {
    writeFileSync(
      join(dir, 'settings.json'),
      JSON.stringify({ SECRET_KEY: 'from-file', low: 1, MAX_CONTENT_LENGTH: 10 }),
    );
    const c = new Config(dir);
    expect(c.fromFile('settings.json')).toBe(true);
    expect(c.SECRET_KEY).toBe('from-file');
    expect(c.MAX_CONTENT_LENGTH).toBe(10);
    expect(c.has('low')).toBe(false);
    writeFileSync(join(dir, 'settings.ini'), 'X_KEY=abc\nY_KEY=def');
    const ini = (t: string) => Object.fromEntries(t.split('\n').map((l) => l.split('=')));
    c.fromFile(join(dir, 'settings.ini'), ini);
    expect(c.X_KEY).toBe('abc');
  });

  it('fromFile: missing files throw unless silent; non-object content throws', () => {
    const c = new Config(dir);
    expect(() => c.fromFile('missing.json')).toThrow(/Unable to load configuration file/);
    expect(c.fromFile('missing.json', JSON.parse, { silent: true })).toBe(false);
    mkdirSync(join(dir, 'adir'), { recursive: true });
    expect(c.fromFile('adir', JSON.parse, { silent: true })).toBe(false);
    writeFileSync(join(dir, 'list.json'), '[1,2]');
    expect(() => c.fromFile('list.json')).toThrow(TypeError);
    writeFileSync(join(dir, 'bad.json'), '{');
    expect(() => c.fromFile('bad.json', JSON.parse, { silent: true })).toThrow(SyntaxError);
  });

  it('fromEnvVar loads the file the variable names', () => {
    writeFileSync(join(dir, 'env.json'), JSON.stringify({ FROM_ENV: true }));
    const c = new Config(dir);
    process.env.PHIAL_TEST_SETTINGS = join(dir, 'env.json');
    try {
      expect(c.fromEnvVar('PHIAL_TEST_SETTINGS')).toBe(true);
      expect(c.FROM_ENV).toBe(true);
    } finally {
      delete process.env.PHIAL_TEST_SETTINGS;
    }
    expect(() => c.fromEnvVar('PHIAL_TEST_SETTINGS')).toThrow(/is not set/);
    expect(c.fromEnvVar('PHIAL_TEST_SETTINGS', { silent: true })).toBe(false);
  });

  it('fromPrefixedEnv parses JSON when it can and nests on __', () => {
    const c = new Config(dir);
    const env = {
      PHIAL_SECRET_KEY: 'plain string',
      PHIAL_MAX_CONTENT_LENGTH: '1024',
      PHIAL_DEBUG: 'true',
      PHIAL_TRUSTED_HOSTS: '["a.com","b.com"]',
      PHIAL_DB__HOST: 'localhost',
      PHIAL_DB__PORT: '5432',
      PHIAL_DB__OPTS__SSL: 'false',
      PHIAL_lower: '"x"',
      OTHER_KEY: '1',
      PHIALNOPE: '1',
    };
    expect(c.fromPrefixedEnv('PHIAL', { env })).toBe(true);
    expect(c.SECRET_KEY).toBe('plain string');
    expect(c.MAX_CONTENT_LENGTH).toBe(1024);
    expect(c.DEBUG).toBe(true);
    expect(c.TRUSTED_HOSTS).toEqual(['a.com', 'b.com']);
    expect(c.DB).toEqual({ HOST: 'localhost', PORT: 5432, OPTS: { SSL: false } });
    expect(c.lower).toBe('x');
    expect(c.has('KEY')).toBe(false);
    expect(c.has('NOPE')).toBe(false);
    const custom = new Config(dir);
    const big = new Config('/r');
    big.fromPrefixedEnv('ITEMS', {
      env: {
        ITEMS_API_TOKEN: '12345678901234567890123',
        ITEMS_NEG: '-9007199254740993',
        ITEMS_OK: '9007199254740991',
        ITEMS_F: '1e400',
      },
    });
    // an integer a number cannot hold exactly stays text; a safe one is a number
    expect([big.API_TOKEN, big.NEG, big.OK]).toEqual([
      '12345678901234567890123',
      '-9007199254740993',
      9007199254740991,
    ]);
    expect(big.F).toBe(Number.POSITIVE_INFINITY);
    custom.fromPrefixedEnv('APP', { env: { APP_N: '12' }, loads: (t) => `<${t}>` });
    expect(custom.N).toBe('<12>');
  });

  it('fromPrefixedEnv cannot pollute prototypes or hide methods', () => {
    const c = new Config(dir);
    c.fromPrefixedEnv('PHIAL', { env: { PHIAL_X__constructor__prototype__polluted: '1' } });
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
    expect(() => c.fromPrefixedEnv('PHIAL', { env: { PHIAL_fromFile: '1' } })).toThrow(TypeError);
    expect(typeof c.fromFile).toBe('function');
    const d = new Config(dir);
    expect(() => d.fromPrefixedEnv('PHIAL', { env: { PHIAL_DEBUG__X: '1' } })).toThrow(TypeError);
  });

  it('getNamespace trims and lower-cases by default', () => {
    const c = new Config(dir);
    c.fromMapping({
      IMAGE_STORE_TYPE: 'fs',
      IMAGE_STORE_PATH: '/var/app/images',
      IMAGE_STORE_BASE_URL: 'http://img',
      OTHER: 1,
    });
    expect(c.getNamespace('IMAGE_STORE_')).toEqual({
      type: 'fs',
      path: '/var/app/images',
      base_url: 'http://img',
    });
    expect(c.getNamespace('IMAGE_STORE_', { lowercase: false })).toEqual({
      TYPE: 'fs',
      PATH: '/var/app/images',
      BASE_URL: 'http://img',
    });
    expect(c.getNamespace('IMAGE_STORE_', { trimNamespace: false })).toEqual({
      image_store_type: 'fs',
      image_store_path: '/var/app/images',
      image_store_base_url: 'http://img',
    });
  });
});
