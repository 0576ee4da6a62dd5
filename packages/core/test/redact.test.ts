import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
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
