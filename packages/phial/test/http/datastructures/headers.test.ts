import { describe, expect, it } from 'vitest';
import { Headers } from '../../../src/http/datastructures/headers.js';
import { safeHeaderValue } from '../../../src/http/security.js';

describe('Headers', () => {
  it('is case-insensitive, ordered and multi-valued', () => {
    const h = new Headers({ 'Content-Type': 'text/plain', 'X-Multi': ['1', '2'] });
    expect(h.get('content-type')).toBe('text/plain');
    expect(h.get('x-multi')).toBe('1, 2');
    expect(h.getAll('X-MULTI')).toEqual(['1', '2']);
    h.set('x-multi', '3');
    expect(h.getAll('x-multi')).toEqual(['3']);
    h.append('Set-Cookie', 'a=1');
    h.append('Set-Cookie', 'b=2');
    expect(h.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(h.has('SET-COOKIE')).toBe(true);
    h.delete('set-cookie');
    expect(h.has('set-cookie')).toBe(false);
    expect([...h.entries()]).toEqual([
      ['content-type', 'text/plain'],
      ['x-multi', '3'],
    ]);
    expect(h.items()).toEqual([
      ['Content-Type', 'text/plain'],
      ['x-multi', '3'],
    ]);
    expect(new Headers([['a', '1']]).toObject()).toEqual({ a: '1' });
    expect(h.get('missing')).toBeNull();
  });

  it('cleans values and refuses invalid names', () => {
    const h = new Headers();
    h.set('X-A', 'a\r\nInjected: 1');
    expect(h.get('x-a')).toBe('a Injected: 1');
    h.set('X-B', 'nul\0byte');
    expect(h.get('x-b')).toBe('nul byte');
    expect(() => h.set('Bad Name', 'x')).toThrow(TypeError);
    expect(() => h.set('X\r\nY', 'x')).toThrow(TypeError);
    expect(safeHeaderValue('✓')).toBe(Buffer.from('✓').toString('latin1'));
    expect(safeHeaderValue('tab\tok')).toBe('tab\tok');
  });
});
