/** The large benchmark page: its hand-written floor and @phial/jinja both give Jinja2 3.1.6's bytes. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Environment, FileSystemLoader } from '@phial/jinja';
import { describe, expect, it } from 'vitest';
import { makeLargeContext } from '../templates/large/data.mjs';
import { renderLargePage } from '../templates/large/handwritten.mjs';

const dir = fileURLToPath(new URL('../templates/large/', import.meta.url));
const expected = readFileSync(`${dir}expected.html`, 'utf8');

describe('large benchmark page', () => {
  it('the hand-written floor renders the expected page', () => {
    expect(renderLargePage(makeLargeContext())).toBe(expected);
  });

  it('@phial/jinja renders the expected page', () => {
    const env = new Environment({ loader: new FileSystemLoader(dir), autoescape: true });
    expect(env.getTemplate('page.html').render(makeLargeContext())).toBe(expected);
  });
});
