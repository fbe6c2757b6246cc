// The OpenAPI checks (issue 9): docs/openapi.yaml is a valid OpenAPI 3.1
// document, by @seriousme/openapi-schema-validator (pinned in
// package-lock.json, installed by scripts/install-deps.sh), every $ref in
// it resolves, its ProblemType list matches the problem reasons in src/,
// and `lethe serve` answers GET /openapi.json with exactly
// the YAML's content (parsed here by the `yaml` package, independently of
// the build's python3-yaml conversion). A customer's first steps (sign-up,
// account, upload, link, upload token, consents, erasures, closure, and
// some errors) are then made against that server, and each answer must
// match the schema the document gives for it (ajv, JSON Schema 2020-12).
// The routes themselves are checked
// against the router by tests/e2e/openapi_test.cc.
//
// usage: node validate.mjs <docs/openapi.yaml> <path to lethe>
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import os from 'node:os';
import path from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import Ajv2020 from 'ajv/dist/2020.js';
import YAML from 'yaml';
import { startLethe } from '../lethe_process.mjs';

const [yamlPath, lethe] = process.argv.slice(2);
if (!yamlPath || !lethe) {
  console.error('usage: node validate.mjs <openapi.yaml> <path to lethe>');
  process.exit(2);
}
let failures = 0;
function check(ok, what, detail = '') {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}${detail ? ': ' + detail : ''}`);
  if (!ok) failures++;
}

const text = readFileSync(yamlPath, 'utf8');
// Plain JSON values (the parser's maps carry more than their entries).
const doc = JSON.parse(JSON.stringify(YAML.parse(text)));
const validator = new Validator();
// The validator works on its own copy: resolveRefs() rewrites what it holds.
const res = await validator.validate(structuredClone(doc));
check(res.valid, 'the document is valid OpenAPI', res.valid ? '' : JSON.stringify(res.errors, null, 1));
check(validator.version === '3.1', 'it is OpenAPI 3.1', `validator says ${validator.version}`);
try {
  validator.resolveRefs();
  check(true, 'every $ref resolves');
} catch (e) {
  check(false, 'every $ref resolves', e.message);
}
// A few rules the schema does not state: unique operation ids, problem
// answers typed as problem+json.
const ids = new Set();
let operations = 0;
for (const [p, item] of Object.entries(doc.paths)) {
  for (const [method, op] of Object.entries(item)) {
    if (method === 'parameters' || method === 'summary' || method === 'description') continue;
    operations++;
    if (ids.has(op.operationId)) check(false, `operationId ${op.operationId} is unique`, `${method} ${p}`);
    ids.add(op.operationId);
    if (!op.responses) check(false, `${method} ${p} has responses`);
  }
}
console.log(`[figures] operations documented: ${operations}`);
const types = doc.components.schemas.ProblemType.enum;
console.log(`[figures] problem types documented: ${types.length}`);
check(types.length === new Set(types).size, 'problem types are listed once each');

// Every problem reason the source can produce is a documented type, or
// one named below as never reaching an HTTP answer; and every documented
// type is one the source produces (or one arriving with pending work).
// A new reason therefore fails here until docs/openapi.yaml lists it.
const NOT_SERVED = new Set([
  // command line, configuration and startup
  'bad-listen', 'bad-master-key', 'master-key-missing', 'master-key-mismatch', 'data-dir-locked',
  'no-s3-credentials', 'bad-blobs-url', 'bad-option', 'smtp-bad-url', 'smtp-bad-timeout',
  'sms-bad-url', 'sms-bad-timeout', 'sms-bad-token', 'bad-hash-list', 'cells-share-a-store',
  'bad-region', 'region-needs-own-stores', 'bad-portal', 'bad-instance-id',
  // backups and their keys (the ops route answers 201 or 500)
  'bad-backup-file', 'backup-damaged', 'backup-epoch-destroyed', 'bad-epoch', 'epoch-key-destroyed',
  'epoch-key-exists', 'exists',
  // storage and crypto internals, surfaced as 500 internal or integrity-check-failed
  'aead-bad-length', 'chunk-bad-length', 'chunk-empty-final', 'chunk-out-of-range', 'chunk-short',
  'chunk-too-large', 'sealer-finished', 'bad-blob-id', 'blob-exists', 'bad-note', 'not-signed',
  'other-key',
  // the job runner and the outbound mail and SMS senders (background work)
  'bad-job', 'job-exists', 'jobs-started', 'jobs-stopped', 'jobs-still-running', 'no-handler',
  'gave-up', 'mail-bad-address', 'mail-bad-header', 'mail-bad-id', 'mail-header-injection',
  'mail-not-utf8', 'smtp-login-denied', 'smtp-rejected', 'smtp-tls-failed', 'sms-malformed',
  // why a poster or transcript failed: the artifact's `reason` in GET /v1/media/{id}
  'media-undecodable', 'processing-limit', 'media-worker-missing',
]);
{
  const srcDir = path.join(path.dirname(path.resolve(yamlPath)), '..', 'src');
  const reason = /\b(?:InvalidArgument|Unprocessable|AlreadyExists|FailedPrecondition|Gone|UnsupportedMedia|TooManyRequests|Refused)\(\s*"([a-z0-9]+(?:-[a-z0-9]+)*)"|Code::k\w+,\s*"([a-z0-9]+(?:-[a-z0-9]+)*)"/g;
  const inSource = new Set();
  for (const f of readdirSync(srcDir, { recursive: true })) {
    if (!/\.(cc|h)$/.test(f) || f.endsWith('_test.cc') || f.startsWith('testing')) continue;
    for (const m of readFileSync(path.join(srcDir, f), 'utf8').matchAll(reason)) inSource.add(m[1] || m[2]);
  }
  const documented = new Set(types.map((t) => t.replace('https://lethe.dev/problems/', '')));
  const missing = [...inSource].filter((r) => !documented.has(r) && !NOT_SERVED.has(r));
  check(missing.length === 0, 'every problem reason in src/ is a documented type', missing.join(', '));
  const stale = [...documented].filter((r) => !inSource.has(r));
  check(stale.length === 0, 'every documented type is produced by src/', stale.join(', '));
  check(types.every((t) => t.startsWith('https://lethe.dev/problems/')), 'types are lethe.dev URIs');
  console.log(`[figures] problem reasons in src/: ${inSource.size} (${NOT_SERVED.size} never served)`);
}

// Real answers against the document: each response body must match the
// schema the document gives for its route, status and content type.
const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
ajv.addSchema(doc, 'openapi');
const pointer = (...parts) => parts.map((p) => String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
function responseSchemaRef(method, route, status, type) {
  const op = doc.paths[route]?.[method.toLowerCase()];
  if (!op) return { error: `${method} ${route} is not documented` };
  let base = ['paths', route, method.toLowerCase(), 'responses', String(status)];
  let resp = op.responses[String(status)];
  if (!resp) return { error: `${method} ${route} documents no ${status}` };
  if (resp.$ref) {
    base = resp.$ref.replace(/^#\//, '').split('/');
    resp = base.reduce((o, k) => o[k], doc);
  }
  if (!resp.content?.[type]) return { error: `${method} ${route} ${status} documents no ${type} body` };
  return { ref: 'openapi#/' + pointer(...base, 'content', type, 'schema') };
}
async function conforms(base, method, route, path, { token, basic, body, raw, type } = {}) {
  const headers = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (basic) headers.Authorization = `Basic ${basic}`;
  let payload;
  if (raw) {
    payload = raw;
    headers['Content-Type'] = type;
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers['Content-Type'] = 'application/json';
  }
  const r = await fetch(base + path, { method, headers, body: payload });
  const text = await r.text();
  const contentType = (r.headers.get('content-type') || '').split(';')[0];
  const what = `${method} ${path} -> ${r.status}`;
  if (!text || !/json$/.test(contentType)) {  // no body, or bytes: the status must be documented
    const op = doc.paths[route]?.[method.toLowerCase()];
    check(Boolean(op?.responses[String(r.status)]), `${what} is documented`);
    return { status: r.status, json: null };
  }
  const { ref, error } = responseSchemaRef(method, route, r.status, contentType);
  if (error) {
    check(false, `${what} is documented`, error);
    return { status: r.status, json: null };
  }
  let json = null;
  try { json = JSON.parse(text); } catch { /* checked by the schema */ }
  const ok = ajv.validate({ $ref: ref }, json);
  check(ok, `${what} matches its schema`, ok ? '' : ajv.errorsText(ajv.errors));
  return { status: r.status, json };
}

// The served document is the YAML's content.
const root = mkdtempSync(path.join(os.tmpdir(), 'lethe-openapi-'));
const { server, ready } = startLethe(lethe, path.join(root, 'data'));
try {
  const base = await ready;
  const r = await fetch(base + '/openapi.json');
  check(r.status === 200, 'GET /openapi.json is 200 without credentials', String(r.status));
  check((r.headers.get('content-type') || '').startsWith('application/json'), 'it is JSON',
        r.headers.get('content-type'));
  const served = await r.json();
  check(isDeepStrictEqual(served, doc), 'the served document equals docs/openapi.yaml');
  const again = await new Validator().validate(served);
  check(again.valid, 'the served document is valid OpenAPI');

  // A customer's first steps, each answer checked against the document.
  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');
  await conforms(base, 'GET', '/healthz', '/healthz');
  await conforms(base, 'GET', '/.well-known/lethe/signing-key', '/.well-known/lethe/signing-key');
  await conforms(base, 'GET', '/v1/purposes', '/v1/purposes');
  await conforms(base, 'GET', '/v1/policy', '/v1/policy');
  await conforms(base, 'GET', '/v1/subprocessors', '/v1/subprocessors');
  await conforms(base, 'GET', '/v1/transparency-report', '/v1/transparency-report?year=2026');
  await conforms(base, 'POST', '/v1/signup', '/v1/signup', { body: { name: 'Ada' } });
  const signup = await conforms(base, 'POST', '/v1/signup', '/v1/signup', { body: {
    name: 'Ada Lovelace', email: 'ada@example.com', password: 'correct horse battery',
    country: 'GB', birth_date: '1990-12-10' } });
  const session = signup.json?.session?.token;
  await conforms(base, 'GET', '/v1/me', '/v1/me', { token: session });
  await conforms(base, 'GET', '/v1/me', '/v1/me', { token: 'ses_wrong' });
  const account = await conforms(base, 'POST', '/v1/accounts', '/v1/accounts',
                                 { token: session, body: { name: 'web', region: 'eu' } });
  const acc = account.json?.id;
  const api = account.json?.api_token;
  await conforms(base, 'PATCH', '/v1/accounts/{id}', `/v1/accounts/${acc}`,
                 { token: session, body: { retention_days: 30, allowed_origins: ['https://app.example'] } });
  await conforms(base, 'GET', '/v1/accounts', '/v1/accounts', { token: session });
  await conforms(base, 'GET', '/v1/sessions', '/v1/sessions', { token: session });
  await conforms(base, 'POST', '/v1/accounts/{id}/keys', `/v1/accounts/${acc}/keys`, { token: session });
  await conforms(base, 'GET', '/v1/accounts/{id}/keys', `/v1/accounts/${acc}/keys`, { token: session });
  await conforms(base, 'GET', '/v1/accounts/{id}/audit', `/v1/accounts/${acc}/audit`, { token: session });
  await conforms(base, 'GET', '/v1/account', '/v1/account', { token: api });
  const media = await conforms(base, 'POST', '/v1/media', '/v1/media?end_user=u1&title=dot&tags=a,b',
                               { token: api, raw: png, type: 'image/png' });
  const med = media.json?.id;
  await conforms(base, 'GET', '/v1/media/{id}', `/v1/media/${med}`, { token: api });
  await conforms(base, 'GET', '/v1/media', '/v1/media', { token: api });
  await conforms(base, 'PATCH', '/v1/media/{id}', `/v1/media/${med}`, { token: api, body: { title: 'dot 2' } });
  await conforms(base, 'POST', '/v1/media/{id}/links', `/v1/media/${med}/links`, { token: api, body: {} });
  await conforms(base, 'POST', '/v1/upload-tokens', '/v1/upload-tokens',
                 { token: api, body: { end_user: 'u1', kinds: ['image'], title: 't' } });
  await conforms(base, 'POST', '/v1/consents', '/v1/consents',
                 { token: api, body: { purpose: 'analytics', decision: 'opt_in', end_user: 'u1' } });
  await conforms(base, 'GET', '/v1/consents', '/v1/consents?end_user=u1', { token: api });
  await conforms(base, 'GET', '/v1/usage', '/v1/usage', { token: api });
  const link = await conforms(base, 'POST', '/v1/media/{id}/links', `/v1/media/${med}/links`,
                              { token: api, body: { expires_in: 60 } });
  if (link.json?.url) {
    const u = new URL(link.json.url, base);
    await conforms(base, 'GET', '/v1/media/{id}/content', u.pathname + u.search);
  }
  await conforms(base, 'GET', '/v1/media/{id}/content', `/v1/media/${med}/content`, { token: api });
  await conforms(base, 'POST', '/v1/accounts/{id}/integrations', `/v1/accounts/${acc}/integrations`,
                 { token: session, body: { provider: 'github', token: 'ghp_x', label: 'ci' } });
  await conforms(base, 'GET', '/v1/accounts/{id}/integrations', `/v1/accounts/${acc}/integrations`, { token: session });
  await conforms(base, 'POST', '/v1/accounts/{id}/webhooks', `/v1/accounts/${acc}/webhooks`,
                 { token: session, body: { url: 'http://127.0.0.1/hook', events: ['media.created'] } });
  await conforms(base, 'GET', '/v1/accounts/{id}/webhooks', `/v1/accounts/${acc}/webhooks`, { token: session });
  await conforms(base, 'GET', '/v1/accounts/{id}/aggregates', `/v1/accounts/${acc}/aggregates?k=2`, { token: session });
  await conforms(base, 'GET', '/v1/accounts/{id}/disclosures', `/v1/accounts/${acc}/disclosures`, { token: session });
  await conforms(base, 'GET', '/v1/accounts/{id}/access-log', `/v1/accounts/${acc}/access-log`, { token: session });
  await conforms(base, 'GET', '/v1/accounts/{id}/legal-holds', `/v1/accounts/${acc}/legal-holds`, { token: session });
  await conforms(base, 'GET', '/v1/accounts/{id}/decisions', `/v1/accounts/${acc}/decisions`, { token: session });
  await conforms(base, 'POST', '/v1/appeals', '/v1/appeals', { token: session, body: { statement: 'x', account_id: acc } });
  await conforms(base, 'GET', '/v1/consents', '/v1/consents', { token: session });
  const prq = await conforms(base, 'POST', '/v1/privacy-requests', '/v1/privacy-requests',
                             { token: session, body: { type: 'access', jurisdiction: 'gdpr' } });
  await conforms(base, 'GET', '/v1/privacy-requests', '/v1/privacy-requests', { token: session });
  await conforms(base, 'GET', '/v1/privacy-requests/{id}', `/v1/privacy-requests/${prq.json?.id}`, { token: session });
  await conforms(base, 'POST', '/v1/privacy-requests/{id}/verify', `/v1/privacy-requests/${prq.json?.id}/verify`,
                 { token: session, body: { code: '000000' } });
  await conforms(base, 'POST', '/v1/me/2fa/totp', '/v1/me/2fa/totp', { token: session });
  await conforms(base, 'POST', '/v1/me/2fa/totp/confirm', '/v1/me/2fa/totp/confirm', { token: session, body: { code: '000000' } });
  await conforms(base, 'POST', '/v1/sessions', '/v1/sessions', { body: { email: 'ada@example.com', password: 'correct horse battery' } });
  await conforms(base, 'POST', '/v1/sessions', '/v1/sessions', { body: { email: 'ada@example.com', password: 'wrong' } });
  await conforms(base, 'POST', '/v1/staff/sessions', '/v1/staff/sessions', { body: { staff_id: 'stf_x', password: 'p', code: '1' } });
  await conforms(base, 'GET', '/v1/staff/grants', '/v1/staff/grants', { token: session });
  await conforms(base, 'GET', '/.well-known/lethe/checkpoint', '/.well-known/lethe/checkpoint');
  await conforms(base, 'GET', '/.well-known/lethe/checkpoint/consistency', '/.well-known/lethe/checkpoint/consistency?from=1&to=2');
  await conforms(base, 'GET', '/metrics', '/metrics');
  await conforms(base, 'DELETE', '/v1/media/{id}', `/v1/media/${med}`, { token: api });
  await conforms(base, 'GET', '/v1/erasures', '/v1/erasures', { token: api });
  await conforms(base, 'DELETE', '/v1/end-users/{ref}', '/v1/end-users/u1', { token: api });
  await conforms(base, 'GET', '/v1/media/{id}', `/v1/media/${med}`, { token: api });
  const closed = await conforms(base, 'DELETE', '/v1/accounts/{id}', `/v1/accounts/${acc}`, { token: session });
  await conforms(base, 'GET', '/v1/accounts/{id}/erasures/{erasure}', `/v1/accounts/${acc}/erasures/${closed.json?.id}`,
                 { token: session });
  await conforms(base, 'GET', '/v1/account', '/v1/account', { token: api });
  await conforms(base, 'POST', '/v1/accounts/{id}/token', `/v1/accounts/${acc}/token`, { token: session });
  await conforms(base, 'DELETE', '/v1/me', '/v1/me', { token: session });
} catch (e) {
  check(false, 'serving /openapi.json', e.message);
} finally {
  server.removeAllListeners('exit');
  server.kill('SIGTERM');
  await new Promise((resolve) => server.once('exit', resolve));
  rmSync(root, { recursive: true, force: true });
}
console.log(failures ? `${failures} check(s) failed` : 'all checks passed');
process.exit(failures ? 1 : 0);
