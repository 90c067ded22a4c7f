/**
 * Jinja's `urlize`: turns URLs and e-mail addresses in (escaped) text into links, keeping
 * surrounding punctuation outside the link and balancing parentheses.
 */
import { escapeString } from '../runtime/markup.js';

const W = '[\\p{L}\\p{N}_]';

const HTTP_RE = new RegExp(
  '^(' +
    `(https?://|www\\.)((?:[\\p{L}\\p{N}_%-]+\\.)+)?([a-z]{2,63}|xn--[\\p{L}\\p{N}_%]{2,59})` +
    `|(?:[\\p{L}\\p{N}_%-]{2,63}\\.)+(com|net|int|edu|gov|org|info|mil)` +
    `|(https?://)(([\\d]{1,3})(\\.[\\d]{1,3}){3}|\\[([\\da-f]{0,4}:){2}([\\da-f]{0,4}:?){1,6}\\])` +
    ')(?::[\\d]{1,5})?(?:[/?#]\\S*)?$',
  'iu',
);
const EMAIL_RE = new RegExp(`^\\S+@${W}[\\p{L}\\p{N}_.-]*\\.${W}+$`, 'u');
const LEAD_RE = /^([(<]|&lt;)+/;
const TRAIL_RE = /([)>.,\n]|&gt;)+$/;

/** Python's `re.fullmatch(r"^([\w.+-]{2,}:(/){0,2})$", scheme)` for `extra_schemes`. */
export const URI_SCHEME_RE = /^([\p{L}\p{N}_.+-]{2,}:(\/){0,2})$/u;

/** Options of `urlize` (already resolved against the environment policies). */
export interface UrlizeOptions {
  trimUrlLimit: number | null;
  rel: string | null;
  target: string | null;
  extraSchemes: string[] | null;
}

function count(s: string, sub: string): number {
  return s.split(sub).length - 1;
}

/** Returns HTML: `html` (text already escaped, like MarkupSafe's `escape(text)`) with links. */
export function urlize(html: string, opts: UrlizeOptions): string {
  const trim = (x: string): string => {
    if (opts.trimUrlLimit === null) return x;
    const cps = Array.from(x);
    return cps.length > opts.trimUrlLimit ? `${cps.slice(0, Math.max(0, opts.trimUrlLimit)).join('')}...` : x;
  };
  const words = html.split(/(\s+)/u);
  const relAttr = opts.rel ? ` rel="${escapeString(opts.rel)}"` : '';
  const targetAttr = opts.target ? ` target="${escapeString(opts.target)}"` : '';
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    let head = '';
    let middle = word;
    let tail = '';
    const lead = LEAD_RE.exec(middle);
    if (lead) {
      head = lead[0];
      middle = middle.slice(lead[0].length);
    }
    if (/([)>.,\n]|&gt;)$/.test(middle)) {
      const m = TRAIL_RE.exec(middle);
      if (m) {
        tail = m[0];
        middle = middle.slice(0, m.index);
      }
    }
    for (const [open, close] of [
      ['(', ')'],
      ['<', '>'],
      ['&lt;', '&gt;'],
    ] as const) {
      const starts = count(middle, open);
      if (starts <= count(middle, close)) continue;
      const moves = Math.min(starts, count(tail, close));
      for (let k = 0; k < moves; k++) {
        const end = tail.indexOf(close) + close.length;
        middle += tail.slice(0, end);
        tail = tail.slice(end);
      }
    }
    if (HTTP_RE.test(middle)) {
      if (middle.startsWith('https://') || middle.startsWith('http://')) {
        middle = `<a href="${middle}"${relAttr}${targetAttr}>${trim(middle)}</a>`;
      } else {
        middle = `<a href="https://${middle}"${relAttr}${targetAttr}>${trim(middle)}</a>`;
      }
    } else if (middle.startsWith('mailto:') && EMAIL_RE.test(middle.slice(7))) {
      middle = `<a href="${middle}">${middle.slice(7)}</a>`;
    } else if (
      middle.includes('@') &&
      !middle.startsWith('www.') &&
      !middle.startsWith('@') &&
      !middle.includes(':') &&
      EMAIL_RE.test(middle)
    ) {
      middle = `<a href="mailto:${middle}">${middle}</a>`;
    } else if (opts.extraSchemes) {
      for (const scheme of opts.extraSchemes) {
        if (middle !== scheme && middle.startsWith(scheme)) {
          middle = `<a href="${middle}"${relAttr}${targetAttr}>${middle}</a>`;
        }
      }
    }
    words[i] = head + middle + tail;
  }
  return words.join('');
}
