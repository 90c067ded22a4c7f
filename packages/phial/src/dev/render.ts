/**
 * The debugger's page (Werkzeug's layout: the exception, the traceback with application frames open and
 * library frames folded, source around each line, locals, a console per frame, the plain-text traceback
 * to copy) and the request. Every piece of text goes through `esc`; the page runs no inline script (its
 * JavaScript and CSS are resources under `/__phial_debugger__/`, and the CSP allows nothing else).
 */
import { repr } from './console.js';
import { type ExceptionInfo, type Frame, plainText } from './traceback.js';

/** The URL prefix of the debugger's resources. */
export const PREFIX = '/__phial_debugger__/';

/** HTML-escapes text for element content and quoted attributes. */
export function esc(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;',
  );
}

/** What the page shows of the request. */
export interface RequestInfo {
  method: string;
  url: string;
  headers: [string, string][];
  form: [string, string][] | null;
  json: string | null;
}

/** What one render needs. */
export interface PageOptions {
  chain: ExceptionInfo[];
  request: RequestInfo | null;
  /** The traceback's id (the console's key). */
  tracebackId: number;
  /** The per-process secret the page's script sends with console commands (Werkzeug's `s`). */
  secret: string;
  /** The host is trusted: locals, request and the console are shown. */
  evalex: boolean;
  /** The PIN cookie is valid (the console starts unlocked). */
  unlocked: boolean;
  appName: string;
}

/** The CSP of the page: its own script and style only. */
export const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'none'; base-uri 'none'; frame-ancestors 'none'";

function shortPath(file: string): string {
  const cwd = process.cwd();
  return file.startsWith(`${cwd}/`) ? file.slice(cwd.length + 1) : file;
}

function renderSource(f: Frame): string {
  const ctx = f.context;
  if (ctx === null) return '';
  const rows = ctx.lines
    .map((text, i) => {
      const n = ctx.start + i;
      const cls = n === f.line ? ' class="current"' : n < f.line ? ' class="before"' : ' class="after"';
      return `<tr${cls}><td class="lineno">${n}</td><td><pre>${esc(text) || ' '}</pre></td></tr>`;
    })
    .join('');
  return `<table class="source">${rows}</table>`;
}

function renderLocals(f: Frame): string {
  if (f.locals === null) return '';
  const names = Object.keys(f.locals);
  if (names.length === 0) return '<div class="locals"><p class="none">No local variables.</p></div>';
  const rows = names
    .map(
      (n) =>
        `<tr><th>${esc(n)}</th><td><pre>${esc(repr((f.locals as Record<string, unknown>)[n]))}</pre></td></tr>`,
    )
    .join('');
  return `<details class="locals" open><summary>Locals</summary><table>${rows}</table></details>`;
}

function renderFrame(f: Frame, evalex: boolean): string {
  const where =
    f.file === null
      ? `<cite>${esc(f.functionName)}</cite>`
      : `File <cite class="filename">${esc(shortPath(f.file))}</cite>, line <em class="line">${f.line}</em>, in <code class="function">${esc(f.functionName)}</code>`;
  const cls = `frame${f.isApp ? ' app' : ' library'}${f.isTemplate ? ' template' : ''}`;
  const consoleHtml =
    evalex && f.isApp && !f.isTemplate
      ? `<div class="console" data-frame="${f.id}" hidden><pre class="output"></pre><form class="console-form"><span class="prompt">&gt;&gt;&gt;</span><input name="cmd" autocomplete="off" spellcheck="false" aria-label="Console for this frame"></form></div><button type="button" class="open-console" data-frame="${f.id}" title="Open an interactive console in this frame">Console</button>`
      : '';
  return `<li class="${cls}" id="frame-${f.id}"><h4>${where}</h4>${renderSource(f)}${evalex ? renderLocals(f) : ''}${consoleHtml}</li>`;
}

function renderFrames(frames: Frame[], evalex: boolean): string {
  const out: string[] = [];
  let folded: Frame[] = [];
  const flush = () => {
    if (folded.length === 0) return;
    out.push(
      `<li class="folded"><details><summary>${folded.length} library frame${folded.length === 1 ? '' : 's'}</summary><ul class="frames">${folded.map((f) => renderFrame(f, evalex)).join('')}</ul></details></li>`,
    );
    folded = [];
  };
  for (const f of frames) {
    if (f.isApp) {
      flush();
      out.push(renderFrame(f, evalex));
    } else folded.push(f);
  }
  flush();
  return `<ul class="frames">${out.join('')}</ul>`;
}

function renderException(ex: ExceptionInfo, evalex: boolean): string {
  const t = ex.template;
  const templateNote =
    t !== null
      ? `<p class="template-note">In template ${t.name === null ? '&lt;string&gt;' : `<cite>${esc(t.name)}</cite>`}${t.line !== null ? `, line <em>${t.line}</em>` : ''}${t.file ? ` (<cite>${esc(shortPath(t.file))}</cite>)` : ''}</p>`
      : '';
  const searched =
    ex.searched !== null
      ? `<div class="searched"><p>Searched for the template in:</p><ul>${ex.searched.map((s) => `<li><cite>${esc(s)}</cite></li>`).join('') || '<li>(no template folders)</li>'}</ul></div>`
      : '';
  const link =
    ex.link === 'cause'
      ? '<p class="link">The above exception was the direct cause of the following exception:</p>'
      : '';
  return `<section class="exception"><h2 class="exc-title"><span class="exc-name">${esc(ex.name)}</span>${ex.message ? `: <span class="exc-message">${esc(ex.message)}</span>` : ''}</h2>${templateNote}${searched}<h3>Traceback <em>(most recent call last)</em></h3>${renderFrames(ex.frames, evalex)}<blockquote class="exc-line">${esc(ex.name)}${ex.message ? `: ${esc(ex.message)}` : ''}</blockquote>${link}</section>`;
}

function renderPairs(title: string, pairs: [string, string][]): string {
  if (pairs.length === 0) return '';
  return `<h4>${esc(title)}</h4><table class="pairs">${pairs.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table>`;
}

function renderRequest(r: RequestInfo): string {
  return `<section class="request"><h3>Request</h3><p><code>${esc(r.method)} ${esc(r.url)}</code></p>${renderPairs('Headers', r.headers)}${r.form ? renderPairs('Form', r.form) : ''}${r.json !== null ? `<h4>JSON</h4><pre>${esc(r.json)}</pre>` : ''}</section>`;
}

/** The whole page. */
export function renderPage(o: PageOptions): string {
  const last = o.chain[o.chain.length - 1] as ExceptionInfo;
  const title = `${last.name}${last.message ? `: ${last.message}` : ''}`;
  const text = plainText(o.chain);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${esc(title.length > 200 ? `${title.slice(0, 200)}…` : title)} // Phial Debugger</title>
<link rel="stylesheet" href="${PREFIX}style.css">
<script src="${PREFIX}debugger.js" defer></script>
</head>
<body class="debugger" data-traceback="${o.tracebackId}" data-secret="${esc(o.secret)}" data-evalex="${o.evalex ? 'true' : 'false'}" data-unlocked="${o.unlocked ? 'true' : 'false'}">
<div class="debugger">
<h1>${esc(last.name)}</h1>
<p class="errormsg">${esc(title)}</p>
<p class="app">Application <code>${esc(o.appName)}</code> in debug mode.</p>
${o.chain.map((ex) => renderException(ex, o.evalex)).join('\n')}
<section class="plain"><h3>Plain-text traceback <button type="button" id="copy-traceback">Copy</button></h3>
<textarea id="traceback-text" cols="100" rows="10" readonly>${esc(text)}</textarea></section>
${o.evalex && o.request ? renderRequest(o.request) : ''}
<div class="explanation">
${o.evalex ? 'Hold the mouse over a frame and click <em>Console</em> to evaluate JavaScript in it, with its locals, <code>app</code>, <code>request</code> and <code>error</code> in scope. The console asks for the PIN printed on the terminal where the server runs.' : 'The console and local variables are available only from localhost (or a host in <code>TRUSTED_HOSTS</code>).'}
</div>
<div class="pin-prompt" hidden>
<form class="pin-form"><h3>Console locked</h3><p>The console is locked and needs to be unlocked by entering the PIN. It is printed on the terminal running the server.</p>
<p><label>PIN: <input name="pin" size="14" autocomplete="off"></label> <button type="submit">Confirm PIN</button></p><p class="pin-error" role="alert"></p><p><button type="button" class="print-pin">Print the PIN on the terminal again</button></p></form>
</div>
<div class="footer">Brought to you by <strong>Phial</strong>'s debugger, after Werkzeug's.</div>
</div>
</body>
</html>
`;
}
