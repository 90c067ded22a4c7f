/**
 * The floor for the large page: bench/templates/large/*.html written by hand as template-literal functions
 * (what the macros, blocks and filters do, inlined), producing byte-for-byte the Jinja output.
 */
import { escapeLoop as e } from '../handwritten.mjs';

const attrs = (o) => {
  let s = '';
  for (const k in o) {
    const v = o[k];
    if (v === null || v === undefined) continue;
    s += ` ${e(k)}="${e(v === true ? 'True' : v === false ? 'False' : v)}"`;
  }
  return s;
};
const title = (s) => s.replace(/[A-Za-z]+/g, (w) => w[0].toUpperCase() + w.slice(1).toLowerCase());
const truncate = (s, length) => {
  if (s.length <= length + 5) return s;
  const cut = s.slice(0, length - 3);
  const space = cut.lastIndexOf(' ');
  return `${space === -1 ? cut : cut.slice(0, space)}...`;
};
const price = (amount, currency = 'EUR') => `${amount.toFixed(2)} ${e(currency)}`;
const badge = (text, kind = 'secondary', pill = false) =>
  `<span class="badge badge-${e(kind)}${pill ? ' rounded-pill' : ''}">${e(text)}</span>`;
const button = (label, kind, size, type, kw, safeLabel = false) =>
  `<button type="${e(type)}" class="btn btn-${e(kind)}${size ? ` btn-${e(size)}` : ''}"${attrs(kw)}>${safeLabel ? label : e(label)}</button>`;
const card = (t, subtitle, footer, kw, body) =>
  `<div class="card"${attrs(kw)}>\n<div class="card-header"><h3>${e(t)}</h3>${subtitle ? `<small>${e(subtitle)}</small>` : ''}</div>\n<div class="card-body">${body}</div>${footer ? `<div class="card-footer">${footer}</div>` : ''}\n</div>`;
const field = (name, label, value, type, errors, kw) => {
  let out = `<div class="field${errors.length ? ' has-error' : ''}">\n<label for="f-${e(name)}">${e(label)}</label>\n<input id="f-${e(name)}" name="${e(name)}" type="${e(type)}" value="${e(value)}"${attrs(kw)}>`;
  for (const x of errors) out += `<p class="error">${e(x)}</p>`;
  return `${out}\n</div>`;
};
const sum = (xs) => xs.reduce((a, b) => a + b, 0);
const CYCLE3 = ['primary', 'secondary', 'dark'];

/** Renders the large page from its context. */
export function renderLargePage(c) {
  const { site, user, products, orders } = c;
  let nav = '';
  for (const item of c.nav) {
    const active = item.href === c.current;
    nav += `\n<a href="${e(item.href)}"${active ? ' class="active" aria-current="page"' : ''}${attrs({ title: `${item.label} section` })}>${e(item.label)}</a>`;
  }
  const groups = new Map();
  for (const p of [...products].sort((a, b) => (a.category < b.category ? -1 : a.category > b.category ? 1 : 0))) {
    if (!groups.has(p.category)) groups.set(p.category, []);
    groups.get(p.category).push(p);
  }
  let facets = '';
  for (const [cat, items] of groups) facets += `\n<li>${e(title(cat))} ${badge(items.length, 'light', true)}</li>`;
  let crumbs = '';
  c.breadcrumbs.forEach((b, i) => {
    crumbs +=
      i < c.breadcrumbs.length - 1 ? `<li><a href="${e(b.href)}">${e(b.label)}</a></li>` : `<li>${e(b.label)}</li>`;
  });
  let alerts = '';
  c.alerts.forEach((m, i) => {
    const close = i === 0 ? button('&times;', 'close', null, 'button', { 'data-dismiss': 'alert', 'aria-label': 'Close' }, true) : '';
    alerts += `<div class="alert alert-${e(m.kind)}" role="alert">${e(m.text)}${close}</div>`;
  });
  let grid = '';
  for (const p of products) {
    let body = `\n<p>${e(truncate(p.description, 60))}</p>`;
    if (p.tags.length) body += `<p class="tags">${p.tags.map((t, i) => badge(t, CYCLE3[i % 3])).join('')}</p>`;
    body += `\n${button('Add to cart', p.stock ? 'success' : 'secondary', 'sm', 'button', { disabled: !p.stock, 'data-id': p.id, 'data-sku': p.sku })}`;
    grid += `\n${card(p.name, title(p.category), price(p.price, p.currency), { id: `product-${p.id}` }, body)}`;
  }
  let rows = '';
  let total = 0;
  orders.forEach((o, i) => {
    const amount = sum(o.lines.map((l) => l.amount));
    total += amount;
    rows += `\n<tr class="${i % 2 ? 'even' : 'odd'}"><td>${i + 1}</td><td>${e(o.id)}</td><td>${e(o.customer)}</td><td>${badge(o.status, c.status_kinds[o.status])}</td><td>${sum(o.lines.map((l) => l.qty))}</td><td>${price(amount)}</td></tr>`;
  });
  const f = c.form;
  return `<!doctype html>
<html lang="${e(c.lang)}">
<head>
<meta charset="utf-8">
<title>${e(c.section.title)} &middot; ${e(site.name)}</title>
<link rel="stylesheet" href="${e(site.static)}/site.css">
<link rel="stylesheet" href="${e(site.static)}/${e(c.section.slug)}.css">
</head>
<body class="page section-${e(c.section.slug)}">
<header><a class="brand" href="/">${e(site.name)}</a><nav>${nav}
</nav></header>

<div class="layout">
<aside><div class="user">${e(user.name)} <small>${e(user.email)}</small> ${badge(user.role, 'info', true)}</div>
<ul class="facets">${facets}
</ul></aside>
<main>
<ol class="breadcrumb">${crumbs}</ol>
${alerts}

<section class="grid">${grid}
</section>
<table class="orders">
<thead><tr><th>#</th><th>Order</th><th>Customer</th><th>Status</th><th>Items</th><th>Total</th></tr></thead>
<tbody>${rows}
</tbody>
<tfoot><tr><td colspan="5">${orders.length} orders</td><td>${price(total)}</td></tr></tfoot>
</table>
<form method="post" class="contact">
${field('email', 'Email', f.email, 'email', [], { required: true, placeholder: 'you@example.com' })}
${field('name', 'Name', f.name, 'text', f.errors.name, { autocomplete: 'name' })}
${field('message', 'Message', f.message, 'text', f.errors.message, { maxlength: 500 })}
${button('Send', 'primary', null, 'submit', { 'data-track': 'contact' })}
</form>

</main>
</div>

<footer>&copy; ${site.year} ${e(site.name)} &middot; ${products.length} products, ${orders.length} orders</footer>
</body>
</html>`;
}
