import { describe, expect, it } from 'vitest';
import { TemplateSyntaxError } from '../src/errors.js';
import { tokenize } from '../src/lexer.js';

const types = (src: string, opts = {}) => tokenize(src, opts).map((t) => `${t.type}:${t.value}`);

describe('tokenize', () => {
  it('splits data, variables and blocks', () => {
    expect(types('a{{ x }}b{% if y %}c{% endif %}')).toEqual([
      'data:a',
      'variable_begin:',
      'name:x',
      'variable_end:',
      'data:b',
      'block_begin:',
      'name:if',
      'name:y',
      'block_end:',
      'data:c',
      'block_begin:',
      'name:endif',
      'block_end:',
      'eof:',
    ]);
  });

  it('decodes literals', () => {
    const toks = tokenize('{{ \'a\\nb\' 1_000 0x1F 2.5e3 "q\\"" }}');
    expect(toks.filter((t) => t.type === 'string').map((t) => t.value)).toEqual(['a\nb', 'q"']);
    expect(toks.filter((t) => t.type === 'integer').map((t) => t.num)).toEqual([1000, 31]);
    expect(toks.find((t) => t.type === 'float')?.num).toBe(2500);
  });

  it('numbers lines, counting newlines inside tags and stripped whitespace', () => {
    const toks = tokenize('a\n{{ x\n }}\n  {%- if\ny %}');
    expect(toks.find((t) => t.value === 'x')?.lineno).toBe(2);
    expect(toks.find((t) => t.value === 'if')?.lineno).toBe(4);
    expect(toks.find((t) => t.value === 'y')?.lineno).toBe(5);
  });

  it('applies whitespace control, trimBlocks and lstripBlocks', () => {
    expect(types('a  {{- x -}}  b').filter((t) => t.startsWith('data'))).toEqual(['data:a', 'data:b']);
    expect(types('{% if x %}\nA', { trimBlocks: true }).filter((t) => t.startsWith('data'))).toEqual([
      'data:A',
    ]);
    expect(types('  {% if x %}A', { lstripBlocks: true })[0]).toBe('block_begin:');
    expect(types('  {%+ if x %}A', { lstripBlocks: true })[0]).toBe('data:  ');
  });

  it('keeps raw blocks verbatim and drops comments', () => {
    expect(types('{% raw %}{{ x }}{% endraw %}{# c #}')).toEqual(['data:{{ x }}', 'eof:']);
  });

  it('does not end a tag inside brackets', () => {
    expect(types("{{ {'a': {'b': 1}} }}")).toContain('operator:}');
  });

  it('raises TemplateSyntaxError with the line of unclosed constructs', () => {
    for (const [src, line] of [
      ['x\n{{ a ', 2],
      ['\n\n{# never', 3],
      ['{% raw %}\nabc', 1],
    ] as const) {
      let err: unknown;
      try {
        tokenize(src, {}, 'n.html');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(TemplateSyntaxError);
      expect((err as TemplateSyntaxError).lineno).toBe(line);
      expect((err as TemplateSyntaxError).templateName).toBe('n.html');
    }
  });
});

describe('custom delimiters', () => {
  it('lexes with Jinja-style custom start and end strings', async () => {
    const { Environment } = await import('../src/environment.js');
    const env = new Environment({
      blockStartString: '<%',
      blockEndString: '%>',
      variableStartString: '${',
      variableEndString: '}',
      commentStartString: '<#',
      commentEndString: '#>',
      trimBlocks: true,
    });
    const D = '$';
    const t = env.fromString(
      `<# note #><% for x in xs -%>\n  ${D}{ x }{{ kept }}<% endfor %>\n<% raw %>${D}{ raw }<% endraw %>`,
    );
    expect(t.render({ xs: [1, 2] })).toBe(`1{{ kept }}2{{ kept }}${D}{ raw }`);
  });

  it('writes the configured newline sequence', async () => {
    const { Environment } = await import('../src/environment.js');
    expect(new Environment({ newlineSequence: '\r\n' }).fromString('a\nb\r\nc').render()).toBe('a\r\nb\r\nc');
  });
});
