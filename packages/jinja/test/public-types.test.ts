/** Type tests for the public API added for i18n, Python values and precompiled templates. */
import { describe, expectTypeOf, it } from 'vitest';
import {
  Environment,
  type GettextTranslations,
  type ModuleLoader,
  type PrecompiledModule,
  type PyClass,
  PyDate,
  PyTime,
  pyClassOf,
  TimeDelta,
} from '../src/index.js';

describe('public types', () => {
  it('gettext installation and precompilation on Environment', () => {
    const env = new Environment({ extensions: ['jinja2.ext.i18n'] });
    expectTypeOf(env.installGettextTranslations).parameter(0).toEqualTypeOf<GettextTranslations>();
    expectTypeOf(env.installNullTranslations).returns.toEqualTypeOf<void>();
    expectTypeOf(env.newstyleGettext).toEqualTypeOf<boolean>();
    expectTypeOf(env.compileTemplates).returns.toEqualTypeOf<string>();
    expectTypeOf<ConstructorParameters<typeof ModuleLoader>[0]>().toEqualTypeOf<
      PrecompiledModule | readonly PrecompiledModule[]
    >();
  });

  it('Python values', () => {
    expectTypeOf(new TimeDelta({ days: 1 }).days).toEqualTypeOf<number>();
    expectTypeOf(new TimeDelta({ days: 1 }).totalSeconds()).toEqualTypeOf<number>();
    expectTypeOf(new PyDate(2024, 1, 1).isoformat()).toEqualTypeOf<string>();
    expectTypeOf(new PyTime(8, 30).hour).toEqualTypeOf<number>();
    expectTypeOf(pyClassOf(1)).toEqualTypeOf<PyClass>();
    expectTypeOf(pyClassOf(1).__base__).toEqualTypeOf<PyClass | null>();
  });
});

describe('exports added for real-world templates', () => {
  it('PyFloat prints as a Python float, modifiesKnownMutable names what changes a list, dict or set', async () => {
    const { expect } = await import('vitest');
    const { modifiesKnownMutable, PyFloat } = await import('../src/index.js');
    const env = new Environment();
    expect(env.fromString('{{ x }} {{ y }} {{ x * 2 }}').render({ x: new PyFloat(2), y: 2 })).toBe(
      '2.0 2 4.0',
    );
    expect([
      modifiesKnownMutable([], 'append'),
      modifiesKnownMutable({}, 'update'),
      modifiesKnownMutable(new Set(), 'add'),
    ]).toEqual([true, true, true]);
    expect([
      modifiesKnownMutable([], 'count'),
      modifiesKnownMutable({}, 'get'),
      modifiesKnownMutable('s', 'upper'),
    ]).toEqual([false, false, false]);
    expectTypeOf<import('../src/index.js').TemplateEncoding>().toEqualTypeOf<
      'utf8' | 'utf-8' | 'utf16le' | 'utf-16le' | 'latin1' | 'ascii' | 'ucs2' | 'ucs-2'
    >();
  });
});
