// The embeds in a real browser (issue 15): Debian's chromium with fake
// camera and microphone, driven by playwright-core, uses <lethe-recorder>
// and <lethe-player> on a page of another origin, as a customer's app
// would, loading them from `lethe serve` at /embed/lethe-embeds.js.
//
// Two loopback origins: Lethe (http://127.0.0.1:<port>) and the app's page
// (http://localhost:<port2>, a secure context for getUserMedia), served
// with a strict CSP (no inline script or style, Trusted Types) that lists
// Lethe. This script is the customer's backend: it signs up, lists the
// page's origin on the account, sets the account's capture notice and
// issues upload tokens and signed links through the API.
//
// Checks:
// - the bundle's headers (CORS *, CORP cross-origin, no-cache + ETag, 304);
// - the recorder shows the notice and records nothing before consent; an
//   opt-in is in the consent ledger with source "recorder" and the policy
//   version; ~2 s of video is recorded and uploaded over tus;
// - the player plays it through a signed link (currentTime advances, with
//   the keyboard); an expired link reads "This link has expired."; after DELETE /v1/end-users/{ref} it says "This
//   recording has been erased." in a role=alert and dispatches lethe-error;
// - declining records an opt-out and opens no device, records nothing;
// - a photo and an audio recording upload;
// - an upload token cannot record consent for another end user;
// - axe-core: no serious or critical violation on the examples page and
//   the app's page. Screenshots go to <screenshots dir> (argv[3]).
//
// usage: node embeds.mjs <path to lethe> <screenshots dir>
import { mkdirSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { api, TestRun } from '../lethe_process.mjs';
import { PageCheck } from './kit.mjs';

const lethe = process.argv[2];
const shots = process.argv[3];
if (!lethe || !shots) {
  console.error('usage: node embeds.mjs <path to lethe> <screenshots dir>');
  process.exit(2);
}
mkdirSync(shots, { recursive: true });
const chromiumPath = process.env.LETHE_CHROMIUM || '/usr/bin/chromium';
const run = new TestRun(lethe, 'lethe-embeds-');
const check = (...args) => run.check(...args);
const pages = new PageCheck(run, shots);
const shoot = (target, name) => pages.shoot(target, name);
const accessible = (page, name) => pages.accessible(page, name);
const ERASED = 'This recording has been erased.';

// The app's page: no script of its own (the test drives it), a strict CSP
// that lets in Lethe's module, its API and its media only.
function startAppServer(base) {
  const csp = `default-src 'self'; script-src 'self' ${base}; connect-src ${base}; ` +
              `media-src ${base} blob:; img-src ${base} blob: data:; style-src 'self'; ` +
              `object-src 'none'; base-uri 'none'; require-trusted-types-for 'script'; trusted-types 'none'`;
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>An app that records</title>
<script type="module" src="${base}/embed/lethe-embeds.js"></script></head>
<body><main><h1>An app that records</h1><div id="slot"></div><div id="play"></div></main></body></html>`;
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': csp });
    res.end(html);
  });
  run.cleanup(() => server.close());
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve(`http://localhost:${server.address().port}`));
  });
}

// In the page: a recorder with these attributes, replacing any other, and
// a log of the events that reach the document.
function mountRecorder(page, attrs) {
  return page.evaluate((a) => {
    if (!window.__events) {
      window.__events = [];
      for (const n of ['lethe-consent', 'lethe-uploaded', 'lethe-error']) {
        document.addEventListener(n, (e) => window.__events.push({ name: n, detail: e.detail }));
      }
      window.__gum = 0;
      const real = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
      navigator.mediaDevices.getUserMedia = (c) => { window.__gum++; return real(c); };
    }
    const r = document.createElement('lethe-recorder');
    for (const [k, v] of Object.entries(a)) r.setAttribute(k, v);
    document.getElementById('slot').replaceChildren(r);
  }, attrs);
}

const stateOf = (page, tag) => page.evaluate((t) => document.querySelector(t)?.getAttribute('state'), tag);
async function waitState(page, tag, states, ms = 20000) {
  await page.waitForFunction(([t, s]) => s.includes(document.querySelector(t)?.getAttribute('state')),
                             [tag, states], { timeout: ms }).catch(() => {});
  return stateOf(page, tag);
}
const events = (page, name) => page.evaluate((n) => (window.__events || []).filter((e) => e.name === n), name);

async function main() {
  const base = await run.startLethe();

  // --- The bundle and the examples page, as other origins fetch them.
  const js = await fetch(base + '/embed/lethe-embeds.js', { headers: { Origin: 'http://elsewhere.example' } });
  const jsBody = await js.text();
  if (js.status !== 200) throw new Error(`GET /embed/lethe-embeds.js is ${js.status}: was web/embeds built (lethe_embeds)?`);
  check(js.headers.get('content-type').startsWith('text/javascript'), 'the bundle is JavaScript', js.headers.get('content-type'));
  check(js.headers.get('access-control-allow-origin') === '*', 'the bundle: Access-Control-Allow-Origin *');
  check(js.headers.get('cross-origin-resource-policy') === 'cross-origin', 'the bundle: Cross-Origin-Resource-Policy cross-origin');
  check(js.headers.get('cache-control') === 'no-cache' && Boolean(js.headers.get('etag')),
        'the bundle: no-cache with an ETag', `${js.headers.get('cache-control')} ${js.headers.get('etag')}`);
  const again = await fetch(base + '/embed/lethe-embeds.js', { headers: { 'If-None-Match': js.headers.get('etag') } });
  check(again.status === 304, 'the bundle: 304 when unchanged', String(again.status));
  check(jsBody.includes('lethe-recorder') && jsBody.includes('tus'), 'the bundle holds the elements and tus-js-client',
        `${jsBody.length} bytes`);
  console.log(`[figures] bundle bytes: ${jsBody.length}`);
  const examples = await fetch(base + '/embed/examples');
  check(examples.status === 200 && (examples.headers.get('content-security-policy') || '').includes("script-src 'self'"),
        'the examples page is served with the CSP', String(examples.status));
  const missing = await fetch(base + '/embed/nothing.js');
  check(missing.status === 404, 'an unknown embed file is 404', String(missing.status));

  const appOrigin = await startAppServer(base);

  // --- The customer's backend.
  const signup = await api(base, 'POST', '/v1/signup', { body: {
    name: 'Embed Dev', email: `embed${Date.now()}@example.com`, password: 'correct horse battery staple',
    country: 'US', birth_date: '1990-04-02' } });
  check(signup.status === 201, 'sign-up', signup.text);
  const session = signup.json.session.token;
  const account = await api(base, 'POST', '/v1/accounts', { token: session, body: { name: 'embeds', region: 'us' } });
  check(account.status === 201, 'account', account.text);
  const apiToken = account.json.api_token;
  const notice = 'We record this clip to attach it to your support ticket.\nYou can ask us to erase it at any time.';
  const patched = await api(base, 'PATCH', `/v1/accounts/${account.json.id}`, { token: session, body: {
    allowed_origins: [appOrigin, base], capture_notice: notice, capture_purposes: ['transcription'] } });
  check(patched.status === 200 && patched.json.capture_notice === notice &&
        patched.json.capture_purposes.join() === 'transcription', 'the account sets its capture notice', patched.text);
  const token = async (end_user, kinds) => {
    const t = await api(base, 'POST', '/v1/upload-tokens', { token: apiToken, body: { end_user, kinds } });
    check(t.status === 201, `upload token for ${end_user}`, t.text);
    return t.json.token;
  };

  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
           '--autoplay-policy=no-user-gesture-required'],
  });
  run.cleanup(() => browser.close());
  const context = await browser.newContext({ viewport: { width: 900, height: 900 } });
  const page = await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error') console.log('page:', m.text()); });
  page.on('pageerror', (e) => console.log('page error:', e.message));
  await page.goto(appOrigin + '/');
  await page.waitForFunction(() => Boolean(customElements.get('lethe-recorder') && customElements.get('lethe-player')));
  check(true, 'the page of another origin loads the module from Lethe under its strict CSP');

  // --- Video: the notice, consent, ~2 s, tus.
  await mountRecorder(page, { endpoint: base, 'upload-token': await token('eu_video', ['video']), kind: 'video',
                              title: 'Support clip' });
  let state = await waitState(page, 'lethe-recorder', ['notice', 'error']);
  check(state === 'notice', 'the recorder shows the account\'s notice first', state);
  const recorder = page.locator('lethe-recorder');
  check((await recorder.getByText('attach it to your support ticket').count()) === 1, 'with the notice\'s text');
  check((await recorder.getByRole('button', { name: 'Record' }).isVisible()) === false, 'and no Record button yet');
  check(await page.evaluate(() => window.__gum) === 0, 'and no camera opened before consent');
  await shoot(recorder, 'recorder-notice');
  await accessible(page, 'the app page with the recorder\'s notice');
  await recorder.getByRole('button', { name: 'I agree' }).click();
  state = await waitState(page, 'lethe-recorder', ['ready', 'error']);
  check(state === 'ready', 'after the opt-in the camera is on', state);
  const consented = await api(base, 'GET', '/v1/consents?end_user=eu_video', { token: apiToken });
  const tx = consented.json && consented.json.purposes.find((p) => p.purpose === 'transcription');
  check(tx && tx.state === 'granted' && tx.source === 'recorder' && tx.policy_version >= 1,
        'the opt-in is in the ledger: source recorder, with the policy version', JSON.stringify(tx));
  await page.waitForTimeout(500);
  await shoot(recorder, 'recorder-ready');
  await recorder.getByRole('button', { name: 'Record' }).click();
  check(await waitState(page, 'lethe-recorder', ['recording']) === 'recording', 'recording');
  await page.waitForTimeout(2000);
  await shoot(recorder, 'recorder-recording');
  await recorder.getByRole('button', { name: 'Stop' }).click();
  state = await waitState(page, 'lethe-recorder', ['uploaded', 'error'], 30000);
  const uploaded = await events(page, 'lethe-uploaded');
  check(state === 'uploaded' && uploaded.length === 1, 'the clip is uploaded over tus',
        JSON.stringify(await events(page, 'lethe-error')));
  await shoot(recorder, 'recorder-uploaded');
  const videoId = uploaded[0] && uploaded[0].detail.mediaId;
  check(typeof videoId === 'string' && videoId.startsWith('med_'), 'lethe-uploaded names the media', videoId);
  const stored = await api(base, 'GET', `/v1/media/${videoId}`, { token: apiToken });
  check(stored.status === 200 && stored.json.kind === 'video' && stored.json.end_user === 'eu_video' &&
        stored.json.title === 'Support clip', 'it is the end user\'s video with its title', stored.text);
  console.log(`[figures] recorded video bytes: ${stored.json && stored.json.bytes}`);

  // --- The player: a signed link, keyboard play, currentTime advances.
  const link = await api(base, 'POST', `/v1/media/${videoId}/links`, { token: apiToken });
  check(link.status === 201, 'signed link', link.text);
  await page.evaluate((src) => {
    const p = document.createElement('lethe-player');
    p.setAttribute('src', src);
    document.getElementById('play').replaceChildren(p);
  }, base + link.json.url);
  state = await waitState(page, 'lethe-player', ['ready', 'error']);
  check(state === 'ready', 'the player loads the signed link', state);
  const player = page.locator('lethe-player');
  await player.getByRole('button', { name: 'Play' }).focus();
  await page.keyboard.press('Enter');
  const t0 = await page.evaluate(() => document.querySelector('lethe-player').media.currentTime);
  await page.waitForFunction(() => document.querySelector('lethe-player').media.currentTime > 0.8,
                             null, { timeout: 15000 }).catch(() => {});
  const t1 = await page.evaluate(() => document.querySelector('lethe-player').media.currentTime);
  check(t1 > t0 && t1 > 0.8, 'video.currentTime advances (played with the keyboard)', `${t0} -> ${t1}`);
  check((await player.getByRole('button', { name: 'Pause' }).count()) === 1, 'the Play button became Pause');
  await shoot(player, 'player-playing');
  await accessible(page, 'the app page with the player');

  // --- An expired link: the player says so.
  const short = await api(base, 'POST', `/v1/media/${videoId}/links`, { token: apiToken, body: { expires_in: 1 } });
  check(short.status === 201, 'a one-second link', short.text);
  await page.waitForTimeout(1500);
  await page.evaluate(() => { window.__events = window.__events.filter((e) => e.name !== 'lethe-error'); });
  await page.evaluate((src) => {
    const p = document.createElement('lethe-player');
    p.setAttribute('src', src);
    document.getElementById('play').replaceChildren(p);
  }, base + short.json.url);
  state = await waitState(page, 'lethe-player', ['error', 'ready']);
  const expiredText = state === 'error' ? (await player.getByRole('alert').textContent()) || '' : '';
  check(expiredText === 'This link has expired.', 'an expired link: "This link has expired."', `${state}: ${expiredText}`);
  const eerr = await events(page, 'lethe-error');
  check(eerr.length === 1 && eerr[0].detail.status === 401, 'with lethe-error', JSON.stringify(eerr));

  // --- Erasure: the player says so.
  const erased = await api(base, 'DELETE', '/v1/end-users/eu_video', { token: apiToken });
  check(erased.status === 202, 'the end user is erased', erased.text);
  const after = await fetch(base + link.json.url);
  const afterText = await after.text();
  check(after.status >= 400, 'the signed link no longer serves the media', `${after.status} ${afterText.slice(0, 200)}`);
  await page.evaluate(() => { window.__events = window.__events.filter((e) => e.name !== 'lethe-error'); });
  await page.evaluate((src) => {
    const p = document.createElement('lethe-player');
    p.setAttribute('src', src);
    document.getElementById('play').replaceChildren(p);
  }, base + link.json.url);
  state = await waitState(page, 'lethe-player', ['error', 'ready']);
  const alertText = state === "error" ? (await player.getByRole("alert").textContent()) || "" : "";
  check(state === 'error' && alertText === ERASED, 'the player shows the erased message in a role=alert', `${state}: ${alertText}`);
  const perr = await events(page, 'lethe-error');
  check(perr.length === 1 && [404, 410, 412].includes(perr[0].detail.status) && perr[0].detail.message === ERASED &&
        perr[0].detail.type.startsWith('https://lethe.dev/problems/'),
        'lethe-error carries the problem type', JSON.stringify(perr));
  await shoot(player, 'player-erased');
  await accessible(page, 'the app page with the erased player');

  // --- Declining: an opt-out, no device, nothing recorded.
  const gumBefore = await page.evaluate(() => window.__gum);
  await mountRecorder(page, { endpoint: base, 'upload-token': await token('eu_decline', ['video']), kind: 'video' });
  await waitState(page, 'lethe-recorder', ['notice', 'error']);
  await recorder.getByRole('button', { name: 'Decline' }).click();
  state = await waitState(page, 'lethe-recorder', ['declined', 'error']);
  check(state === 'declined', 'declined', state);
  check((await recorder.getByText('You declined, so nothing will be recorded.').count()) === 1,
        'the recorder says nothing will be recorded');
  check(await page.evaluate(() => window.__gum) === gumBefore, 'no camera or microphone was opened');
  check((await recorder.getByRole('button', { name: 'Record' }).isVisible()) === false, 'no Record button');
  const refused = await api(base, 'GET', '/v1/consents?end_user=eu_decline', { token: apiToken });
  const rtx = refused.json && refused.json.purposes.find((p) => p.purpose === 'transcription');
  check(rtx && rtx.state === 'refused' && rtx.source === 'recorder', 'the refusal is in the ledger', JSON.stringify(rtx));
  const none = await api(base, 'GET', '/v1/media?end_user=eu_decline', { token: apiToken });
  check(none.status === 200 && none.json.media.length === 0, 'nothing was uploaded', none.text);
  await shoot(recorder, 'recorder-declined');

  // --- A photo.
  await mountRecorder(page, { endpoint: base, 'upload-token': await token('eu_photo', ['image']), kind: 'photo' });
  await waitState(page, 'lethe-recorder', ['notice', 'error']);
  await recorder.getByRole('button', { name: 'I agree' }).click();
  check(await waitState(page, 'lethe-recorder', ['ready', 'error']) === 'ready', 'the camera is on for a photo');
  await page.waitForTimeout(500);
  await recorder.getByRole('button', { name: 'Take photo' }).click();
  state = await waitState(page, 'lethe-recorder', ['uploaded', 'error'], 30000);
  let ups = await events(page, 'lethe-uploaded');
  const photoId = ups.length && ups[ups.length - 1].detail.mediaId;
  const photo = await api(base, 'GET', `/v1/media/${photoId}`, { token: apiToken });
  check(state === 'uploaded' && photo.status === 200 && photo.json.kind === 'image' && photo.json.end_user === 'eu_photo',
        'a photo is uploaded', `${state} ${photo.text}`);

  // --- Audio.
  await mountRecorder(page, { endpoint: base, 'upload-token': await token('eu_audio', ['audio']), kind: 'audio' });
  await waitState(page, 'lethe-recorder', ['notice', 'error']);
  await recorder.getByRole('button', { name: 'I agree' }).click();
  check(await waitState(page, 'lethe-recorder', ['ready', 'error']) === 'ready', 'the microphone is on');
  await recorder.getByRole('button', { name: 'Record' }).click();
  await page.waitForTimeout(1500);
  await recorder.getByRole('button', { name: 'Stop' }).click();
  state = await waitState(page, 'lethe-recorder', ['uploaded', 'error'], 30000);
  ups = await events(page, 'lethe-uploaded');
  const audioId = ups.length && ups[ups.length - 1].detail.mediaId;
  const audio = await api(base, 'GET', `/v1/media/${audioId}`, { token: apiToken });
  check(state === 'uploaded' && audio.status === 200 && audio.json.kind === 'audio' && audio.json.end_user === 'eu_audio',
        'an audio recording is uploaded', `${state} ${audio.text}`);

  // --- A token records its own end user's consent only (from the page, with CORS).
  const scoped = await token('eu_one', ['video']);
  const other = await page.evaluate(async ([b, t]) => {
    const r = await fetch(b + '/v1/capture-consents', { method: 'POST',
      headers: { Authorization: 'Bearer ' + t, 'Content-Type': 'application/json' },
      body: JSON.stringify({ decision: 'opt_in', end_user: 'eu_two' }) });
    return { status: r.status, body: await r.json() };
  }, [base, scoped]);
  check(other.status === 403 && other.body.type === 'https://lethe.dev/problems/upload-token-scope',
        'an upload token cannot record another end user\'s consent', JSON.stringify(other));

  // --- The examples page, with a recorder showing its notice.
  const ex = await context.newPage();
  await ex.goto(base + '/embed/examples');
  await ex.waitForFunction(() => Boolean(customElements.get('lethe-recorder')));
  await shoot(ex, 'examples-page');
  await accessible(ex, 'the examples page');
  await ex.getByLabel('Upload token').fill(await token('eu_examples', ['video']));
  await ex.getByRole('button', { name: 'Show the recorder' }).click();
  await ex.waitForFunction(() => document.querySelector('lethe-recorder').getAttribute('state') === 'notice',
                           null, { timeout: 15000 }).catch(() => {});
  check(await ex.evaluate(() => document.querySelector('lethe-recorder').getAttribute('state')) === 'notice',
        'the examples page shows the recorder with the notice');
  await shoot(ex, 'examples-recorder');
  await accessible(ex, 'the examples page with the recorder');
  await ex.getByLabel('Signed link to the media').fill(base + link.json.url);
  await ex.getByRole('button', { name: 'Play' }).first().click();
  await ex.waitForFunction(() => document.querySelector('lethe-player').getAttribute('state') === 'error',
                           null, { timeout: 15000 }).catch(() => {});
  check(await ex.evaluate(() => document.querySelector('lethe-player').errorMessage) === ERASED,
        'the examples page\'s player says the recording was erased');
  await shoot(ex, 'examples-player-erased');
  console.log(`[figures] screenshots: ${pages.count}`);
}

await run.finish(main);
