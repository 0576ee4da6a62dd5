// got as the build bundles it (scripts/bundle-got.mjs): the same got, whose first request loads
// neither undici nor the web streams (what made `kagg invoke` slower than the fetch build), with the
// stand-ins for FormData, ReadableStream and Intl.ListFormat (scripts/got-globals.mjs) answering as
// the real globals do. And ResponseHeaders, read as WHATWG Headers are.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadGot, ResponseHeaders } from '@kagg/core/http';
import { tempDir } from '@kagg/testkit/temp';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
let server: http.Server;
let base = '';
let received: { type: string; body: string }[] = [];

before(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ type: req.headers['content-type'] ?? '', body: Buffer.concat(chunks).toString() });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
after(() => server.close());

describe('the got bundle', () => {
  it('serves a request, a JSON request and a download without loading undici or the web streams', () => {
    const dest = path.join(tempDir(), 'file.json');
    // Everything through @kagg/core/http, in a fresh process; its own server reached by getBuiltinModule,
    // since an ESM import of node:http would itself load undici.
    const script = `
      const http = process.getBuiltinModule('node:http');
      const { createHttpClient } = await import('@kagg/core/http');
      const server = http.createServer((req, res) => {
        req.resume();
        req.on('end', () => {
          res.setHeader('content-type', 'application/json');
          res.setHeader('set-cookie', ['a=1', 'b=2']);
          res.end(JSON.stringify({ method: req.method }));
        });
      });
      await new Promise((r) => server.listen(0, '127.0.0.1', r));
      const url = 'http://127.0.0.1:' + server.address().port + '/';
      const client = createHttpClient({ retries: 0 });
      const posted = await client.request({ method: 'POST', url, body: '{"x":1}', responseType: 'text' });
      const json = await client.request({ method: 'PUT', url, json: { x: 1 } });
      const file = await client.download({ url, dest: ${JSON.stringify(dest)} });
      server.close();
      console.log(JSON.stringify({
        text: posted.text, body: json.body, type: json.headers.get('Content-Type'),
        cookies: json.headers.get('set-cookie'), file: file.outcome,
        loaded: process.moduleLoadList.filter((m) => /undici|webstreams/.test(m)),
      }));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(out, {
      text: '{"method":"POST"}',
      body: { method: 'PUT' },
      type: 'application/json',
      cookies: 'a=1, b=2',
      file: 'written',
      loaded: [],
    });
    assert.deepEqual(JSON.parse(readFileSync(dest, 'utf8')), { method: 'GET' });
  });

  it('still sends a FormData body as multipart, and a web ReadableStream body', async () => {
    const { got } = await loadGot();
    received = [];
    const form = new FormData();
    form.set('name', 'kagg');
    await got.post(base, { body: form, retry: { limit: 0 } });
    await got.post(base, { body: ReadableStream.from(['web ', 'stream']), retry: { limit: 0 } });
    assert.match(received[0]?.type ?? '', /^multipart\/form-data; boundary=/);
    assert.match(received[0]?.body ?? '', /name="name"\r\n\r\nkagg\r\n/);
    assert.equal(received[1]?.body, 'web stream');
  });

  it("formats got's option errors with the list format it would have built at load", async () => {
    const { got } = await loadGot();
    const list = new Intl.ListFormat('en', { style: 'long', type: 'disjunction' });
    await assert.rejects(got(base, { body: 123 as unknown as string, retry: { limit: 0 } }), (error: Error) => {
      const accepted = ['string', 'Buffer', 'Node.js Stream', 'Generator', 'AsyncGenerator', 'Iterable'];
      const types = [...accepted, 'AsyncIterable', 'predicate returns truthy for any value', 'undefined'];
      assert.ok(error.message.includes(list.format(types.map((t) => `\`${t}\``))), error.message);
      return true;
    });
  });
});

describe('ResponseHeaders', () => {
  it('reads any case, joins repeated headers and lists names in order, as Headers does', () => {
    const raw = { 'x-b': '2', 'content-type': 'text/plain', 'set-cookie': ['a=1', 'b=2'], 'x-a': '1' };
    const ours = new ResponseHeaders(raw);
    const web = new Headers();
    for (const [k, v] of Object.entries(raw)) for (const one of [v].flat()) web.append(k, one);
    for (const name of ['Content-Type', 'x-a', 'SET-COOKIE', 'missing']) {
      assert.equal(ours.get(name), web.get(name), name);
      assert.equal(ours.has(name), web.has(name), name);
    }
    const seen = (h: { forEach(cb: (value: string, name: string) => void): void }) => {
      const all: string[] = [];
      h.forEach((value, name) => {
        all.push(`${name}=${value}`);
      });
      return all;
    };
    assert.deepEqual(seen(ours), ['content-type=text/plain', 'set-cookie=a=1, b=2', 'x-a=1', 'x-b=2']);
    assert.deepEqual(
      seen(ours).filter((l) => !l.startsWith('set-cookie')),
      seen(web).filter((l) => !l.startsWith('set-cookie')),
    );
  });
});
