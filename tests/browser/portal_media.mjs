// The portal's media, privacy and usage sections in a real browser
// (issue 15): Debian's chromium, driven by playwright-core, against the
// portal `lethe serve` serves at /. The signed-in customer acts for its
// own account on the data plane with the Lethe-Account header:
// - a WebM (made by ffmpeg) is dropped onto the drop zone (a drop event
//   with a DataTransfer built in the page) and uploaded over tus, the
//   labelled <progress> reaching 100%; the first PATCH is cut (a network
//   drop) and tus-js-client carries on;
// - an upload stopped by a reload resumes when the same file is dropped
//   again (tus-js-client's fingerprint in localStorage), sending only the
//   rest;
// - an image is uploaded by keyboard alone through the drop zone's file
//   input (Enter on it opens the file chooser);
// - the library lists them, filters by kind, and the video plays
//   (currentTime advances) from a signed link; the image is deleted, with
//   its erasure receipt;
// - the default retention is set; an end user is erased by keyboard alone
//   ("End user", "Erase end user", "Confirm erasure") and the "Erasure
//   receipt" region follows it to "done"; the receipt's page offers the
//   signed JSON ("Download receipt"); the audit chain names the customer;
// - the usage page draws uploads and plays per day and where usage comes
//   from, each chart with its table;
// - a page on another origin cannot use the cookie: its fetch with
//   credentials and Lethe-Account gets no readable answer;
// - axe-core finds no serious or critical violation on any new page, and
//   the pages run under the CSP without a violation.
// A screenshot of every page is written to <screenshots dir> (argv[3]).
//
// usage: node portal_media.mjs <path to lethe> <screenshots dir>
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { TestRun } from '../lethe_process.mjs';
import { PageCheck, startPageServer as serve } from './kit.mjs';

const [lethe, shots] = process.argv.slice(2);
if (!lethe || !shots) {
  console.error('usage: node portal_media.mjs <path to lethe> <screenshots dir>');
  process.exit(2);
}
mkdirSync(shots, { recursive: true });
const chromiumPath = process.env.LETHE_CHROMIUM || '/usr/bin/chromium';
const run = new TestRun(lethe, 'lethe-portal-media-');
const check = (...args) => run.check(...args);
const pages = new PageCheck(run, shots, 'media-');
const shoot = (page, name) => pages.shoot(page, name);
const accessible = (page, name) => pages.accessible(page, name);
const startPageServer = (host, html) => serve(run, host, html);

function ffmpeg(args, out) {
  const r = spawnSync('ffmpeg', ['-loglevel', 'error', '-y', ...args, out]);
  if (r.status !== 0) throw new Error('ffmpeg failed: ' + r.stderr);
  return readFileSync(out);
}
// A 4 s VP8 clip; and, for the reload, a larger one of noise (which does
// not compress), over two of the portal's 8 MiB tus chunks.
const makeWebm = (name, source, rate) => ffmpeg(
  ['-f', 'lavfi', '-i', source, '-c:v', 'libvpx', '-deadline', 'realtime', '-g', '25',
   '-b:v', rate, '-minrate', rate, '-maxrate', rate, '-bufsize', rate], path.join(run.root, name));
const makePng = () => ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=64x48', '-frames:v', '1'],
                             path.join(run.root, 'still.png'));

// Drops `bytes` as a file named `name` onto the drop zone: the events a
// person's drag and drop fires, with a DataTransfer built in the page.
// lastModified is fixed, so the same bytes are the same file to tus.
async function dropFile(page, name, type, bytes) {
  await page.evaluate(([n, t, b64]) => {
    const data = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([data], n, { type: t, lastModified: 1700000000000 }));
    const zone = document.querySelector('[data-testid="dropzone"]');
    for (const kind of ['dragenter', 'dragover', 'drop']) {
      zone.dispatchEvent(new DragEvent(kind, { dataTransfer: dt, bubbles: true, cancelable: true }));
    }
  }, [name, type, bytes.toString('base64')]);
}

async function main() {
  const base = await run.startLethe();
  const clip = makeWebm('clip.webm', 'testsrc=size=320x240:rate=25:duration=4', '300k');
  const big = makeWebm('big.webm', 'color=c=gray:s=640x480:r=25:d=10,noise=alls=100:allf=t+u', '12M');
  if (big.length <= 8 * 1024 * 1024) throw new Error(`big.webm is ${big.length} B: not over one chunk`);
  const png = makePng();
  console.log(`[figures] clip ${clip.length} B, big ${big.length} B, png ${png.length} B`);

  const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox'] });
  run.cleanup(() => browser.close());
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 }, acceptDownloads: true });
  const page = await context.newPage();
  const violations = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Trusted Type|Refused to/i.test(m.text())) violations.push(m.text());
    if (m.type() === 'error') console.log('page console:', m.text());
  });
  page.on('pageerror', (e) => violations.push('page error: ' + e.message));
  // Intercept file choosers from the start: enabling it only when waiting
  // for one races the key press that opens it.
  const choosers = [];
  page.on('filechooser', (c) => choosers.push(c));
  run.cleanup(async () => {
    if (run.failures > 0) await page.screenshot({ path: path.join(shots, 'media-failure.png'), fullPage: true });
  });

  // --- Sign up, and an account.
  await page.goto(base + '/signup');
  await page.getByLabel('Full name').fill('Media Tester');
  await page.getByLabel('Email address').fill(`media${Date.now()}@example.com`);
  await page.getByLabel('Password').fill('correct horse battery staple');
  await page.getByLabel('Country').selectOption('GB');
  await page.getByLabel('Birth date').fill('1990-12-10');
  await page.getByLabel('Birth date').press('Enter');
  await page.getByRole('heading', { level: 1, name: 'Accounts' }).waitFor();
  await page.getByLabel('Account name').fill('Media app');
  await page.getByLabel('Region').selectOption('us');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('row', { name: /Media app/ }).getByRole('link', { name: 'Media app' }).click();
  await page.getByRole('heading', { level: 1, name: 'Media app' }).waitFor();
  const accountId = decodeURIComponent(page.url().split('/accounts/')[1]);
  const sections = page.getByRole('navigation', { name: 'Account sections' });
  check(await sections.getByRole('link', { name: 'Privacy' }).count() === 1, 'the account page links its sections');

  // --- The media library, and an upload by drag and drop over tus.
  await sections.getByRole('link', { name: 'Media' }).click();
  await page.getByRole('heading', { level: 1, name: 'Media · Media app' }).waitFor();
  check(page.url() === `${base}/accounts/${accountId}/media`, 'the library has its own path', page.url());
  await page.getByText('No media here.').waitFor();
  await shoot(page, 'library-empty');
  await accessible(page, 'the empty media library');

  await page.getByLabel('End user of the upload (optional)').fill('eu_media');
  // A network drop: the first PATCH never reaches the server.
  let patches = 0;
  let cut = 0;
  await page.route('**/v1/uploads/**', (route) => {
    if (route.request().method() === 'PATCH' && ++patches === 1) {
      ++cut;
      return route.abort('connectionreset');
    }
    return route.continue();
  });
  await dropFile(page, 'clip.webm', 'video/webm', clip);
  const clipProgress = page.getByLabel(/^clip\.webm: /);
  await page.getByText(/clip\.webm: 100%, uploaded/).waitFor({ timeout: 30000 });
  check(await clipProgress.evaluate((p) => p.value) === 100, 'the dropped file\'s <progress> reaches 100%');
  check(cut === 1 && patches >= 2, 'a PATCH cut by a network drop is sent again', `cut ${cut}, PATCHes ${patches}`);
  await page.unroute('**/v1/uploads/**');
  await page.getByRole('table', { name: 'Media, in upload order' }).getByRole('link', { name: 'clip.webm' }).waitFor();
  check(true, 'the upload is in the library');
  await shoot(page, 'library-uploaded');
  await accessible(page, 'the media library after an upload');

  // --- Resume after a reload: the first chunk goes, the next is held (the
  // network is gone), the page reloads, the same file is dropped again and
  // only the rest goes.
  let bigPatches = 0;
  let firstChunkDone;
  const firstChunk = new Promise((resolve) => { firstChunkDone = resolve; });
  await page.route('**/v1/uploads/**', async (route) => {
    if (route.request().method() !== 'PATCH') return route.continue();
    if (++bigPatches > 1) return route.abort('connectionreset');
    const response = await route.fetch();
    await route.fulfill({ response });
    firstChunkDone(response.headers()['upload-offset']);
  });
  await dropFile(page, 'big.webm', 'video/webm', big);
  const offsetBefore = await firstChunk;
  await page.getByText(/big\.webm: [1-9]\d?%/).waitFor();
  check(Object.keys(await page.evaluate(() => ({ ...localStorage }))).some((k) => k.startsWith('tus::')),
        'the unfinished upload is remembered in localStorage', `first chunk to offset ${offsetBefore}`);
  await page.reload();
  await page.unroute('**/v1/uploads/**');
  await page.getByRole('heading', { level: 1, name: 'Media · Media app' }).waitFor();
  const resumedOffsets = [];
  let created = 0;
  const watch = (r) => {
    if (r.method() === 'PATCH' && r.url().includes('/v1/uploads/')) resumedOffsets.push(r.headers()['upload-offset']);
    if (r.method() === 'POST' && r.url().endsWith('/v1/uploads')) ++created;
  };
  page.on('request', watch);
  await page.getByLabel('End user of the upload (optional)').fill('eu_media');
  await dropFile(page, 'big.webm', 'video/webm', big);
  await page.getByText(/big\.webm: 100% \(resumed\), uploaded/).waitFor({ timeout: 60000 });
  page.off('request', watch);
  check(created === 0 && resumedOffsets[0] === offsetBefore && Number(offsetBefore) > 0,
        'after the reload, the same file resumes its upload where it stopped (no new one is created)',
        `${created} creations, offset before ${offsetBefore}, PATCH offsets ${resumedOffsets.join(',')}`);
  check(!Object.keys(await page.evaluate(() => ({ ...localStorage }))).some((k) => k.startsWith('tus::')),
        'a finished upload leaves nothing in localStorage');

  // --- By keyboard alone: the file input inside the drop zone.
  const input = page.getByLabel('Choose files to upload');
  await page.getByLabel('End user of the upload (optional)').focus();
  await page.keyboard.press('Tab');
  check(await input.evaluate((el) => el === document.activeElement), 'Tab from the end user field reaches the file input');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => true);  // let the chooser event arrive
  for (let i = 0; i < 100 && choosers.length === 0; ++i) await new Promise((r) => setTimeout(r, 100));
  check(choosers.length === 1, 'Enter on the file input opens the file chooser', `${choosers.length} choosers`);
  const chooser = choosers[0];
  await chooser.setFiles({ name: 'still.png', mimeType: 'image/png', buffer: png });
  await page.getByText(/still\.png: 100%, uploaded/).waitFor({ timeout: 30000 });
  check(true, 'the chosen file uploads');

  // Filters: kind.
  await page.getByLabel('Kind').selectOption('image');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  const table = page.getByRole('table', { name: 'Media, in upload order' });
  await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 1);
  check((await table.textContent()).includes('still.png') && !(await table.textContent()).includes('clip.webm'),
        'the kind filter shows the image only');
  await page.getByLabel('Kind').selectOption('');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 3);

  // --- The player: a signed link, and the video plays.
  await table.getByRole('link', { name: 'clip.webm' }).click();
  await page.getByRole('heading', { level: 1, name: 'clip.webm' }).waitFor();
  const video = page.locator('video[data-testid="player"]');
  await video.waitFor();
  const src = await video.getAttribute('src');
  check(/\/content\?account=acc_.*&sig=/.test(src), 'the player plays from a signed link', src);
  const played = await video.evaluate(async (v) => {
    v.muted = true;
    await v.play();
    const t0 = v.currentTime;
    await new Promise((r) => setTimeout(r, 1500));
    return { t0, t1: v.currentTime };
  });
  check(played.t1 > played.t0 + 0.5, 'the video plays: currentTime advances', JSON.stringify(played));
  await video.evaluate((v) => v.pause());
  await shoot(page, 'media-item');
  await accessible(page, 'the media page');

  // --- Delete one media: its erasure, with the receipt.
  await page.getByRole('link', { name: 'Back to the library' }).click();
  await page.getByRole('table', { name: 'Media, in upload order' }).getByRole('link', { name: 'still.png' }).click();
  await page.getByRole('heading', { level: 1, name: 'still.png' }).waitFor();
  await page.locator('img[data-testid="player"]').waitFor();
  await page.getByRole('button', { name: 'Delete', exact: true }).click();
  await page.getByRole('button', { name: 'Confirm deletion' }).click();
  const mediaReceipt = page.getByRole('region', { name: 'Erasure receipt' });
  await mediaReceipt.getByText('done', { exact: true }).waitFor({ timeout: 30000 });
  check(/Scopemedia/.test(await mediaReceipt.textContent()), 'Delete erases the media, with its receipt',
        (await mediaReceipt.textContent()).slice(0, 80));
  await shoot(page, 'media-deleted');
  await accessible(page, 'the media page after Delete');

  // --- Privacy: retention, then erase the end user by keyboard alone.
  await sections.getByRole('link', { name: 'Privacy' }).click();
  await page.getByRole('heading', { level: 1, name: 'Privacy · Media app' }).waitFor();
  await page.getByText('No legal holds on this account.').waitFor();
  await page.getByLabel('Default retention (days)').fill('30');
  await page.getByRole('button', { name: 'Save retention' }).click();
  await page.getByText(/erased 30 days after upload/).waitFor();
  const account = await page.evaluate(async (id) => (await fetch(`/v1/accounts/${id}`)).json(), accountId);
  check(account.retention_days === 30, 'the retention is saved', JSON.stringify(account.retention_days));
  await shoot(page, 'privacy');
  await accessible(page, 'the privacy page');

  await page.getByLabel('End user', { exact: true }).focus();
  await page.keyboard.type('eu_media');
  await page.keyboard.press('Tab');
  check(await page.evaluate(() => document.activeElement?.textContent) === 'Erase end user',
        'Tab reaches "Erase end user"');
  await page.keyboard.press('Enter');
  const confirmButton = page.getByRole('button', { name: 'Confirm erasure' });
  await confirmButton.waitFor();
  check(await confirmButton.evaluate((el) => el === document.activeElement), 'focus moves to "Confirm erasure"');
  await accessible(page, 'the privacy page asking for confirmation');
  await page.keyboard.press('Enter');
  const receipt = page.getByRole('region', { name: 'Erasure receipt' });
  await receipt.waitFor();
  await receipt.getByText('done', { exact: true }).waitFor({ timeout: 30000 });
  const receiptText = await receipt.textContent();
  check(/Media erased2/.test(receiptText), 'the receipt counts the two media left to erase', receiptText);
  check(/Signature/.test(receiptText), 'the receipt shows its signature');
  const erasureId = (await receipt.locator('code').first().textContent()).trim();
  const listed = page.getByRole('table', { name: /Erasures of this account/ }).getByRole('link', { name: erasureId });
  await listed.waitFor();
  await shoot(page, 'privacy-erased');
  await accessible(page, 'the privacy page with a receipt');

  const audit = await page.evaluate(async (id) => (await fetch(`/v1/accounts/${id}/audit`)).json(), accountId);
  const erase = audit.events.find((e) => e.action === 'end_user.erase');
  check(erase?.actor_kind === 'customer' && erase.actor.startsWith('cus_'), 'the audit chain names the customer as the eraser',
        JSON.stringify(erase));

  // The receipt's own page, and its JSON.
  await listed.click();
  await page.getByRole('heading', { level: 1, name: /^Erasure era_/ }).waitFor();
  await page.getByRole('region', { name: 'Erasure receipt' }).getByText('done', { exact: true }).waitFor();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download receipt' }).click()]);
  const json = JSON.parse(readFileSync(await download.path(), 'utf8'));
  check(json.id && page.url().endsWith(json.id) && json.state === 'done' && typeof json.signature === 'string' &&
        json.scope === 'end_user', 'the downloaded receipt is the signed JSON', JSON.stringify(json).slice(0, 200));
  await shoot(page, 'erasure-receipt');
  await accessible(page, 'the erasure page');

  await sections.getByRole('link', { name: 'Media' }).click();
  await page.getByText('No media here.').waitFor();
  check(true, 'the erased end user\'s media are gone from the library');

  // --- Usage.
  await sections.getByRole('link', { name: 'Usage' }).click();
  await page.getByRole('heading', { level: 1, name: 'Usage · Media app' }).waitFor();
  const uploads = page.getByRole('figure', { name: 'Uploads per day' });
  await uploads.locator('svg').waitFor();
  const today = new Date().toISOString().slice(0, 10);
  const figure = async (name) => Number(await page.getByRole('table', { name, includeHidden: true })
    .getByRole('row', { name: new RegExp(today), includeHidden: true }).locator('td').textContent());
  const uploadsToday = await figure('Uploads per day');
  const playsToday = await figure('Plays per day');
  check(uploadsToday >= 3, 'uploads per day counts today\'s uploads', String(uploadsToday));
  check(playsToday >= 1, 'plays per day counts the play', String(playsToday));
  await page.getByRole('figure', { name: 'Requests by browser' }).waitFor();
  // The aggregates withhold what fewer than k people make (one tester
  // here): their charts may be empty; the daily counts always draw.
  const charts = page.locator('figure.chart svg[role="img"]');
  check(await charts.count() >= 2 && (await charts.first().getAttribute('aria-label')).startsWith('Uploads per day: '),
        'the charts are inline SVG with a text alternative', await charts.first().getAttribute('aria-label'));
  await shoot(page, 'usage');
  await accessible(page, 'the usage page');

  // --- Another origin cannot use the cookie with Lethe-Account.
  const otherOrigin = await startPageServer('127.0.0.1', '<!doctype html><title>elsewhere</title>');
  const evil = await context.newPage();
  await evil.goto(otherOrigin + '/');
  const stolen = await evil.evaluate(async ([b, id]) => {
    try {
      const r = await fetch(b + '/v1/media', { credentials: 'include', headers: { 'Lethe-Account': id } });
      return { status: r.status, text: await r.text() };
    } catch (e) {
      return { blocked: String(e) };
    }
  }, [base, accountId]);
  check(Boolean(stolen.blocked), 'a page on another origin gets no readable answer with the cookie and Lethe-Account',
        JSON.stringify(stolen));
  await evil.close();

  check(violations.length === 0, 'the pages ran under the CSP without a violation', violations.join(' | '));
  console.log(`[figures] pages screenshotted: ${pages.count}; resumed PATCH offsets: ${resumedOffsets.join(',')}`);
}

await run.finish(main);
