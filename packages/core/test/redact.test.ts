import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { redact, redactValue, registerSecret } from '@kagg/core/config';

describe('redaction', () => {
  it('masks registered secrets wherever they appear', () => {
    registerSecret('0123456789abcdef0123456789abcdef');
    assert.equal(redact('key=0123456789abcdef0123456789abcdef!'), 'key=****!');
    assert.deepEqual(redactValue({ a: ['x 0123456789abcdef0123456789abcdef'], n: 3 }), { a: ['x ****'], n: 3 });
  });

  it('masks credentials in common carriers it never saw', () => {
    assert.equal(redact('Authorization: Bearer KGAT_abc.def'), 'Authorization: Bearer ****');
    assert.equal(redact('https://host/api?code=s3cr3t&x=1'), 'https://host/api?code=****&x=1');
    assert.equal(redact('GET https://host/hook?token=t0ken5ecret&x=1'), 'GET https://host/hook?token=****&x=1');
    assert.equal(redact('https://host/a?x=1&token=t0ken5ecret'), 'https://host/a?x=1&token=****');
    assert.equal(redact('postgres://bob:hunter22@db:5432/x'), 'postgres://bob:****@db:5432/x');
    assert.equal(redact('x-functions-key: abcdef123'), 'x-functions-key: ****');
  });

  it('leaves short values and ordinary text alone', () => {
    registerSecret('abc');
    assert.equal(redact('abc is fine'), 'abc is fine');
  });
});

describe('redaction of Kaggle tokens kagg never loaded', () => {
  it('masks KGAT_ tokens', () => {
    assert.equal(redact('token KGAT_abcdef0123456789 echoed'), 'token KGAT_**** echoed');
  });
});

test("a secret a plugin registers through its own copy of @kagg/plugin-api/kit is masked by kagg's redact", async () => {
  // A second copy of the kit, as a plugin installed with its own @kagg/plugin-api would load it.
  const kit = path.join(import.meta.dirname, '..', '..', 'plugin-api', 'dist', 'kit.js');
  const copy = (await import(`${pathToFileURL(kit).href}?plugin-copy`)) as typeof import('@kagg/plugin-api/kit');
  copy.registerSecret('plugin-token-9d8c7b6a');
  assert.equal(redact('token plugin-token-9d8c7b6a here'), 'token **** here');
});
