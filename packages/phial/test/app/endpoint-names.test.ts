/** Endpoint names taken from views: an app route and a blueprint route name a view the same way. */
import { describe, expect, it } from 'vitest';
import { Blueprint, Phial } from '../../src/index.js';

class Pages {
  constructor(readonly prefix: string) {}
  show(): string {
    return `${this.prefix} show`;
  }
}

describe('endpoint names from views', () => {
  it('a bound method gives its own name, on the app and on a blueprint (bp.show, not bp.bound show)', async () => {
    const app = new Phial(import.meta.url, { staticFolder: null });
    const pages = new Pages('p');
    app.get('/show', pages.show.bind(pages));
    const bp = new Blueprint('bp', import.meta.url);
    bp.get('/show', pages.show.bind(pages));
    const nested = new Blueprint('inner', import.meta.url);
    nested.get('/show', pages.show.bind(pages));
    bp.registerBlueprint(nested, { urlPrefix: '/inner' });
    app.registerBlueprint(bp, { urlPrefix: '/bp' });
    expect(Object.keys(app.viewFunctions).sort()).toEqual(['bp.inner.show', 'bp.show', 'show']);
    await app.testRequestContext(() => {
      expect(app.urlFor('bp.show')).toBe('/bp/show');
      expect(app.urlFor('bp.inner.show')).toBe('/bp/inner/show');
    });
    expect((await app.testClient().get('/bp/show')).text).toBe('p show');
  });

  it('a view without a usable name falls back to the rule, on the app and on a blueprint', () => {
    const app = new Phial(import.meta.url, { staticFolder: null });
    const bp = new Blueprint('bp', import.meta.url);
    const anonymous = (
      () => () =>
        'x'
    )();
    bp.get('/a', anonymous);
    bp.get('/b', (() => 'y').bind(null));
    app.registerBlueprint(bp);
    expect(Object.keys(app.viewFunctions).sort()).toEqual(['bp./a', 'bp./b']);
  });
});
