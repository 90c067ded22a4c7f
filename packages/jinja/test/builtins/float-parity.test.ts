/** Float printing, rounding and formatting against values recorded from CPython 3.11. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pyRoundFloat } from '../../src/builtins/filters.js';
import { formatValue, percentFormat } from '../../src/builtins/format.js';
import { floatRepr, makeFloat, pyStr } from '../../src/runtime/python.js';

type Row = Record<string, string | null>;
const { rows } = JSON.parse(
  readFileSync(new URL('./fixtures/python-floats.json', import.meta.url), 'utf8'),
) as {
  rows: Row[];
};

function compute(x: number): Row {
  const f = makeFloat(x);
  const out: Row = { repr: floatRepr(x) };
  for (const n of [0, 1, 2, 3, 5]) {
    out[`f${n}`] = Math.abs(x) < 1e21 ? percentFormat(`%.${n}f`, x, false) : null;
    out[`round${n}`] = pyStr(makeFloat(pyRoundFloat(x, n)));
  }
  out.e3 = percentFormat('%.3e', f, false);
  out.g = percentFormat('%g', f, false);
  out.g10 = formatValue(f, '.10g');
  out.fmt = formatValue(f, '');
  out.fmt_comma = Math.abs(x) < 1e21 ? formatValue(f, ',.2f') : null;
  out.pct = Math.abs(x) < 1e19 ? formatValue(f, '.1%') : null;
  return out;
}

describe('float parity with CPython', () => {
  it(`prints, rounds and formats ${rows.length} floats like Python`, () => {
    const mismatches: string[] = [];
    for (const row of rows) {
      const got = compute(Number(row.repr));
      for (const [k, v] of Object.entries(row)) {
        if (got[k] !== v) mismatches.push(`${row.repr} ${k}: want ${v} got ${got[k]}`);
      }
    }
    expect(mismatches).toEqual([]);
  });
});
