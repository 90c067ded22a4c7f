/** `phial routes`: the URL rules as Flask's table (Endpoint, Methods, [Host|Subdomain], Rule). */
import type { Phial } from '../app/phial.js';
import { webSocketRouteOf } from '../realtime/websocket/route.js';

/** Sort keys of `phial routes --sort`. `match` keeps the order rules are matched in. */
export const ROUTE_SORTS = ['endpoint', 'methods', 'domain', 'rule', 'match'] as const;
/** A sort key of `phial routes`. */
export type RouteSort = (typeof ROUTE_SORTS)[number];

/** The table `phial routes` prints (lines without trailing spaces), or Flask's message when there is none. */
export function formatRoutes(app: Phial, sort: RouteSort = 'endpoint', allMethods = false): string {
  const rules = app.urlMap.rules();
  if (rules.length === 0) return 'No routes were registered.\n';
  const ignored = allMethods ? new Set<string>() : new Set(['HEAD', 'OPTIONS']);
  const hostMatching = app.urlMap.hostMatching;
  const domainOf = (r: (typeof rules)[number]) => (hostMatching ? r.host : r.subdomain) ?? '';
  const hasDomain = rules.some((r) => domainOf(r) !== '');
  const rows: string[][] = rules.map((r) => {
    const methods = [...(r.methods ?? [])].filter((m) => !ignored.has(m)).sort();
    // a WebSocket route is a GET rule underneath; say what it is
    const ws = webSocketRouteOf(app.viewFunctions[r.endpoint]) !== undefined;
    const row = [r.endpoint, ws ? 'WEBSOCKET' : methods.join(', ')];
    if (hasDomain) row.push(domainOf(r));
    row.push(r.rule);
    return row;
  });
  const headers = ['Endpoint', 'Methods'];
  const sorts: string[] = ['endpoint', 'methods'];
  if (hasDomain) {
    headers.push(hostMatching ? 'Host' : 'Subdomain');
    sorts.push('domain');
  }
  headers.push('Rule');
  sorts.push('rule');
  const col = sorts.indexOf(sort);
  if (col !== -1) {
    // stable, by code point like Python's sort of str
    rows.sort((a, b) => {
      const x = a[col] as string;
      const y = b[col] as string;
      return x < y ? -1 : x > y ? 1 : 0;
    });
  }
  rows.unshift(headers);
  const widths = headers.map((_, i) => Math.max(...rows.map((r) => (r[i] as string).length)));
  rows.splice(
    1,
    0,
    widths.map((w) => '-'.repeat(w)),
  );
  return `${rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] as number))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}
