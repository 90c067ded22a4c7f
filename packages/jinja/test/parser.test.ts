import { describe, expect, it } from 'vitest';
import { Environment } from '../src/environment.js';
import { TemplateAssertionError, TemplateSyntaxError } from '../src/errors.js';

const env = new Environment();

function syntaxError(src: string, e = env): TemplateSyntaxError {
  try {
    e.fromString(src);
  } catch (err) {
    if (err instanceof TemplateSyntaxError) return err;
    throw err;
  }
  throw new Error(`no error for ${src}`);
}

describe('parser errors', () => {
  it('reports unknown tags with the line', () => {
    const err = syntaxError('ok\n\n{% frobnicate %}');
    expect(err.name).toBe('TemplateSyntaxError');
    expect(err.message).toContain("unknown tag 'frobnicate'");
    expect(err.lineno).toBe(3);
  });

  it('names the block that was left open', () => {
    const err = syntaxError('{% for x in y %}\n{% if x %}');
    expect(err.message).toContain("'endif'");
  });

  it('rejects stray end tags, else and elif after else', () => {
    expect(syntaxError('{% endfor %}').lineno).toBe(1);
    expect(syntaxError('{% else %}').name).toBe('TemplateSyntaxError');
    expect(syntaxError('{% if a %}{% else %}{% elif b %}{% endif %}').name).toBe('TemplateSyntaxError');
  });

  it('rejects bad expressions', () => {
    for (const src of [
      '{{ 1 + }}',
      '{{ 1 * * 2 }}',
      '{{ (1 }}',
      '{{ a[0 }}',
      '{{ 012 }}',
      '{{ x is }}',
      "{{ 'a' if }}",
      '{% set 1 = 2 %}',
    ]) {
      expect(syntaxError(src).name, src).toBe('TemplateSyntaxError');
    }
  });

  it('needs the loopcontrols extension for break and continue', () => {
    expect(syntaxError('{% for x in y %}{% break %}{% endfor %}').message).toContain("unknown tag 'break'");
    const withExt = new Environment({ extensions: ['loopcontrols'] });
    expect(
      withExt
        .fromString('{% for x in [1,2,3] %}{% if x == 2 %}{% break %}{% endif %}{{ x }}{% endfor %}')
        .render(),
    ).toBe('1');
  });

  it('raises TemplateAssertionError for duplicate blocks, private imports and unknown filters', () => {
    expect(syntaxError('{% block a %}{% endblock %}{% block a %}{% endblock %}')).toBeInstanceOf(
      TemplateAssertionError,
    );
    expect(syntaxError("{% from 'x' import _p %}")).toBeInstanceOf(TemplateAssertionError);
    const err = syntaxError('line1\n{{ x|nosuch }}');
    expect(err).toBeInstanceOf(TemplateAssertionError);
    expect(err.lineno).toBe(2);
  });

  it('defers unknown filters inside if branches to run time', () => {
    const t = env.fromString('{% if false %}{{ x|nosuch }}{% endif %}ok');
    expect(t.render()).toBe('ok');
    expect(() => env.fromString('{% if true %}{{ x|nosuch }}{% endif %}').render()).toThrow(
      /No filter named 'nosuch'/,
    );
  });

  it('rejects required blocks with content and mismatched endblock names', () => {
    expect(syntaxError('{% block a required %}x{% endblock %}').message).toContain('Required blocks');
    expect(syntaxError('{% block a %}{% endblock b %}').name).toBe('TemplateSyntaxError');
  });
});
