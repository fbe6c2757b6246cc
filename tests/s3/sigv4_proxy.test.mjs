// The SigV4 proxy (sigv4_proxy.mjs) against the examples in Amazon S3's
// documentation of SigV4 ("Signature calculations for the Authorization
// header: transferring payload in a single chunk"): each request, sent
// with the documented headers and signature, must be let through to the
// upstream unchanged but for Authorization; the same with one byte of the
// signature, a header value or the body changed must be refused with S3's
// error. Run by ctest as `node --test`.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import { after, before, test } from 'node:test';

const kKey = 'AKIAIOSFODNN7EXAMPLE';
const kSecret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const kScope = `${kKey}/20130524/us-east-1/s3/aws4_request`;
const kEmpty = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const kHost = 'examplebucket.s3.amazonaws.com';

const examples = {
  getObject: {
    method: 'GET',
    path: '/test.txt',
    headers: { Range: 'bytes=0-9', 'x-amz-content-sha256': kEmpty, 'x-amz-date': '20130524T000000Z' },
    signed: 'host;range;x-amz-content-sha256;x-amz-date',
    signature: 'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
  },
  putObject: {
    method: 'PUT',
    path: '/test%24file.text',
    headers: {
      Date: 'Fri, 24 May 2013 00:00:00 GMT',
      'x-amz-date': '20130524T000000Z',
      'x-amz-storage-class': 'REDUCED_REDUNDANCY',
      'x-amz-content-sha256': '44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072',
    },
    body: 'Welcome to Amazon S3.',
    signed: 'date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class',
    signature: '98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd',
  },
  getLifecycle: {
    method: 'GET',
    path: '/?lifecycle',
    headers: { 'x-amz-content-sha256': kEmpty, 'x-amz-date': '20130524T000000Z' },
    signed: 'host;x-amz-content-sha256;x-amz-date',
    signature: 'fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543',
  },
  listObjects: {
    method: 'GET',
    path: '/?max-keys=2&prefix=J',
    headers: { 'x-amz-content-sha256': kEmpty, 'x-amz-date': '20130524T000000Z' },
    signed: 'host;x-amz-content-sha256;x-amz-date',
    signature: '34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7',
  },
};

let upstream, proxy, proxyPort;
const seen = [];

before(async () => {
  upstream = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString() });
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('upstream');
    });
  });
  await new Promise((r) => upstream.listen(0, '127.0.0.1', r));
  proxy = spawn(
    process.execPath,
    [
      new URL('./sigv4_proxy.mjs', import.meta.url).pathname,
      '--upstream', `http://127.0.0.1:${upstream.address().port}`,
      '--key', `${kKey}:${kSecret}`,
      '--max-skew-s', String(20 * 365 * 86400), // the examples are of 2013
    ],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  proxyPort = await new Promise((resolve, reject) => {
    let out = '';
    proxy.stdout.on('data', (d) => {
      out += d;
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    proxy.on('exit', (code) => reject(new Error(`proxy exited ${code}`)));
  });
});

after(() => {
  proxy.kill('SIGTERM');
  upstream.close();
});

function send(ex, { signature = ex.signature, headers = {}, body = ex.body } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: proxyPort,
        method: ex.method,
        path: ex.path,
        setHost: false,
        headers: {
          Host: kHost,
          Authorization: `AWS4-HMAC-SHA256 Credential=${kScope},SignedHeaders=${ex.signed},Signature=${signature}`,
          ...ex.headers,
          ...headers,
        },
      },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const code = (xml) => /<Code>([^<]*)<\/Code>/.exec(xml)?.[1];

for (const [name, ex] of Object.entries(examples)) {
  test(`${name}: the documented signature passes`, async () => {
    const before = seen.length;
    const res = await send(ex);
    assert.equal(res.status, 200, res.body);
    assert.equal(res.body, 'upstream');
    const got = seen[before];
    assert.equal(got.url, ex.path);
    assert.equal(got.headers.authorization, undefined);
    assert.equal(got.body, ex.body ?? '');
  });
  test(`${name}: one changed signature byte is SignatureDoesNotMatch`, async () => {
    const before = seen.length;
    const flipped = (ex.signature[0] === 'f' ? 'e' : 'f') + ex.signature.slice(1);
    const res = await send(ex, { signature: flipped });
    assert.equal(res.status, 403);
    assert.equal(code(res.body), 'SignatureDoesNotMatch');
    assert.match(res.body, /<CanonicalRequest>/);
    assert.equal(seen.length, before, 'a refused request reached the upstream');
  });
  test(`${name}: a changed signed header is SignatureDoesNotMatch`, async () => {
    const res = await send(ex, { headers: { 'x-amz-date': '20130524T000001Z' } });
    assert.equal(res.status, 403);
    assert.equal(code(res.body), 'SignatureDoesNotMatch');
  });
}

test('a body other than its x-amz-content-sha256 is XAmzContentSHA256Mismatch', async () => {
  const before = seen.length;
  const res = await send(examples.putObject, { body: 'Welcome to Amazon S4.' });
  assert.equal(res.status, 400);
  assert.equal(code(res.body), 'XAmzContentSHA256Mismatch');
  assert.equal(seen.length, before);
});

test('an unsigned x-amz-* header is refused', async () => {
  const res = await send(examples.getObject, { headers: { 'x-amz-meta-extra': '1' } });
  assert.equal(res.status, 403);
  assert.equal(code(res.body), 'AccessDenied');
});

test('an unknown key is InvalidAccessKeyId; no Authorization is AccessDenied', async () => {
  const ex = { ...examples.getObject };
  const other = await new Promise((resolve) => {
    const req = http.request(
      { host: '127.0.0.1', port: proxyPort, path: '/test.txt', headers: ex.headers },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode, body: text }));
      },
    );
    req.end();
  });
  assert.equal(other.status, 403);
  assert.equal(code(other.body), 'AccessDenied');
  const stats = await fetch(`http://127.0.0.1:${proxyPort}/_sigv4/stats`).then((r) => r.json());
  assert.ok(stats.verified >= 4 && stats.rejected.SignatureDoesNotMatch >= 8, JSON.stringify(stats));
  const revoke = await fetch(`http://127.0.0.1:${proxyPort}/_sigv4/keys/${kKey}`, { method: 'DELETE' });
  assert.equal(revoke.status, 204);
  const res = await send(examples.getObject);
  assert.equal(res.status, 403);
  assert.equal(code(res.body), 'InvalidAccessKeyId');
});
