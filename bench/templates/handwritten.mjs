/**
 * The floor of the template benchmark: page.html + layout.html written by hand as template-literal functions,
 * the way a careful developer would without an engine. Produces byte-for-byte the output of the Jinja templates.
 */

const NEEDS_ESCAPE = /[&<>"']/;

/**
 * HTML-escape like markupsafe (Jinja's autoescape): a regex test for the common clean case, then one pass
 * over the char codes (the `escape-html` package's approach), copying only between escaped characters.
 */
export function escapeLoop(value) {
  const s = typeof value === 'string' ? value : String(value);
  if (!NEEDS_ESCAPE.test(s)) return s;
  let out = '';
  let last = 0;
  for (let i = 0; i < s.length; i++) {
    let rep;
    switch (s.charCodeAt(i)) {
      case 38:
        rep = '&amp;';
        break;
      case 60:
        rep = '&lt;';
        break;
      case 62:
        rep = '&gt;';
        break;
      case 34:
        rep = '&#34;';
        break;
      case 39:
        rep = '&#39;';
        break;
      default:
        continue;
    }
    if (last !== i) out += s.slice(last, i);
    out += rep;
    last = i + 1;
  }
  return last === s.length ? out : out + s.slice(last);
}

const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' };
const ESCAPE_ALL = /[&<>"']/g;
const escapeChar = (c) => ESCAPES[c];

/** The same escaping as a regex replace with a callback. */
export function escapeReplace(value) {
  const s = typeof value === 'string' ? value : String(value);
  return NEEDS_ESCAPE.test(s) ? s.replace(ESCAPE_ALL, escapeChar) : s;
}

/** Jinja's `truncate(length)`: keep strings up to length + 5, else cut at the last word boundary and add "...". */
function truncate(s, length) {
  if (s.length <= length + 5) return s;
  const cut = s.slice(0, length - 3);
  const space = cut.lastIndexOf(' ');
  return `${space === -1 ? cut : cut.slice(0, space)}...`;
}

/** Jinja's `round(2)` for values that never round to an integer (see data.mjs). */
const round2 = (x) => String(Math.round(x * 100) / 100);

/**
 * The page as template-literal functions, given the escape function: the floor uses {@link escapeLoop};
 * the variant with {@link escapeReplace} shows how much the floor itself depends on escaping.
 */
function pageRenderer(escapeHtml) {
// (not indented: the template literals below are the output, whitespace included)
function orderRow(order, index) {
  return `<tr class="${index % 2 === 0 ? 'even' : 'odd'}">
<td>${index}</td><td>${order.id}</td><td>${escapeHtml(truncate(order.product, 20))}</td><td>${escapeHtml(order.status.toUpperCase())}</td><td>${escapeHtml(order.note === undefined ? '-' : order.note)}</td><td>${round2(order.price)}</td>
</tr>`;
}

function layout(ctx, blocks) {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${blocks.title(ctx)} · ${escapeHtml(ctx.site_name)}</title>
${blocks.head(ctx)}
</head>
<body>
<header><h1>${escapeHtml(ctx.site_name.toUpperCase())}</h1><p>Signed in as ${escapeHtml(ctx.user.name === undefined ? 'Guest' : ctx.user.name)}</p></header>
<main>
${blocks.content(ctx)}
</main>
<footer>${blocks.footer(ctx)}</footer>
</body>
</html>`;
}

const baseHead = () => '<link rel="stylesheet" href="/static/site.css">';
const baseFooter = (ctx) => `&copy; ${ctx.year} ${escapeHtml(ctx.site_name)}`;

const pageBlocks = {
  title: (ctx) => `Orders for ${escapeHtml(ctx.customer.name)}`,
  head: (ctx) => `${baseHead(ctx)}
<meta name="description" content="${escapeHtml(truncate(ctx.description, 40))}">`,
  content(ctx) {
    let rows = '';
    const orders = ctx.orders;
    for (let i = 0; i < orders.length; i++) rows += `${orderRow(orders[i], i + 1)}\n`;
    return `
<h2>${orders.length} orders for ${escapeHtml(ctx.customer.name)}</h2>
<table>
<thead><tr><th>#</th><th>id</th><th>product</th><th>status</th><th>note</th><th>price</th></tr></thead>
<tbody>
${rows}</tbody>
</table>`;
  },
  footer: (ctx) => `Sent to ${escapeHtml(ctx.customer.email)}. ${baseFooter(ctx)}`,
};

  return (ctx) => layout(ctx, pageBlocks);
}

/** Render the orders page (the hand-written equivalent of `page.html`): the benchmark's floor. */
export const renderPage = pageRenderer(escapeLoop);

/** The same page with the one-line `String.replace` escape many codebases use. */
export const renderPageReplaceEscape = pageRenderer(escapeReplace);
