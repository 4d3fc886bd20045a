/**
 * What the web provider makes of a response: Argo's status rule, the raw-string fallback for
 * bodies that are not JSON, JSONPath selection, and the Go json.Marshal display.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebProvider } from '../../../providers/web/index.js';
import { sendJson, sendText, startHttpServer, type TestHttpServer } from '../../support/http-server.js';
import { measureWith } from '../measure.js';

const provider = createWebProvider();
let server: TestHttpServer;

beforeAll(async () => {
  server = await startHttpServer();
});
afterAll(async () => {
  await provider.close?.();
  await server.close();
});

/** Serve `body` with `status`, then measure with the given jsonPath. */
async function respond(status: number, body: string, jsonPath?: string) {
  server.handle((_req, res) => sendText(res, status, body));
  return measureWith(provider, jsonPath === undefined ? { url: server.url } : { url: server.url, jsonPath });
}

const doc = JSON.stringify({
  a: 1,
  b: true,
  c: [1, 2, 3, 4],
  d: null,
  key: [{ key2: { value: '1' } }],
  html: '<a href="x">&</a>',
  nested: { z: 1, a: { y: 2, b: 3 } },
  small: 0.0000001,
  big: 1e21,
});

describe('when the status is not 2xx', () => {
  it.each([300, 400, 404, 500, 503])('gives Argo\'s error for %i, whatever the body', async (status) => {
    const obs = await respond(status, '{"a":1}');
    expect(obs).toMatchObject({ kind: 'error', message: `received non 2xx response code: ${status}` });
  });

  it('uses Unauthorized for 401 and 403', async () => {
    expect(await respond(403, 'no')).toMatchObject({ kind: 'error', code: 'Unauthorized' });
  });
});

describe('when the body is not JSON', () => {
  it.each([
    ['an empty body', ''],
    ['plain text', 'test: notJson'],
    ['HTML', '<html>ok</html>'],
    ['truncated JSON', '{"a": 1'],
    ['a number Go cannot hold', '1e400'],
    ['JSON behind a byte-order mark', '\uFEFF{"a":1}'],
  ])('returns %s as the raw string, ignoring the JSONPath', async (_name, body) => {
    expect(await respond(200, body, '{.a}')).toEqual({ kind: 'value', value: body, display: body });
  });
});

describe('when the body is JSON', () => {
  it.each([
    ['{$}', { a: 1 }, '{"a":1}'],
    ['{.a}', 1, '1'],
    ['{$.key[0].key2.value}', '1', '"1"'],
    ['{.b}', true, 'true'],
    ['{.c}', [1, 2, 3, 4], '[1,2,3,4]'],
    ['{.d}', null, 'null'],
    ['{.c[-1]}', 4, '4'],
    ['{.key[*].key2.value}', '1', '"1"'],
    ['{.html}', '<a href="x">&</a>', '"\\u003ca href=\\"x\\"\\u003e\\u0026\\u003c/a\\u003e"'],
    ['{.nested}', { z: 1, a: { y: 2, b: 3 } }, '{"a":{"b":3,"y":2},"z":1}'],
    ['{.small}', 1e-7, '1e-7'],
    ['{.big}', 1e21, '1e+21'],
    ['{..value}', '1', '"1"'],
    ['{.c[1:3]}', 2, '2'],
    ['first={.a}', 'first=', '"first="'],
  ])('%s gives the first match as value and its Go JSON as display', async (jsonPath, value, display) => {
    const body = jsonPath === '{$}' ? '{"a": 1}' : doc;
    expect(await respond(200, body, jsonPath)).toEqual({ kind: 'value', value, display });
  });

  it('applies the default path {$} to the whole document, keys sorted', async () => {
    const obs = await respond(200, '{"b": 2, "a": [1, {"d": 1, "c": 2}]}');
    expect(obs).toEqual({ kind: 'value', value: { b: 2, a: [1, { d: 1, c: 2 }] }, display: '{"a":[1,{"c":2,"d":1}],"b":2}' });
  });

  it('reports a missing key with client-go\'s message', async () => {
    expect(await respond(200, doc, '{$.key[0].key2.novalue}')).toEqual({
      kind: 'error',
      code: 'BadResponse',
      message: 'Could not find JSONPath in body: novalue is not found',
    });
  });

  it('reports an index out of range', async () => {
    expect(await respond(200, doc, '{.c[7]}')).toMatchObject({
      kind: 'error',
      message: 'Could not find JSONPath in body: array index out of bounds: index 7, length 4',
    });
  });

  it('reports a path that matches nothing as "produced no value"', async () => {
    expect(await respond(200, '{"items": []}', '{.items[*]}')).toEqual({
      kind: 'error',
      code: 'NoData',
      message: 'result of web metric produced no value',
    });
  });

  it('compares a JSON number with an integer literal the way Go does: as an error', async () => {
    const body = JSON.stringify({ pods: [{ ready: 1, name: 'a' }, { ready: 0, name: 'b' }] });
    expect(await respond(200, body, '{.pods[?(@.ready==1)].name}')).toMatchObject({
      kind: 'error',
      message: 'Could not find JSONPath in body: incompatible types for comparison',
    });
    expect(await respond(200, body, '{.pods[?(@.ready==1.0)].name}')).toMatchObject({ kind: 'value', value: 'a' });
    expect(await respond(200, body, "{.pods[?(@.name=='b')].ready}")).toMatchObject({ kind: 'value', value: 0, display: '0' });
  });

  it('returns a JSON null document as null (Argo would panic on it)', async () => {
    expect(await respond(200, 'null')).toEqual({ kind: 'value', value: null, display: 'null' });
  });

  it('keeps -0 as Go encodes it', async () => {
    expect(await respond(200, '{"v": -0}', '{.v}')).toMatchObject({ kind: 'value', display: '-0' });
  });
});

describe('when the response is slow', () => {
  it('times out per timeoutSeconds with Go\'s Client.Timeout wording', async () => {
    server.handle(() => undefined);
    // The server never answers: only the 1 s timeout can end the call within this test's 8 s
    // (Argo's default would be 10 s).
    const obs = await measureWith(provider, { url: `${server.url}/slow`, timeoutSeconds: 1 });
    expect(obs).toEqual({
      kind: 'error',
      code: 'Timeout',
      message: `Get "${server.url}/slow": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
    });
  }, 8_000);

  it('times out while reading a body that never ends', async () => {
    server.handle((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"a":');
    });
    const obs = await measureWith(provider, { url: server.url, timeoutSeconds: 1 });
    expect(obs).toEqual({
      kind: 'error',
      code: 'Timeout',
      message: 'Received no bytes in response: context deadline exceeded (Client.Timeout or context cancellation while reading body)',
    });
  });

  it('waits 10 s when timeoutSeconds is 0 or negative', () => {
    for (const timeoutSeconds of [0, -5]) {
      const parsed = provider.parseConfig({ url: server.url, timeoutSeconds }, {});
      expect(parsed.ok && parsed.config.timeoutMs).toBe(10_000);
    }
  });

  it('still answers a server slower than a second when the default applies', async () => {
    server.handle((_req, res) => {
      setTimeout(() => sendJson(res, 200, { late: true }), 1200);
    });
    expect(await measureWith(provider, { url: server.url, jsonPath: '{.late}' })).toMatchObject({ kind: 'value', value: true });
  });
});
