/**
 * The context of the template benchmark: a 100-row order list whose strings need escaping (&, <, >, ').
 * Strings are chosen so Jinja's and nunjucks' `truncate` agree (they cut differently near the limit), prices
 * so `round(2)` prints the same in Python and JavaScript (no ties, never an integral result), and no value
 * holds `"` or `\` (nunjucks spells their escapes differently from Jinja).
 */
const PRODUCTS = [
  'Salt & Pepper Mill',
  'Cast iron pan <28cm>',
  "Chef's knife",
  'Espresso machine deluxe with grinder',
  'Tea <green> & <black> sampler set',
  'Bread tin',
  "Baker's flour & sourdough starter",
  'Cutting board (oak)',
];
const STATUSES = ['shipped', 'pending', 'on hold', "won't ship", 'delivered'];
const NOTES = ['Fragile: <glass> & ceramics', "Leave at the neighbour's door", 'Gift wrap <red>'];

function order(i) {
  let cents = 100 + ((i * 7919) % 90000);
  if (cents % 10 === 0) cents += 7;
  const o = {
    id: 10000 + i * 37,
    product: PRODUCTS[i % PRODUCTS.length],
    status: STATUSES[i % STATUSES.length],
    price: (cents * 10 + 3) / 1000,
  };
  if (i % 4 !== 0) o.note = NOTES[i % NOTES.length];
  return o;
}

/** A fresh context object (the same data every call). */
export function makeContext() {
  return {
    site_name: 'Shop & Co <admin>',
    year: 2026,
    user: { name: "O'Brien <ops>" },
    customer: { name: 'Smith & Sons <Wholesale>', email: 'orders@smith-sons.example' },
    description: 'Orders placed by Smith & Sons in the previous thirty days, newest first',
    orders: Array.from({ length: 100 }, (_, i) => order(i)),
  };
}
