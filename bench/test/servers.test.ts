// Every server in bench/servers answers every endpoint with the same status, Content-Type and body bytes.
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkResponse, ENDPOINTS, FRAMEWORKS, resourceUrls } from '../lib/endpoints.mjs';
import { freePort, request, startServer, stopServer } from '../lib/proc.mjs';

const PHIAL_DIST = fileURLToPath(new URL('../../packages/phial/dist/index.js', import.meta.url));

/** Phial's server is skipped only while the package has not been built at all. */
function skipReason(framework: string): string | null {
  if (framework.startsWith('phial') && !existsSync(PHIAL_DIST)) {
    return 'packages/phial/dist/index.js does not exist (build: npx tsc -b packages/phial)';
  }
  return null;
}

for (const framework of FRAMEWORKS) {
  const reason = skipReason(framework);
  describe.skipIf(reason !== null)(`${framework} server${reason ? ` — skipped: ${reason}` : ''}`, () => {
    let port = 0;
    let child: ChildProcess | null = null;

    beforeAll(async () => {
      port = await freePort();
      const server = await startServer(framework, port, { timeoutMs: 15000 });
      child = server.child;
    }, 30000);

    afterAll(async () => {
      if (child) await stopServer(child);
    });

    for (const ep of ENDPOINTS.filter((e) => e.frameworks.includes(framework))) {
      it(`${ep.method} ${ep.path} (${ep.name}) answers exactly as expected`, async () => {
        const res = await request(port, ep.method, ep.path, ep.requestBody, 5000);
        expect(checkResponse(ep, res)).toBeNull();
        if (ep.name === 'fortunes') {
          // The rules of the fortunes test, beyond byte equality: escaped script, the request-time row, 13 rows.
          expect(res.body).toContain('&lt;script&gt;alert(');
          expect(res.body).not.toContain('<script>');
          expect(res.body).toContain('Additional fortune added at request time.');
          expect(res.body).toContain(
            '\u30d5\u30ec\u30fc\u30e0\u30ef\u30fc\u30af\u306e\u30d9\u30f3\u30c1\u30de\u30fc\u30af',
          );
          expect(res.body.match(/<tr><td>/g)).toHaveLength(13);
        }
      });
    }

    const routesEp = ENDPOINTS.find((e) => e.name === 'routes');
    it.skipIf(!routesEp?.frameworks.includes(framework))(
      'serves all 100 /api/v1/resource<N>/<int:id> routes',
      async () => {
        const ep = routesEp;
        if (!ep) throw new Error('routes endpoint missing');
        for (const { path, body } of resourceUrls()) {
          const res = await request(port, 'GET', path, undefined, 5000);
          expect(checkResponse(ep, res, body), path).toBeNull();
        }
      },
    );

    const itemsEp = ENDPOINTS.find((e) => e.name === 'items');
    it.skipIf(!itemsEp?.frameworks.includes(framework))(
      'POST /items rejects an invalid body with a 4xx',
      async () => {
        const bad = JSON.stringify({ ...JSON.parse(itemsEp?.requestBody ?? '{}'), email: 'not an email' });
        const res = await request(port, 'POST', '/items', bad, 5000);
        expect([400, 422]).toContain(res.status);
      },
    );

    it('answers 404 for an unknown path', async () => {
      const res = await request(port, 'GET', '/nope', undefined, 5000);
      expect(res.status).toBe(404);
    });
  });
}
