// A signature-verifying front for s3rver (which checks no SigV4 signature:
// its authentication middleware skips version 4). Every request is checked
// as AWS S3 checks it, then forwarded to s3rver; a bad one never reaches
// the store. What is checked:
//   - Authorization is AWS4-HMAC-SHA256 with Credential=KEY/DATE/REGION/s3/
//     aws4_request for a known key and this proxy's region;
//   - x-amz-date is well formed, of the Credential's day, within 15 minutes;
//   - SignedHeaders holds host, x-amz-date, x-amz-content-sha256 and every
//     other x-amz-* header sent, and only headers that were sent;
//   - x-amz-content-sha256 is the SHA-256 of the body received (or
//     UNSIGNED-PAYLOAD; the streaming kinds are refused: Lethe sends none);
//   - the signature, recomputed by the AWS SDK's own signer
//     (@smithy/signature-v4) over the canonical form S3 uses (the path and
//     the query decoded and encoded again per RFC 3986, the query sorted),
//     equals the one sent, compared in constant time.
// A refusal is S3's: an XML <Error> (SignatureDoesNotMatch, with the
// canonical request and string to sign, as S3 gives them), status 403/400.
//
// Tests manage keys at /_sigv4/ (never a bucket: bucket names have no '_'):
//   PUT /_sigv4/keys/ACCESS_KEY  (body: the secret)  adds or replaces a key
//   DELETE /_sigv4/keys/ACCESS_KEY                   revokes it
//   GET /_sigv4/stats   {"verified": N, "rejected": {"Code": N, ...}}
//
// Usage: node sigv4_proxy.mjs --upstream http://127.0.0.1:PORT
//          [--listen 127.0.0.1:0] [--region us-east-1] [--key ACCESS:SECRET]...
//          [--max-skew-s 900]  (its test replays AWS's examples of 2013)
// Prints "sigv4 proxy listening on HOST:PORT" once it listens.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import { SignatureV4, getCanonicalHeaders } from '@smithy/signature-v4';

const args = { listen: '127.0.0.1:0', region: 'us-east-1', keys: new Map(), skewS: 900 };
for (let i = 2; i < process.argv.length; i += 2) {
  const [flag, value] = [process.argv[i], process.argv[i + 1]];
  if (value === undefined) throw new Error(`${flag} needs a value`);
  if (flag === '--upstream') args.upstream = new URL(value);
  else if (flag === '--listen') args.listen = value;
  else if (flag === '--region') args.region = value;
  else if (flag === '--max-skew-s') args.skewS = Number(value);
  else if (flag === '--key') {
    const at = value.indexOf(':');
    args.keys.set(value.slice(0, at), value.slice(at + 1));
  } else throw new Error(`unknown flag ${flag}`);
}
if (!args.upstream) throw new Error('--upstream http://HOST:PORT is required');

// The hash the signer wants (constructor(secret?), update, digest), on
// Node's OpenSSL: HMAC-SHA256 with a secret, SHA-256 without.
class Sha256 {
  constructor(secret) {
    this.h = secret === undefined ? createHash('sha256') : createHmac('sha256', secret);
  }
  update(data) {
    this.h.update(data);
  }
  async digest() {
    return new Uint8Array(this.h.digest());
  }
}

const stats = { verified: 0, rejected: {} };

// The signer's canonical request and string to sign are protected: a
// subclass reaches them, so the proxy recomputes with the signer's own
// code, over exactly the headers the client says it signed (its sign()
// would drop a signed Date header and choose headers itself).
class Verifier extends SignatureV4 {
  async stringToSign(request, canonicalHeaders, payloadHash, longDate, scope) {
    const canonical = this.createCanonicalRequest(request, canonicalHeaders, payloadHash);
    return [canonical, await this.createStringToSign(longDate, scope, canonical, 'AWS4-HMAC-SHA256')];
  }
}

class Refusal extends Error {
  constructor(status, code, message, extra = {}) {
    super(message);
    Object.assign(this, { status, code, extra });
  }
}

// RFC 3986: everything but the unreserved characters is percent-encoded,
// as SigV4's UriEncode wants.
function uriEncode(s) {
  return encodeURIComponent(s).replace(
    /[!'()*]/g,
    (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase(),
  );
}

function decode(s, what) {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new Refusal(400, 'InvalidURI', `Couldn't parse the specified URI (${what}).`);
  }
}

// S3's canonical URI: each segment of the decoded path, encoded once.
function canonicalPath(rawPath) {
  return rawPath
    .split('/')
    .map((seg) => uriEncode(decode(seg, 'path')))
    .join('/');
}

// The query as the signer takes it: decoded names to values (or lists).
function parseQuery(raw) {
  const query = {};
  for (const piece of raw.split('&')) {
    if (piece === '') continue;
    const eq = piece.indexOf('=');
    const name = decode(eq < 0 ? piece : piece.slice(0, eq), 'query');
    const value = decode(eq < 0 ? '' : piece.slice(eq + 1), 'query');
    if (name in query) query[name] = [].concat(query[name], value);
    else query[name] = value;
  }
  return query;
}

// Header values by lower-case name; repeated headers joined by ',' (SigV4).
function headerMap(rawHeaders) {
  const out = new Map();
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i].toLowerCase();
    out.set(name, out.has(name) ? `${out.get(name)},${rawHeaders[i + 1]}` : rawHeaders[i + 1]);
  }
  return out;
}

function parseAmzDate(s) {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s || '');
  if (!m) return null;
  const [, y, mo, d, h, mi, se] = m.map(Number);
  return new Date(Date.UTC(y, mo - 1, d, h, mi, se));
}

async function verify(req, body) {
  const headers = headerMap(req.rawHeaders);
  const auth = headers.get('authorization');
  if (!auth) throw new Refusal(403, 'AccessDenied', 'Anonymous requests are refused here.');
  const m =
    /^AWS4-HMAC-SHA256 Credential=([^,]+), ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(
      auth,
    );
  if (!m) {
    throw new Refusal(400, 'AuthorizationHeaderMalformed', 'The authorization header is malformed.');
  }
  const [, credential, signedList, signature] = m;
  const [accessKey, day, region, service, terminator, ...rest] = credential.split('/');
  if (rest.length || service !== 's3' || terminator !== 'aws4_request') {
    throw new Refusal(400, 'AuthorizationHeaderMalformed', `Bad credential scope: ${credential}`);
  }
  if (region !== args.region) {
    throw new Refusal(
      400,
      'AuthorizationHeaderMalformed',
      `the region '${region}' is wrong; expecting '${args.region}'`,
    );
  }
  const secret = args.keys.get(accessKey);
  if (secret === undefined) {
    throw new Refusal(
      403,
      'InvalidAccessKeyId',
      'The AWS Access Key Id you provided does not exist in our records.',
    );
  }
  const amzDate = headers.get('x-amz-date');
  const when = parseAmzDate(amzDate);
  if (!when) throw new Refusal(403, 'AccessDenied', 'AWS authentication requires a valid x-amz-date');
  if (amzDate.slice(0, 8) !== day) {
    throw new Refusal(400, 'AuthorizationHeaderMalformed', 'The credential date is not x-amz-date\'s');
  }
  if (Math.abs(Date.now() - when.getTime()) > args.skewS * 1000) {
    throw new Refusal(403, 'RequestTimeTooSkewed', 'The request time is more than 15 minutes off.');
  }

  const signed = signedList.split(';');
  const sorted = [...signed].sort();
  if (signed.some((h, i) => h !== sorted[i] || h !== h.toLowerCase() || h === signed[i - 1])) {
    throw new Refusal(400, 'AuthorizationHeaderMalformed', 'SignedHeaders is not sorted lower-case');
  }
  for (const must of ['host', 'x-amz-date', 'x-amz-content-sha256']) {
    if (!signed.includes(must)) {
      throw new Refusal(403, 'AccessDenied', `The header ${must} must be signed.`);
    }
  }
  for (const name of headers.keys()) {
    if (name.startsWith('x-amz-') && !signed.includes(name)) {
      throw new Refusal(403, 'AccessDenied', `There were headers present in the request which were not signed: ${name}`);
    }
  }
  for (const name of signed) {
    if (!headers.has(name)) {
      throw new Refusal(403, 'SignatureDoesNotMatch', `A signed header was not sent: ${name}`);
    }
  }

  const declared = headers.get('x-amz-content-sha256');
  if (/^[0-9a-f]{64}$/.test(declared)) {
    const actual = createHash('sha256').update(body).digest('hex');
    if (actual !== declared) {
      throw new Refusal(
        400,
        'XAmzContentSHA256Mismatch',
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
        { ClientComputedContentSHA256: declared, S3ComputedContentSHA256: actual },
      );
    }
  } else if (declared.startsWith('STREAMING-')) {
    throw new Refusal(501, 'NotImplemented', `${declared} is not checked by this proxy`);
  } else if (declared !== 'UNSIGNED-PAYLOAD') {
    throw new Refusal(400, 'InvalidArgument', 'x-amz-content-sha256 must be a SHA-256 hex value');
  }

  const url = req.url;
  const q = url.indexOf('?');
  const request = {
    method: req.method,
    path: canonicalPath(q < 0 ? url : url.slice(0, q)),
    query: parseQuery(q < 0 ? '' : url.slice(q + 1)),
  };
  const canonicalHeaders = getCanonicalHeaders(
    { headers: Object.fromEntries(signed.map((name) => [name, headers.get(name)])) },
    undefined,
    new Set(signed),
  );
  if (Object.keys(canonicalHeaders).sort().join(';') !== signedList) {
    throw new Refusal(403, 'SignatureDoesNotMatch', `The signer would not sign all of ${signedList}`);
  }
  const signer = new Verifier({
    credentials: { accessKeyId: accessKey, secretAccessKey: secret },
    region: args.region,
    service: 's3',
    sha256: Sha256,
    uriEscapePath: false, // S3 encodes the path once: canonicalPath did
    applyChecksum: false,
  });
  const scope = `${day}/${region}/s3/aws4_request`;
  const [canonical, stringToSign] = await signer.stringToSign(
    request,
    canonicalHeaders,
    declared,
    amzDate,
    scope,
  );
  const expected = await signer.signString(stringToSign, { signingDate: when });
  if (!timingSafeEqual(Buffer.from(expected, 'hex'), Buffer.from(signature, 'hex'))) {
    // What S3 answers: the canonical request and string to sign it used.
    throw new Refusal(
      403,
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. ' +
        'Check your key and signing method.',
      { AWSAccessKeyId: accessKey, StringToSign: stringToSign, CanonicalRequest: canonical },
    );
  }
}

function xmlEscape(s) {
  return String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
}

function refuse(req, res, refusal) {
  stats.rejected[refusal.code] = (stats.rejected[refusal.code] || 0) + 1;
  const id = randomBytes(8).toString('hex').toUpperCase();
  const extra = Object.entries(refusal.extra)
    .map(([k, v]) => `<${k}>${xmlEscape(v)}</${k}>`)
    .join('');
  const xml =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>${refusal.code}</Code><Message>${xmlEscape(refusal.message)}</Message>` +
    `${extra}<RequestId>${id}</RequestId></Error>`;
  console.error(`refused ${req.method} ${req.url}: ${refusal.code}: ${refusal.message}` +
    (refusal.extra.CanonicalRequest ? `\n--- canonical request ---\n${refusal.extra.CanonicalRequest}\n---` : ''));
  res.writeHead(refusal.status, {
    'Content-Type': 'application/xml',
    'Content-Length': Buffer.byteLength(xml),
    'x-amz-request-id': id,
  });
  res.end(req.method === 'HEAD' ? undefined : xml);
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const kHopByHop = new Set(['connection', 'keep-alive', 'transfer-encoding', 'authorization']);

function forward(req, res, body) {
  const headers = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i];
    if (kHopByHop.has(name.toLowerCase())) continue;
    headers[name] = name in headers ? `${headers[name]}, ${req.rawHeaders[i + 1]}` : req.rawHeaders[i + 1];
  }
  // Verified here; s3rver's V4 check is a no-op that only looks the key up
  // in its own registry, so the request goes on unsigned.
  headers['content-length'] = String(body.length);
  const up = http.request(
    {
      host: args.upstream.hostname,
      port: args.upstream.port,
      method: req.method,
      path: req.url,
      headers,
      agent,
    },
    (upRes) => {
      res.writeHead(upRes.statusCode, upRes.statusMessage, upRes.rawHeaders);
      upRes.pipe(res);
    },
  );
  up.on('error', (err) => {
    if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'text/plain' });
    res.end(`upstream: ${err.message}`);
  });
  up.end(body);
}

function control(req, res, body) {
  const m = /^\/_sigv4\/keys\/([A-Za-z0-9_.-]+)$/.exec(req.url);
  if (req.method === 'GET' && req.url === '/_sigv4/stats') {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    return res.end(JSON.stringify(stats));
  }
  if (m && req.method === 'PUT' && body.length > 0) {
    args.keys.set(m[1], body.toString('utf8'));
    res.writeHead(204);
    return res.end();
  }
  if (m && req.method === 'DELETE') {
    res.writeHead(args.keys.delete(m[1]) ? 204 : 404);
    return res.end();
  }
  res.writeHead(404);
  res.end();
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    const body = Buffer.concat(chunks);
    if (req.url.startsWith('/_sigv4/')) return control(req, res, body);
    try {
      await verify(req, body);
    } catch (err) {
      if (err instanceof Refusal) return refuse(req, res, err);
      console.error(err);
      return refuse(req, res, new Refusal(500, 'InternalError', 'The proxy failed.'));
    }
    stats.verified += 1;
    forward(req, res, body);
  });
});
server.keepAliveTimeout = 30_000;
const at = args.listen.lastIndexOf(':');
server.listen(Number(args.listen.slice(at + 1)), args.listen.slice(0, at), () => {
  const { address, port } = server.address();
  console.log(`sigv4 proxy listening on ${address}:${port} (upstream ${args.upstream.host})`);
});
const bye = () => {
  console.log(`sigv4 proxy: verified ${stats.verified}, rejected ${JSON.stringify(stats.rejected)}`);
  process.exit(0);
};
process.on('SIGTERM', bye);
process.on('SIGINT', bye);
