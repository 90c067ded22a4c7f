/** "Did you mean ...?" in a BuildError names only a rule that could be what was asked for. */
import { describe, expect, it } from 'vitest';
import { BuildError, Phial, urlFor } from '../../src/index.js';

function app(): Phial {
  const a = new Phial(import.meta.url, { staticFolder: 'static' });
  a.get('/', function index() {
    return 'i';
  });
  a.get('/user/<int:id>', function user() {
    return 'u';
  });
  a.post('/posts', function create_post() {
    return 'p';
  });
  return a;
}

async function buildError(
  endpoint: string,
  values: Record<string, unknown> = {},
  method?: string,
): Promise<BuildError> {
  const a = app();
  let caught: unknown = null;
  await a.testRequestContext('/', () => {
    try {
      urlFor(endpoint, { ...values, ...(method ? { _method: method } : {}) });
    } catch (e) {
      caught = e;
    }
  });
  expect(caught).toBeInstanceOf(BuildError);
  return caught as BuildError;
}

describe('BuildError suggestions', () => {
  it('an endpoint unlike every registered one gets no suggestion', async () => {
    for (const name of ['profile', 'logout', 'admin.dashboard']) {
      const e = await buildError(name);
      expect(e.suggested).toBeNull();
      expect(e.message).toBe(`Could not build url for endpoint '${name}'.`);
    }
  });

  it('a close name is suggested', async () => {
    const e = await buildError('indx');
    expect(e.suggested?.endpoint).toBe('index');
    expect(e.message).toBe("Could not build url for endpoint 'indx'. Did you mean 'index' instead?");
    expect((await buildError('users', { id: 1 })).message).toBe(
      "Could not build url for endpoint 'users' with values ['id']. Did you mean 'user' instead?",
    );
  });

  it("the endpoint's own rule: the missing values, or the methods it accepts", async () => {
    expect((await buildError('user')).message).toBe(
      "Could not build url for endpoint 'user'. Did you forget to specify values ['id']?",
    );
    expect((await buildError('create_post', {}, 'GET')).message).toBe(
      "Could not build url for endpoint 'create_post' ('GET'). Did you mean to use methods ['OPTIONS', 'POST']?",
    );
  });
});
