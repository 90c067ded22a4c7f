/**
 * The context of the large page (bench/templates/large/page.html): a shop section with 36 product cards, a
 * 40-row order table and a form. Strings need escaping; amounts print the same in Python and JavaScript.
 */
const CATEGORIES = ['kitchen', 'garden', 'tools & hardware', 'books <used>'];
const TAGS = [['new'], ['sale', "editor's pick"], [], ['eco', 'local', 'bestseller']];
const STATUSES = ['paid', 'pending', 'shipped', 'refunded'];

function product(i) {
  return {
    id: 500 + i,
    sku: `SKU-${(i * 7919) % 10000}`,
    name: `Product ${i} <${CATEGORIES[i % 4].split(' ')[0]}>`,
    category: CATEGORIES[i % CATEGORIES.length],
    description: `A sturdy & reliable item number ${i}, made to last, with a "lifetime" promise and free returns.`,
    price: 5 + ((i * 37) % 200) + 0.25 * (i % 4),
    currency: i % 5 === 0 ? 'USD' : 'EUR',
    stock: i % 6 === 0 ? 0 : i % 9,
    tags: TAGS[i % TAGS.length],
  };
}

function order(i) {
  const lines = [];
  for (let k = 0; k < 1 + (i % 4); k++) lines.push({ qty: 1 + ((i + k) % 3), amount: 2.5 * (1 + ((i * 3 + k) % 40)) });
  return { id: `ORD-${20000 + i * 13}`, customer: `Customer ${i} & Family <${i % 7}>`, status: STATUSES[i % 4], lines };
}

/** A fresh context object (the same data every call). */
export function makeLargeContext() {
  return {
    lang: 'en',
    site: { name: 'Shop & Co', static: '/static', year: 2026 },
    current: '/shop',
    nav: [
      { href: '/', label: 'Home' },
      { href: '/shop', label: 'Shop' },
      { href: '/blog', label: 'Blog & News' },
      { href: '/about', label: 'About <us>' },
      { href: '/contact', label: 'Contact' },
    ],
    user: { name: "O'Brien", email: 'ob@example.com', role: 'admin' },
    section: { slug: 'shop', title: 'All products' },
    breadcrumbs: [
      { href: '/', label: 'Home' },
      { href: '/shop', label: 'Shop' },
      { href: '/shop/all', label: 'All <products>' },
    ],
    alerts: [
      { kind: 'warning', text: 'Prices <may> change & stock is limited' },
      { kind: 'info', text: "Free shipping over 50 EUR, today's offer" },
    ],
    products: Array.from({ length: 36 }, (_, i) => product(i + 1)),
    orders: Array.from({ length: 40 }, (_, i) => order(i + 1)),
    status_kinds: { paid: 'success', pending: 'warning', shipped: 'info', refunded: 'danger' },
    form: { email: '', name: 'Ann <Admin>', message: 'Hello & welcome', errors: { name: [], message: ['Too short: <5 words'] } },
  };
}
