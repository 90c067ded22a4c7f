/**
 * Micro benchmark of the matcher (not a test): `npx tsx packages/phial/test/http/routing/bench-match.ts`.
 * 100 rules `/api/v1/resourceN/<int:id>`, one `/user/<int:id>/posts/<int:post>`, 100 static rules.
 */
import { Rule, UrlMap } from '../../../src/http/routing/index.js';

const map = new UrlMap();
for (let i = 0; i < 100; i++)
  map.add(new Rule(`/api/v1/resource${i}/<int:id>`, { endpoint: `r${i}`, methods: ['GET'] }));
map.add(new Rule('/user/<int:id>/posts/<int:post>', { endpoint: 'post', methods: ['GET'] }));
for (let i = 0; i < 100; i++) map.add(new Rule(`/static/page${i}`, { endpoint: `s${i}`, methods: ['GET'] }));
const adapter = map.bind({ host: 'localhost' });

function bench(label: string, path: string, n = 2_000_000): void {
  let sink = 0;
  for (let i = 0; i < 200_000; i++) sink += adapter.match(path, 'GET').rule.endpoint.length;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) sink += adapter.match(path, 'GET').rule.endpoint.length;
  const ns = Number(process.hrtime.bigint() - t0) / n;
  console.log(`${label.padEnd(34)} ${ns.toFixed(1)} ns/match (${sink > 0 ? 'ok' : ''})`);
}

bench('dynamic /api/v1/resource57/123', '/api/v1/resource57/123');
bench('dynamic /user/1/posts/2', '/user/1/posts/2');
bench('static /static/page42', '/static/page42');

let t0 = process.hrtime.bigint();
const n = 1_000_000;
for (let i = 0; i < n; i++) map.bind({ host: 'localhost' });
console.log(`${'bind()'.padEnd(34)} ${(Number(process.hrtime.bigint() - t0) / n).toFixed(1)} ns`);
t0 = process.hrtime.bigint();
for (let i = 0; i < n; i++) adapter.build('post', { id: i, post: 7 });
console.log(`${'build()'.padEnd(34)} ${(Number(process.hrtime.bigint() - t0) / n).toFixed(1)} ns`);
