/** The dashboard through the test client: the page, Chart.js from node_modules, the SSE feed, the control channel. */
import { describe, expect, it } from 'vitest';
import { createApp, stateOf } from '../src/app.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('examples/dashboard', () => {
  it('renders the page with the chart script served locally', async () => {
    const client = createApp().testClient();
    const page = await client.get('/');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<canvas id="chart"');
    expect(page.text).toContain('<script src="/vendor/chart.js"></script>');
    expect(page.text).toContain('data-events="/events" data-control="/control"');
    expect(page.text).not.toMatch(/https?:\/\/cdn/);
    const chart = await client.get('/vendor/chart.js');
    expect(chart.status).toBe(200);
    expect(chart.headers.get('content-type')).toContain('javascript');
    expect(chart.text).toContain('Chart');
  });

  it('streams samples, follows rate changes and stops the producer when the client leaves', async () => {
    const app = createApp();
    const client = app.testClient();
    const feed = await client.get('/events', { stream: true });
    const events = feed.events();
    const first = (await events.next()).value;
    expect(first?.event).toBe('sample');
    const sample = JSON.parse(first?.data ?? '{}');
    expect(Object.keys(sample).sort()).toEqual(['cpuPct', 'rssMb', 'sensor', 't']);
    expect(stateOf(app).producers).toBe(1);

    const ws = await client.websocket('/control');
    expect(await ws.receiveJson()).toEqual({ type: 'rate', ms: 1000 });
    const t0 = Date.now();
    ws.send(JSON.stringify({ type: 'rate', ms: 60 }));
    expect(await ws.receiveJson()).toEqual({ type: 'rate', ms: 60 });
    await events.next();
    await events.next();
    // the sleeping producer woke up for the new rate instead of finishing its 1 s nap
    expect(Date.now() - t0).toBeLessThan(900);
    await feed.close();
    for (let i = 0; i < 50 && stateOf(app).producers !== 0; i++) await sleep(10);
    expect(stateOf(app).producers).toBe(0);
    await ws.close();
  });

  it('sends annotations to every control socket and clamps the rate', async () => {
    const client = createApp().testClient();
    const a = await client.websocket('/control');
    const b = await client.websocket('/control');
    await a.receive();
    await b.receive();
    a.send(JSON.stringify({ type: 'annotate', text: '  deploy v2  ' }));
    const got = await b.receiveJson<{ type: string; text: string }>();
    expect(got).toMatchObject({ type: 'annotation', text: 'deploy v2' });
    b.send(JSON.stringify({ type: 'rate', ms: 1 }));
    expect(await a.receiveJson()).toMatchObject({ type: 'annotation' });
    expect(await a.receiveJson()).toEqual({ type: 'rate', ms: 50 });
    b.send('not json');
    await b.whenClosed();
    expect(b.closeCode).toBe(1003);
    await a.close();
  });

  it('takes the rate from the control topic, so a change made in another worker applies here too', async () => {
    const app = createApp();
    const client = app.testClient();
    // under `phial serve --workers N` a rate change taken by another worker arrives as this message
    await stateOf(app).bus.publish('control', { type: 'rate', ms: 250 });
    expect((await client.get('/stats')).json).toEqual({ producers: 0, rateMs: 250 });
    const ws = await client.websocket('/control');
    expect(await ws.receiveJson()).toEqual({ type: 'rate', ms: 250 });
    await ws.close();
  });
});
