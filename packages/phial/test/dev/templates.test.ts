/**
 * "Template not found" says where Phial looked: the error carries the folders searched (the debugger
 * lists them) and EXPLAIN_TEMPLATE_LOADING logs every loader tried, as Flask does.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Blueprint, Phial, renderTemplate } from '../../src/index.js';

const root = mkdtempSync(path.join(tmpdir(), 'phial-explain-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
mkdirSync(path.join(root, 'templates'));
mkdirSync(path.join(root, 'admin', 'templates'), { recursive: true });
writeFileSync(path.join(root, 'admin', 'templates', 'panel.html'), 'panel');

function makeApp() {
  const app = new Phial(root, { name: 'explain' });
  const bp = new Blueprint('admin', path.join(root, 'admin'), { templateFolder: 'templates' });
  app.registerBlueprint(bp);
  app.get('/missing', () => renderTemplate('nowhere.html'));
  app.get('/panel', () => renderTemplate('panel.html'));
  const info: string[] = [];
  app.logger.info = (...args: unknown[]) => {
    info.push(args.map(String).join(' '));
  };
  let caught: unknown = null;
  app.errorHandler(500, (e) => {
    caught = (e as { originalException?: unknown }).originalException;
    return 'failed';
  });
  return { app, info, caught: () => caught };
}

describe('template loading explained', () => {
  it('puts the folders searched on the error', async () => {
    const { app, caught } = makeApp();
    app.config.PROPAGATE_EXCEPTIONS = false;
    expect((await app.testClient().get('/missing')).text).toBe('failed');
    const e = caught() as { name: string; searchedFolders: string[] };
    expect(e.name).toBe('TemplateNotFound');
    expect(e.searchedFolders).toEqual([path.join(root, 'templates'), path.join(root, 'admin', 'templates')]);
  });

  it('logs each loader tried when EXPLAIN_TEMPLATE_LOADING is on', async () => {
    const { app, info } = makeApp();
    app.config.PROPAGATE_EXCEPTIONS = false;
    app.config.EXPLAIN_TEMPLATE_LOADING = true;
    await app.testClient().get('/missing');
    expect(info.join('\n')).toContain("Locating template 'nowhere.html':");
    expect(info.join('\n')).toContain("1: trying loader of application 'explain'");
    expect(info.join('\n')).toContain("2: trying loader of blueprint 'admin'");
    expect(info.join('\n')).toContain('Error: the template could not be found.');
    info.length = 0;
    expect((await app.testClient().get('/panel')).text).toBe('panel');
    expect(info.join('\n')).toMatch(/-> found \('.*admin\/templates\/panel\.html'\)/);
  });

  it('logs nothing when it is off', async () => {
    const { app, info } = makeApp();
    app.config.PROPAGATE_EXCEPTIONS = false;
    await app.testClient().get('/missing');
    expect(info).toEqual([]);
  });
});
