import { describe, expectTypeOf, it } from 'vitest';
import type { RouteParams } from '../../../src/http/routing/index.js';

// Checked by `npx tsc -p tsconfig.tests.json`; at run time these assertions are no-ops.
describe('RouteParams', () => {
  it('types int and float as number, the rest as string', () => {
    expectTypeOf<RouteParams<'/user/<int:id>'>>().toEqualTypeOf<{ id: number }>();
    expectTypeOf<RouteParams<'/u/<int:id>/<name>'>>().toEqualTypeOf<{ id: number; name: string }>();
    expectTypeOf<RouteParams<'/p/<float:price>'>>().toEqualTypeOf<{ price: number }>();
    expectTypeOf<RouteParams<'/f/<path:file>'>>().toEqualTypeOf<{ file: string }>();
    expectTypeOf<RouteParams<'/o/<uuid:id>'>>().toEqualTypeOf<{ id: string }>();
    expectTypeOf<RouteParams<'/s/<string:s>/<default:d>'>>().toEqualTypeOf<{ s: string; d: string }>();
    expectTypeOf<RouteParams<'/c/<custom:c>'>>().toEqualTypeOf<{ c: string }>();
  });

  it('reads converter arguments', () => {
    expectTypeOf<RouteParams<'/<int(min=1, max=9, fixed_digits=2, signed=True):n>'>>().toEqualTypeOf<{
      n: number;
    }>();
    expectTypeOf<RouteParams<'/<float(signed=True):f>'>>().toEqualTypeOf<{ f: number }>();
    expectTypeOf<RouteParams<'/<string(length=2):code>'>>().toEqualTypeOf<{ code: string }>();
  });

  it('types any(...) as the union of its items', () => {
    expectTypeOf<RouteParams<'/<any(a, b):x>'>>().toEqualTypeOf<{ x: 'a' | 'b' }>();
    expectTypeOf<RouteParams<'/<any(about,help, imprint):page>'>>().toEqualTypeOf<{
      page: 'about' | 'help' | 'imprint';
    }>();
    expectTypeOf<RouteParams<`/<any('en', "de"):lang>/<int:n>`>>().toEqualTypeOf<{
      lang: 'en' | 'de';
      n: number;
    }>();
  });

  it('handles several placeholders in one segment and static text around them', () => {
    expectTypeOf<RouteParams<'/mixed/pre-<int:a>-mid-<b>.html'>>().toEqualTypeOf<{ a: number; b: string }>();
  });

  it('rules without placeholders give an empty record', () => {
    expectTypeOf<RouteParams<'/'>>().toEqualTypeOf<Record<string, never>>();
    expectTypeOf<RouteParams<'/about/team'>>().toEqualTypeOf<Record<string, never>>();
  });

  it('a non-literal rule gives a loose record', () => {
    expectTypeOf<RouteParams<string>>().toEqualTypeOf<Record<string, unknown>>();
  });

  it('is assignable to the loose record a Request defaults to', () => {
    expectTypeOf<RouteParams<'/u/<int:id>'>>().toMatchTypeOf<Record<string, unknown>>();
    expectTypeOf<RouteParams<'/'>>().toMatchTypeOf<Record<string, unknown>>();
  });
});
