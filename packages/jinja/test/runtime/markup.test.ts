import { describe, expect, it } from 'vitest';
import { isMarkup, Markup, markupEscape, softStr } from '../../src/runtime/markup.js';

describe('Markup', () => {
  it('escapes the five HTML characters', () => {
    expect(String(markupEscape('<a href="x">&\'</a>'))).toBe(
      '&lt;a href=&#34;x&#34;&gt;&amp;&#39;&lt;/a&gt;',
    );
    expect(String(markupEscape(null))).toBe('None');
    expect(String(markupEscape(5))).toBe('5');
  });
  it('passes safe values through', () => {
    const m = new Markup('<b>');
    expect(markupEscape(m)).toBe(m);
    expect(String(markupEscape({ __html__: () => '<i>' }))).toBe('<i>');
    expect(isMarkup(m) && !isMarkup('<b>')).toBe(true);
    expect(softStr(m)).toBe(m);
    expect(softStr(1)).toBe('1');
  });
  it('unescapes, strips tags, joins', () => {
    expect(new Markup('&lt;a&gt; &amp; &#39; &#x41; &eacute;').unescape()).toBe("<a> & ' A é");
    expect(new Markup('<em>a &amp; b</em>').striptags()).toBe('a & b');
    expect(new Markup('a<!-- <b> -->b <br/>  c').striptags()).toBe('ab c');
    expect(String(new Markup('|').join(['<a>', new Markup('<b>')]))).toBe('&lt;a&gt;|<b>');
    expect(String(new Markup('<b>').add('<i>'))).toBe('<b>&lt;i&gt;');
    expect(new Markup('abc').length).toBe(3);
    expect(`${new Markup('x')}`).toBe('x');
  });
});
