// The browser test (issue 9): Debian's chromium, driven by playwright-core,
// uses Lethe from a page on another origin, as a web app would.
//
// Two loopback origins: the Lethe server (http://127.0.0.1:<port>) and a
// static page server (http://localhost:<port2>). The test's "backend" (this
// script) signs up, lists the page's origin on the account, and issues an
// upload token; the page uploads a WebM with that token over tus 1.0
// (tus-js-client, served by the page's own origin; CORS preflights, then
// POST and PATCHes of 16 KiB), reads a signed link with a Range
// header through fetch() (206, Content-Range exposed), plays it in
// <video crossorigin> and seeks. A page on an origin the account does not
// list is refused. Exit 0 when every check holds.
//
// usage: node upload_play.mjs <path to lethe>
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import http from 'node:http';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { api, TestRun } from '../lethe_process.mjs';

const lethe = process.argv[2];
if (!lethe) {
  console.error('usage: node upload_play.mjs <path to lethe>');
  process.exit(2);
}
const chromiumPath = process.env.LETHE_CHROMIUM || '/usr/bin/chromium';
const run = new TestRun(lethe, 'lethe-browser-');
const { root } = run;
const check = (...args) => run.check(...args);

// tus-js-client's browser build, from the npm package (tests/browser).
const tusScript = readFileSync(
  path.join(path.dirname(createRequire(import.meta.url).resolve('tus-js-client/package.json')), 'dist',
            'tus.min.js'));

// A static server for the page, and the tus client it loads: its own origin.
function startPageServer(html) {
  const server = http.createServer((req, res) => {
    if (req.url === '/tus.min.js') {
      res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8' });
      res.end(tusScript);
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(html);
  });
  run.cleanup(() => server.close());
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve(`http://localhost:${server.address().port}`));
  });
}

function makeWebm() {
  const out = path.join(root, 'clip.webm');
  const r = spawnSync('ffmpeg', ['-loglevel', 'error', '-y', '-f', 'lavfi', '-i',
                                 'testsrc=size=160x120:rate=25:duration=4', '-c:v', 'libvpx',
                                 '-deadline', 'realtime', '-g', '25', '-b:v', '300k', out]);
  if (r.status !== 0) throw new Error('ffmpeg failed: ' + r.stderr);
  return readFileSync(out);
}

// The page: its script uploads and plays when the test calls its functions.
const pageHtml = `<!doctype html><meta charset="utf-8"><title>web app</title>
<video id="v" crossorigin="anonymous" muted preload="metadata"></video>
<script src="/tus.min.js"></script>
<script>
// tus 1.0 with the upload token, 16 KiB per PATCH (several parts); the
// last PATCH's answer names the media (Lethe-Media-Id, exposed by CORS).
function upload(api, token, base64) {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return new Promise((resolve) => {
    let mediaId = null;
    let patches = 0;
    const up = new tus.Upload(new Blob([bytes], { type: 'video/webm' }), {
      endpoint: api + '/v1/uploads',
      headers: { Authorization: 'Bearer ' + token },
      metadata: { filetype: 'video/webm', filename: 'clip.webm' },
      chunkSize: 16 * 1024,
      retryDelays: null,
      storeFingerprintForResuming: false,
      onAfterResponse: (req, res) => {
        if (req.getMethod() === 'PATCH') patches++;
        const id = res.getHeader('Lethe-Media-Id');
        if (id) mediaId = id;
      },
      onError: (e) => resolve({ error: String(e) }),
      onSuccess: () => resolve({ mediaId, url: up.url, patches }),
    });
    up.start();
  });
}
async function readRange(url) {
  const res = await fetch(url, { headers: { Range: 'bytes=0-99' } });
  const body = new Uint8Array(await res.arrayBuffer());
  return { status: res.status, contentRange: res.headers.get('content-range'),
           etag: res.headers.get('etag'), length: body.length };
}
function play(url) {
  const v = document.getElementById('v');
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ error: 'timeout, readyState ' + v.readyState }), 30000);
    v.addEventListener('error', () => { clearTimeout(timer); resolve({ error: 'media error ' + (v.error && v.error.code) }); });
    v.addEventListener('loadedmetadata', () => {
      const duration = v.duration;
      v.addEventListener('seeked', () => {
        clearTimeout(timer);
        resolve({ duration, width: v.videoWidth, height: v.videoHeight, seekedTo: v.currentTime });
      }, { once: true });
      v.currentTime = duration / 2;
    }, { once: true });
    v.src = url;
  });
}
async function tryFetch(url, init) {
  try { const r = await fetch(url, init); return { status: r.status }; }
  catch (e) { return { blocked: String(e) }; }
}
</script>`;

async function main() {
  const base = await run.startLethe();
  const pageOrigin = await startPageServer(pageHtml);
  const otherOrigin = await startPageServer(pageHtml);

  // The customer's backend: an account that lists the page's origin.
  const signup = await api(base, 'POST', '/v1/signup', { body: {
    name: 'Web Dev', email: `web${Date.now()}@example.com`, password: 'correct horse battery staple',
    country: 'US', birth_date: '1990-04-02' } });
  check(signup.status === 201, 'sign-up', signup.text);
  const session = signup.json.session.token;
  const account = await api(base, 'POST', '/v1/accounts', { token: session, body: { name: 'web', region: 'us' } });
  check(account.status === 201, 'account', account.text);
  const patched = await api(base, 'PATCH', `/v1/accounts/${account.json.id}`,
                            { token: session, body: { allowed_origins: [pageOrigin] } });
  check(patched.status === 200, 'allowed origins set', patched.text);
  const issued = await api(base, 'POST', '/v1/upload-tokens',
                           { token: account.json.api_token, body: { end_user: 'eu_web', kinds: ['video'] } });
  check(issued.status === 201, 'upload token issued', issued.text);

  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    // Root in a container has no user namespaces for the sandbox.
    args: ['--no-sandbox', '--autoplay-policy=no-user-gesture-required'],
  });
  run.cleanup(() => browser.close());
  const page = await browser.newPage();
  page.on('console', (m) => console.log('page:', m.text()));
  await page.goto(pageOrigin + '/');

  const webm = makeWebm();
  const up = await page.evaluate(([a, t, b]) => upload(a, t, b),
                                 [base, issued.json.token, webm.toString('base64')]);
  check(!up.error && up.patches >= 2, 'the page uploads with the upload token over tus (preflights, POST, PATCHes)',
        JSON.stringify(up));
  // A cross-origin answer reaches the page only with Access-Control-Allow-Origin.
  check(typeof up.mediaId === 'string' && up.mediaId.startsWith('med_'), 'the page reads the media id', up.mediaId);
  const stored = await api(base, 'GET', `/v1/media/${up.mediaId}`, { token: account.json.api_token });
  check(stored.status === 200 && stored.json.end_user === 'eu_web' && stored.json.kind === 'video' &&
        stored.json.bytes === webm.length, 'the media is the end user\'s video', stored.text);

  // The backend makes a signed link (the upload token cannot).
  const link = await api(base, 'POST', `/v1/media/${up.mediaId}/links`, { token: account.json.api_token });
  check(link.status === 201, 'signed link', link.text);
  const url = base + link.json.url;

  const range = await page.evaluate((u) => readRange(u), url);
  check(range.status === 206 && range.length === 100, 'fetch() with Range reads 100 bytes', JSON.stringify(range));
  check(range.contentRange === `bytes 0-99/${webm.length}`, 'Content-Range is exposed', range.contentRange);
  check(Boolean(range.etag), 'ETag is exposed', range.etag);

  const played = await page.evaluate((u) => play(u), url);
  check(!played.error && played.duration > 3 && played.duration < 5,
        '<video crossorigin> loads the metadata', JSON.stringify(played));
  check(played.width === 160 && played.height === 120, 'and knows the frame size');
  check(Math.abs(played.seekedTo - played.duration / 2) < 0.5, 'and seeks to the middle');

  // A page on an origin the account does not list reads nothing.
  const other = await browser.newPage();
  await other.goto(otherOrigin + '/');
  const refused = await other.evaluate((u) => tryFetch(u, { headers: { Range: 'bytes=0-99' } }), url);
  check(Boolean(refused.blocked), 'another origin cannot read the link', JSON.stringify(refused));
  const token2 = await api(base, 'POST', '/v1/upload-tokens',
                           { token: account.json.api_token, body: { end_user: 'eu_web' } });
  const sneaky = await other.evaluate(([a, t]) => tryFetch(a + '/v1/media', {
    method: 'POST', headers: { Authorization: 'Bearer ' + t, 'Content-Type': 'video/webm' },
    body: 'x' }), [base, token2.json.token]);
  check(Boolean(sneaky.blocked), 'nor upload from it', JSON.stringify(sneaky));
  const listed = await api(base, 'GET', '/v1/media', { token: account.json.api_token });
  check(listed.json.media.length === 1, 'one media stored', String(listed.json.media.length));
}

await run.finish(main);
