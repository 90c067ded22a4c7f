/** The documented subscriber snippets, typed with RouteTrace / ViewTrace / SignalMessage, work as written. */
import { subscribe, tracingChannel, unsubscribe } from 'node:diagnostics_channel';
import { afterEach, expect, it } from 'vitest';
import {
  Phial,
  type Response,
  type RouteTrace,
  type SignalMessage,
  type ViewTrace,
} from '../../src/index.js';

const undo: (() => void)[] = [];
afterEach(() => {
  for (const u of undo.splice(0)) u();
});

it('typed tracing contexts and signal messages carry the rule, the endpoint and the response', async () => {
  const app = new Phial(import.meta.url, { staticFolder: null });
  app.get('/items/<int:id>', function item(req) {
    return { id: req.params.id };
  });
  const rules: string[] = [];
  const views: string[] = [];
  const statuses: number[] = [];
  const route = tracingChannel<RouteTrace>('phial.route');
  const handlers = {
    start() {},
    end(ctx: RouteTrace) {
      if (ctx.rule !== undefined) rules.push(ctx.rule);
    },
    asyncStart() {},
    asyncEnd() {},
    error() {},
  };
  route.subscribe(handlers);
  undo.push(() => route.unsubscribe(handlers));
  const view = tracingChannel<ViewTrace>('phial.view');
  const onView = (ctx: ViewTrace) => views.push(`${ctx.endpoint} ${ctx.rule}`);
  view.start.subscribe(onView as (m: unknown) => void);
  undo.push(() => view.start.unsubscribe(onView as (m: unknown) => void));
  const onFinished = (message: unknown) => {
    const { extra } = message as SignalMessage<{ response: Response }>;
    statuses.push(extra.response.status);
  };
  subscribe('phial.signal.request-finished', onFinished);
  undo.push(() => unsubscribe('phial.signal.request-finished', onFinished));
  expect((await app.testClient().get('/items/7')).json).toEqual({ id: 7 });
  expect(rules).toEqual(['/items/<int:id>']);
  expect(views).toEqual(['item /items/<int:id>']);
  expect(statuses).toEqual([200]);
});
