import { describe, expect, it } from 'vitest';
import { Accept, CharsetAccept, LanguageAccept, MIMEAccept } from '../../../src/http/datastructures/index.js';

describe('Accept', () => {
  it('parses q-values and sorts by quality keeping order on ties', () => {
    const a = Accept.fromHeader('gzip;q=0.5, br, deflate;q=0.8, identity');
    expect([...a.values()]).toEqual(['br', 'identity', 'deflate', 'gzip']);
    expect(a.quality('gzip')).toBe(0.5);
    expect(a.get('BR')).toBe(1);
    expect(a.quality('zstd')).toBe(0);
    expect(a.provided).toBe(true);
    expect(a.best).toBe('br');
  });

  it('drops invalid q-values', () => {
    const a = Accept.fromHeader('a;q=2, b;q=-0.1, c;q=x, d;q=0.3');
    expect([...a]).toEqual([['d', 0.3]]);
  });

  it('an absent header accepts nothing and returns the default', () => {
    const a = MIMEAccept.fromHeader(undefined);
    expect(a.provided).toBe(false);
    expect(a.length).toBe(0);
    expect(a.bestMatch(['text/html'])).toBeNull();
    expect(a.bestMatch(['text/html'], 'x')).toBe('x');
    expect(a.best).toBeNull();
  });

  it('the * wildcard sorts last and matches anything', () => {
    const a = Accept.fromHeader('*;q=0.9, utf-8;q=0.1');
    expect([...a.values()]).toEqual(['utf-8', '*']);
    expect(a.quality('anything')).toBe(0.9);
    expect(a.quality('utf-8')).toBe(0.1);
    expect(a.bestMatch(['utf-8', 'latin1'])).toBe('latin1');
  });

  it('q=0 entries never match', () => {
    const a = Accept.fromHeader('a;q=0, b');
    expect(a.bestMatch(['a'])).toBeNull();
    expect(a.bestMatch(['a', 'b'])).toBe('b');
    expect(a.has('a')).toBe(true);
  });

  it('reuses parses of the same header, per class', () => {
    const h = 'text/html, */*;q=0.1';
    expect(MIMEAccept.fromHeader(h)).toBe(MIMEAccept.fromHeader(h));
    expect(Accept.fromHeader(h)).not.toBeInstanceOf(MIMEAccept);
    expect(LanguageAccept.fromHeader(h)).toBeInstanceOf(LanguageAccept);
  });

  it('serialises back to a header', () => {
    expect(Accept.fromHeader('a;q=0.5,b').toHeader()).toBe('b,a;q=0.5');
  });
});

describe('MIMEAccept', () => {
  const browser = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/webp,*/*;q=0.8';

  it('best matches like Werkzeug', () => {
    const a = MIMEAccept.fromHeader(browser);
    expect(a.bestMatch(['application/json', 'text/html'])).toBe('text/html');
    expect(a.bestMatch(['application/json', 'application/xml'])).toBe('application/xml');
    expect(a.bestMatch(['application/json'])).toBe('application/json');
    expect(a.quality('application/json')).toBe(0.8);
    expect(a.quality('application/xml')).toBe(0.9);
    expect(a.acceptHtml).toBe(true);
    expect(a.acceptJson).toBe(true);
  });

  it('sorts by specificity before quality', () => {
    const a = MIMEAccept.fromHeader('*/*;q=1, text/*;q=0.5, text/html;q=0.2');
    expect([...a.values()]).toEqual(['text/html', 'text/*', '*/*']);
    expect(a.quality('text/html')).toBe(0.2);
    expect(a.quality('text/plain')).toBe(0.5);
    expect(a.quality('image/png')).toBe(1);
    expect(a.bestMatch(['text/html', 'image/png'])).toBe('image/png');
  });

  it('subtype wildcards and equal quality prefer the more specific entry', () => {
    const a = MIMEAccept.fromHeader('text/*, application/json');
    expect(a.bestMatch(['text/plain', 'application/json'])).toBe('application/json');
    expect(a.bestMatch(['text/plain', 'image/png'])).toBe('text/plain');
  });

  it('server wildcards match any client entry', () => {
    const a = MIMEAccept.fromHeader('application/json');
    expect(a.bestMatch(['*/*'])).toBe('*/*');
    expect(a.has('application/*')).toBe(true);
  });

  it('parameters must match exactly', () => {
    const a = MIMEAccept.fromHeader('text/html; level=1, text/plain;q=0.5');
    expect([...a.values()]).toEqual(['text/html; level=1', 'text/plain']);
    expect(a.quality('text/html')).toBe(0);
    expect(a.quality('text/html;level=1')).toBe(1);
  });

  it('ignores invalid client entries and rejects invalid server values', () => {
    const a = MIMEAccept.fromHeader('html, */plain, text/plain;q=0.5');
    expect(a.bestMatch(['text/plain'])).toBe('text/plain');
    expect(a.quality('text/plain')).toBe(0.5);
    expect(() => a.bestMatch(['html'])).toThrow(/invalid mimetype/);
    expect(() => a.quality('*/html')).toThrow(/invalid mimetype/);
  });

  it('accepts case-insensitively', () => {
    const a = MIMEAccept.fromHeader('Application/JSON');
    expect(a.acceptJson).toBe(true);
    expect(a.acceptHtml).toBe(false);
  });
});

describe('LanguageAccept', () => {
  it('normalises tags and falls back to primary tags', () => {
    const a = LanguageAccept.fromHeader('de-AT, de;q=0.9, en;q=0.5');
    expect(a.bestMatch(['en', 'de_AT'])).toBe('de_AT');
    expect(a.quality('DE_at')).toBe(1);
    // client accepts en, server offers en-US
    expect(LanguageAccept.fromHeader('en').bestMatch(['fr', 'en-US'])).toBe('en-US');
    // client accepts en-US, server offers en
    expect(LanguageAccept.fromHeader('en-US').bestMatch(['fr', 'en'])).toBe('en');
    expect(LanguageAccept.fromHeader('en-US').bestMatch(['fr'], 'zz')).toBe('zz');
  });
});

describe('CharsetAccept', () => {
  it('compares charset aliases', () => {
    const a = CharsetAccept.fromHeader('ISO-8859-1, utf-8;q=0.7');
    expect(a.best).toBe('ISO-8859-1');
    expect(a.has('iso-8859-1')).toBe(true);
    expect(a.has('UTF8')).toBe(true);
    expect(a.has('utf7')).toBe(false);
    expect(a.get('utf-8')).toBe(0.7);
  });
});
