// The portal's compliance pages in a real browser (issue 15): Debian's
// chromium, driven by playwright-core, against `lethe_testing serve
// --test-clock` (the production server plus a clock the test moves):
// - privacy requests: a request about an end user and one about the
//   customer, submitted from the page's form and through the API; the list
//   shows each clock in days; the request page verifies (with the mailed
//   code), extends with reasons, denies with reasons, fulfils an access
//   request and offers its export, which downloads as a ZIP; 40 days later
//   (server and browser clocks moved) an open request says "Overdue" in
//   words and in red;
// - the audit chain: "Verify" checks the account's events in the browser
//   (WebCrypto SHA-256 and Ed25519) against the signed checkpoint and
//   passes; an event edited in the SQLite file makes it fail at that event;
//   an event rewritten with a recomputed hash fails too (it is not the
//   signed tree's leaf); restored, it passes again, and a second
//   verification proves the newer checkpoint extends the older;
// - webhooks: one created from the page, pointed at a local receiver that
//   answers 500 then 204, shows its deliveries with each attempt's status
//   code and the next retry; deleted from the page;
// - consents: the customer's own opt-in and opt-out per purpose, the
//   policy version in force, and an end user's consents by reference;
// - the disclosure ledger and the sub-processors (one added by a staff
//   admin); the staff access log after a staff member used a grant;
// - axe-core finds no serious or critical violation on any of the pages,
//   and each is screenshotted to <screenshots dir>.
//
// usage: node portal_compliance.mjs <path to lethe_testing> <screenshots dir>
import { createHash, webcrypto } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { api, TestRun } from '../lethe_process.mjs';
import { PageCheck, totp } from './kit.mjs';

const [lethe, shots] = process.argv.slice(2);
if (!lethe || !shots) {
  console.error('usage: node portal_compliance.mjs <path to lethe_testing> <screenshots dir>');
  process.exit(2);
}
mkdirSync(shots, { recursive: true });
for (const f of readdirSync(shots)) if (f.endsWith('.png')) rmSync(path.join(shots, f));
const chromiumPath = process.env.LETHE_CHROMIUM || '/usr/bin/chromium';
const run = new TestRun(lethe, 'lethe-compliance-');
const check = (...args) => run.check(...args);
const pages = new PageCheck(run, shots);
const shoot = (page, name) => pages.shoot(page, name);
const accessible = (page, name) => pages.accessible(page, name);
// The staff member's sign-in code at the server's time: the test has moved
// the server's clock (31 s by now), and a code of the wall clock's step can
// fall outside the server's one-step window.
async function staffCode(base, secret) {
  const clock = await api(base, 'POST', '/_test/clock', { body: { advance_seconds: 0 } });
  return totp(secret, Math.floor(Date.parse(clock.json.now) / 30000));
}

// Presses Tab until the focused element is the control named `name` (its
// aria-label, label or text; at most 60 times): reachable by keyboard.
async function tabTo(page, name) {
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el) return '';
      return (el.getAttribute('aria-label') || el.labels?.[0]?.textContent || el.textContent || '').trim();
    });
    if (focused === name) return;
  }
  throw new Error(`Tab never reached "${name}"`);
}

// AuditLog::HashOf (src/domain/audit_log.cc), for rewriting an event as a
// forger who knows the format would.
function auditHash(e) {
  let canonical = 'lethe-audit-v1;';
  for (const f of [String(e.seq), e.id, String(e.time_ms), e.actor, e.action, e.target, e.account_id, e.ip,
                   e.request_id, e.prev_hash]) {
    canonical += `${Buffer.byteLength(f)}:${f};`;
  }
  return createHash('sha256').update(canonical).digest('hex');
}

// The test server's SQLite file, edited under the running server as an
// attacker with access to the disk would (sqlite3 waits for its locks).
function sql(db, statement) {
  return execFileSync('sqlite3', ['-cmd', '.timeout 10000', '-json', db, statement], { encoding: 'utf8' });
}

// The latest code Lethe mailed (the outbox's files), for a customer's own request.
function mailedCode(dataDir) {
  const dir = path.join(dataDir, 'outbox-mail');
  const files = readdirSync(dir, { recursive: true }).map(String).filter((f) => !f.endsWith('/'));
  let best = null;
  for (const f of files) {
    let text;
    try { text = readFileSync(path.join(dir, f), 'utf8'); } catch { continue; }
    const m = /\b(\d{8})\b/.exec(text.replace(/=\r?\n/g, ''));
    if (m && /privacy|request|code/i.test(text)) best = m[1];
  }
  return best;
}

async function main() {
  // A staff admin, made offline before the server starts (`lethe staff add`).
  const dataDir = path.join(run.root, 'data');
  const added = execFileSync(lethe, ['staff', 'add', '--role', 'admin', '--name', 'Sam Staff', '--data', dataDir],
                             { encoding: 'utf8' });
  const staff = Object.fromEntries(added.trim().split('\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]));
  const base = await run.startLethe(['--test-clock']);
  const db = path.join(dataDir, 'lethe.db');
  const index = await fetch(base + '/');
  if (index.status !== 200) throw new Error(`GET / is ${index.status}: was the portal built (cmake target lethe_portal)?`);

  // --- A customer and an account, through the API (the bearer token
  // creates the test's data; the browser uses its own cookie session).
  const email = `compliance${Date.now()}@example.com`;
  const password = 'correct horse battery staple';
  let r = await api(base, 'POST', '/v1/signup', { body: { name: 'Ada Compliance', email, password, country: 'GB',
                                                          birth_date: '1990-12-10' } });
  check(r.status === 201, 'sign-up', r.text);
  const signIn = async () => (await api(base, 'POST', '/v1/sessions', { body: { email, password } })).json.token;
  let token = await signIn();
  r = await api(base, 'POST', '/v1/accounts', { token, body: { name: 'Clinic app', region: 'eu' } });
  const account = r.json;
  check(r.status === 201 && account.id.startsWith('acc_'), 'an account', r.text);
  const accountUrl = `${base}/accounts/${account.id}`;

  const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox'] });
  run.cleanup(() => browser.close());
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 }, acceptDownloads: true });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Trusted Type|Refused to/i.test(m.text())) problems.push(m.text());
    if (m.type() === 'error') console.log('page console:', m.text());
  });
  page.on('pageerror', (e) => problems.push('page error: ' + e.message));
  run.cleanup(async () => {
    if (run.failures > 0) await page.screenshot({ path: path.join(shots, 'failure.png'), fullPage: true });
  });

  const browserSignIn = async () => {
    await page.goto(base + '/signin');
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByLabel('Password').press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Accounts' }).waitFor();
  };
  await browserSignIn();

  // --- The account page links to the sections.
  await page.goto(accountUrl);
  await page.getByRole('heading', { level: 1, name: 'Clinic app' }).waitFor();
  const sections = page.getByRole('navigation', { name: 'Privacy and compliance' });
  for (const name of ['Privacy requests', 'Consents', 'Disclosures and sub-processors', 'Webhooks', 'Audit chain',
                      'Staff access log']) {
    check(await sections.getByRole('link', { name }).count() === 1, `the account page links to ${name}`);
  }

  // ================= Privacy requests =================
  // One through the API (an end user's erasure, under the CCPA), one from the form.
  r = await api(base, 'POST', '/v1/privacy-requests', { token, body: { type: 'erasure', jurisdiction: 'ccpa',
                                                                        account_id: account.id, end_user: 'eu_bob',
                                                                        attested: true } });
  check(r.status === 201, 'an end user\'s erasure request through the API', r.text);
  const erasureId = r.json.id;

  await sections.getByRole('link', { name: 'Privacy requests' }).focus();
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1, name: 'Privacy requests' }).waitFor();
  check(page.url() === `${accountUrl}/privacy-requests`, 'Enter on the link opens the section', page.url());
  await page.getByLabel('End user', { exact: true }).fill('eu_alice');
  await page.getByLabel('I have verified this person\'s identity').check();
  await page.getByLabel('Request', { exact: true }).selectOption('access');
  await page.getByLabel('Law').selectOption('gdpr');
  await page.getByRole('button', { name: 'Submit request' }).click();
  const submitted = page.getByRole('status').filter({ hasText: /^Request prq_/ });
  await submitted.waitFor();
  const accessId = /Request (prq_\w+)/.exec(await submitted.textContent())[1];
  check(/verified, due \d{4}-\d\d-\d\d/.test(await submitted.textContent()), 'the form submits an access request',
        await submitted.textContent());
  // The customer's own request: Lethe mails it a code.
  await page.getByLabel(/You \(the customer\)/).check();
  await page.getByLabel('Request', { exact: true }).selectOption('portability');
  await page.getByRole('button', { name: 'Submit request' }).click();
  await page.getByRole('status').filter({ hasText: /waiting for identity verification/ }).waitFor();
  const ownId = /Request (prq_\w+)/.exec(await page.getByRole('status').filter({ hasText: /^Request prq_/ }).textContent())[1];

  const table = page.getByRole('table', { name: /Privacy requests/ });
  await table.getByRole('row', { name: new RegExp(ownId) }).waitFor();
  check(await table.getByRole('row').count() === 4, 'the list holds the three requests',
        String(await table.getByRole('row').count()));
  const rowText = async (id) => (await table.getByRole('row', { name: new RegExp(id) }).textContent()) ?? '';
  // GDPR: one month (31 days from 1 December, or to the Monday after);
  // CCPA: 45 days. The clock counts from the browser's today.
  const days = (t) => Number((/(\d+) days? left/.exec(t) ?? [])[1]);
  check(days(await rowText(accessId)) >= 28 && days(await rowText(accessId)) <= 34,
        'a GDPR request has about a month left', await rowText(accessId));
  check(days(await rowText(erasureId)) >= 44 && days(await rowText(erasureId)) <= 47,
        'a CCPA request has 45 days left', await rowText(erasureId));
  check(/End user eu_bob/.test(await rowText(erasureId)) && /You \(the customer\)/.test(await rowText(ownId)),
        'each says whom it is about');
  await shoot(page, 'privacy-requests');
  await accessible(page, 'the privacy requests page');

  // The customer's own request: verified with the mailed code.
  await table.getByRole('link', { name: new RegExp(ownId) }).click();
  await page.getByRole('heading', { level: 1, name: new RegExp(ownId) }).waitFor();
  await page.getByLabel('Code from the email').fill('00000000');
  await page.getByRole('button', { name: 'Verify', exact: true }).click();
  await page.getByRole('alert').waitFor();
  check(/not valid|code/i.test(await page.getByRole('alert').textContent()), 'a wrong code is refused',
        await page.getByRole('alert').textContent());
  const code = mailedCode(dataDir);
  check(Boolean(code), 'the code was mailed', String(code));
  await page.getByLabel('Code from the email').fill(code ?? '');
  await page.getByRole('button', { name: 'Verify', exact: true }).click();
  await page.getByRole('status').filter({ hasText: 'Identity verified.' }).waitFor();
  check(/Verified/.test(await page.locator('dl.facts').first().textContent()), 'the request is verified');
  // Extend it, with reasons.
  await page.getByLabel('Reasons for the extension').fill('The export spans several archives.');
  await page.getByRole('button', { name: 'Extend', exact: true }).click();
  await page.getByRole('status').filter({ hasText: /The deadline is now/ }).waitFor();
  const facts = await page.locator('dl.facts').first().textContent();
  check(/Extended once, to \d{4}-\d\d-\d\d/.test(facts) && /extended\)/.test(facts),
        'the extension shows on the clock', facts);
  const history = page.getByRole('table', { name: /Every step/ });
  check(/The export spans several archives\./.test(await history.textContent()), 'the history keeps the reasons');
  check(await page.getByRole('button', { name: 'Extend', exact: true }).count() === 0, 'a request extends only once');
  await shoot(page, 'privacy-request-extended');
  await accessible(page, 'a privacy request page');

  // The end user's access request: fulfilled, its export downloaded.
  await page.goto(`${accountUrl}/privacy-requests/${accessId}`);
  await page.getByRole('heading', { level: 1, name: new RegExp(accessId) }).waitFor();
  await page.getByRole('button', { name: 'Fulfil request' }).click();
  const link = page.getByRole('link', { name: 'Download the export (ZIP)' });
  await link.waitFor();
  check(/^\/v1\/exports\/lex_/.test(await link.getAttribute('href')), 'the export link is shown',
        await link.getAttribute('href'));
  await shoot(page, 'privacy-request-export');
  await accessible(page, 'a fulfilled request with its export');
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  const zipPath = path.join(run.root, 'export.zip');
  await download.saveAs(zipPath);
  const zip = readFileSync(zipPath);
  check(zip.subarray(0, 2).toString() === 'PK', 'the export downloads as a ZIP', `${zip.length} bytes`);
  check(/Completed/.test(await page.locator('dl.facts').first().textContent()), 'the request is completed');

  // The erasure: denied, with reasons.
  await page.goto(`${accountUrl}/privacy-requests/${erasureId}`);
  await page.getByRole('heading', { level: 1, name: new RegExp(erasureId) }).waitFor();
  await page.getByLabel('Reasons for the denial').fill('The records are under a legal obligation to keep.');
  await page.getByRole('button', { name: 'Deny request' }).click();
  await page.getByRole('status').filter({ hasText: 'The request is denied.' }).waitFor();
  await page.locator('dl.facts').first().getByText('Denied', { exact: true }).waitFor();
  check(/Denied/.test(await page.locator('dl.facts').first().textContent()) &&
        /legal obligation to keep/.test(await page.locator('dl.facts').first().textContent()), 'denied, with the reason shown');

  await webhookChecks(page, base, account, token);
  await consentChecks(page, base, account, token);
  await disclosureChecks(page, base, account, token, staff);
  await auditChecks(page, base, account, db, token);
  await verifierAtEveryPosition(base, db);

  // ================= The clock, 40 days later =================
  // A fresh open request, then the server's clock and the browser's move on.
  r = await api(base, 'POST', '/v1/privacy-requests', { token, body: { type: 'restriction', jurisdiction: 'gdpr',
                                                                        account_id: account.id, end_user: 'eu_carol',
                                                                        attested: true } });
  const lateId = r.json.id;
  const moved = await api(base, 'POST', '/_test/clock', { body: { advance_seconds: 40 * 86400 } });
  check(moved.status === 200, 'the server clock moves 40 days', moved.text);
  await context.clock.setFixedTime(new Date(moved.json.now));
  await browserSignIn();  // the session of 40 days ago has expired
  token = await signIn();
  await page.goto(`${accountUrl}/privacy-requests`);
  const late = page.getByRole('table', { name: /Privacy requests/ }).getByRole('row', { name: new RegExp(lateId) });
  await late.waitFor();
  const lateText = await late.textContent();
  check(/Overdue by \d+ days/.test(lateText), 'an open request past its due date says "Overdue" in words', lateText);
  const colour = await late.locator('.overdue').evaluate((el) => getComputedStyle(el).color);
  check(colour === 'rgb(185, 28, 28)', 'and in red', colour);
  check(/Overdue/.test(await rowText(ownId)) === false && /Closed/.test(await rowText(accessId)),
        'a completed request has no clock; the extended one is still within its new date',
        `${await rowText(ownId)} | ${await rowText(accessId)}`);
  check(/1 overdue/.test(await page.getByRole('status').first().textContent()), 'the summary counts it',
        await page.getByRole('status').first().textContent());
  await shoot(page, 'privacy-requests-overdue');
  await accessible(page, 'the privacy requests page with an overdue request');
  await page.goto(`${accountUrl}/privacy-requests/${lateId}`);
  await page.getByRole('note').filter({ hasText: 'Overdue' }).waitFor();
  check(await page.getByRole('button', { name: 'Extend', exact: true }).count() === 0,
        'an overdue request can no longer be extended');
  await shoot(page, 'privacy-request-overdue');

  // Fulfilled late, the restriction places a limit; lifted from the page.
  await tabTo(page, 'Fulfil request');
  await page.keyboard.press('Enter');
  await page.getByRole('status').filter({ hasText: 'The request is fulfilled.' }).waitFor();
  await tabTo(page, 'Lift the limit');
  await page.keyboard.press('Enter');
  await page.getByRole('status').filter({ hasText: /limit is being lifted/ }).waitFor();
  await page.getByText(/Lifting the limit was asked for on/).waitFor();
  const lifted = await api(base, 'GET', `/v1/privacy-requests/${lateId}`, { token });
  check(/lifting the restriction/.test(lifted.json.history.at(-1).reason) &&
        await page.getByRole('button', { name: 'Lift the limit' }).count() === 0,
        'the limit is being lifted, once', JSON.stringify(lifted.json.history.at(-1)));
  await shoot(page, 'privacy-request-lifted');

  check(problems.length === 0, 'the pages ran under the CSP without an error', problems.join(' | '));
  console.log(`[figures] pages screenshotted: ${pages.count}`);
}

// ================= Webhooks =================
// A receiver on loopback that answers 500 to the first delivery, 204 after.
function startReceiver() {
  const received = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      received.push({ id: req.headers['webhook-id'], body });
      res.writeHead(received.length === 1 ? 500 : 204);
      res.end();
    });
  });
  run.cleanup(() => server.close());
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, received })));
}

async function until(what, fn, ms = 20000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting for ' + what);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function webhookChecks(page, base, account, token) {
  const accountUrl = `${base}/accounts/${account.id}`;
  const { server, received } = await startReceiver();
  const hookUrl = `http://127.0.0.1:${server.address().port}/hooks/lethe`;
  await page.goto(`${accountUrl}/webhooks`);
  await page.getByRole('heading', { level: 1, name: 'Webhooks' }).waitFor();
  await page.getByText('No webhooks.').waitFor();
  // By keyboard: type the URL, Space on the event's checkbox, Enter on the button.
  await tabTo(page, 'Endpoint URL');
  await page.keyboard.type(hookUrl);
  await tabTo(page, 'erasure.completed');
  await page.keyboard.press('Space');
  await tabTo(page, 'Add webhook');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: `Signing secret of ${hookUrl}` }).waitFor();
  check((await page.locator('.secret-value').textContent()).startsWith('whsec_'), 'the signing secret is shown once');
  const hooks = page.getByRole('table', { name: 'Webhooks' });
  await hooks.getByRole('row', { name: new RegExp(hookUrl) }).waitFor();
  await accessible(page, 'the webhooks page');
  await shoot(page, 'webhooks');

  // An erasure that completes: an erasure.completed delivery, refused once.
  let r = await api(base, 'POST', '/v1/privacy-requests', { token, body: { type: 'erasure', jurisdiction: 'gdpr',
                                                                        account_id: account.id, end_user: 'eu_dave',
                                                                        attested: true } });
  r = await api(base, 'POST', `/v1/privacy-requests/${r.json.id}/fulfil`, { token });
  check(r.status === 200 && r.json.state === 'completed', 'an end user is erased', r.text.slice(0, 200));
  await until('the first attempt', () => received.length >= 1);
  await hooks.getByRole('link', { name: hookUrl }).click();
  await page.getByRole('heading', { level: 1, name: `Deliveries to ${hookUrl}` }).waitFor();
  const deliveries = page.getByRole('table', { name: /Deliveries/ });
  await until('the attempt on the page', async () => {
    await page.getByRole('button', { name: 'Refresh' }).click();
    return /HTTP 500/.test(await page.locator('main').textContent());
  });
  const pending = await deliveries.getByRole('row', { name: /erasure\.completed/ }).textContent();
  check(/Pending \(will retry\)/.test(pending) && /HTTP 500/.test(pending) && /\d\d:\d\d:\d\d UTC$/.test(pending.trim()),
        'the delivery shows the refused attempt, its status code and the next retry', pending);
  await accessible(page, 'the webhook deliveries page');
  await shoot(page, 'webhook-deliveries-retrying');

  // 31 seconds later (the server's clock) the retry goes through.
  await api(base, 'POST', '/_test/clock', { body: { advance_seconds: 31 } });
  await until('the retry', () => received.length >= 2);
  await until('the delivered state on the page', async () => {
    await page.getByRole('button', { name: 'Refresh' }).click();
    return /Delivered/.test(await deliveries.textContent());
  });
  const done = await deliveries.getByRole('row', { name: /erasure\.completed/ }).textContent();
  check(/HTTP 500.*HTTP 204/.test(done) && /none$/.test(done.trim()),
        'after the retry: both attempts, 500 then 204, and no next retry', done);
  check(received[0].id === received[1].id && JSON.parse(received[1].body).type === 'erasure.completed',
        'the receiver got the same delivery twice', received.map((x) => x.id).join());
  await shoot(page, 'webhook-deliveries-delivered');

  // Deleted from the page.
  await page.getByRole('link', { name: 'Webhooks' }).click();
  await page.getByRole('button', { name: `Delete webhook ${hookUrl}` }).click();
  await page.getByText('No webhooks.').waitFor();
  r = await api(base, 'GET', `/v1/accounts/${account.id}/webhooks`, { token });
  check(r.json.webhooks.length === 0, 'the webhook is deleted', r.text);
}

// ================= Consents =================
async function consentChecks(page, base, account, token) {
  const accountUrl = `${base}/accounts/${account.id}`;
  // An end user's consent, recorded by the account's app (the data plane).
  const given = await api(base, 'POST', '/v1/consents', { token: account.api_token,
    body: { purpose: 'analytics', decision: 'opt_in', end_user: 'eu_erin' } });
  check(given.status === 201, 'the app records an end user\'s opt-in', given.text);
  const policy = (await api(base, 'GET', '/v1/policy')).json;

  await page.goto(`${accountUrl}/consents`);
  await page.getByRole('heading', { level: 1, name: 'Consents' }).waitFor();
  await page.getByText(`Version ${policy.version}, effective ${policy.effective}`).waitFor();
  check(true, 'the policy version in force is shown', `v${policy.version} ${policy.effective}`);
  const own = page.getByRole('table', { name: 'Your consents per purpose' });
  const marketing = own.getByRole('row', { name: /^marketing/ });
  await marketing.waitFor();
  check(/Not asked \(off\)/.test(await marketing.textContent()), 'marketing is off until asked',
        await marketing.textContent());
  check(/Not needed/.test(await own.getByRole('row', { name: /^service/ }).textContent()) &&
        await own.getByRole('button', { name: /service/ }).count() === 0,
        'a purpose on another legal basis has no opt-in or opt-out');
  await page.getByRole('button', { name: 'Opt in to marketing' }).focus();
  await page.keyboard.press('Enter');
  await page.getByRole('status').filter({ hasText: 'You opted in to marketing.' }).waitFor();
  check(/Opted in/.test(await marketing.textContent()), 'opted in from the page', await marketing.textContent());
  let mine = (await api(base, 'GET', '/v1/consents', { token })).json;
  check(mine.purposes.find((p) => p.purpose === 'marketing').state === 'granted', 'the ledger holds the opt-in');
  await page.getByRole('button', { name: 'Opt out of marketing' }).click();
  await page.getByRole('status').filter({ hasText: 'You opted out of marketing.' }).waitFor();
  mine = (await api(base, 'GET', '/v1/consents', { token })).json;
  check(mine.purposes.find((p) => p.purpose === 'marketing').state === 'refused' &&
        mine.history.filter((h) => h.source === 'portal').length === 2, 'then the opt-out, both from the portal',
        JSON.stringify(mine.history.map((h) => h.decision)));
  await page.getByRole('table', { name: /Your consent history/ }).waitFor();

  await page.getByLabel('End user reference').fill('eu_erin');
  await page.getByRole('button', { name: 'Show consents' }).click();
  const theirs = page.getByRole('table', { name: 'Consents of eu_erin' });
  await theirs.waitFor();
  const analytics = await theirs.getByRole('row', { name: /^analytics/ }).textContent();
  check(/Opted in/.test(analytics) && /api/.test(analytics), 'an end user\'s consents, by reference', analytics);
  check(await theirs.getByRole('button').count() === 0, 'which the customer reads but does not change');
  await accessible(page, 'the consents page');
  await shoot(page, 'consents');
}

// ================= Disclosures, sub-processors, the staff access log =================
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
                        'base64');

async function disclosureChecks(page, base, account, token, staff) {
  const accountUrl = `${base}/accounts/${account.id}`;
  // A media.created delivery names its end user: a ledger row.
  const { server } = await startReceiver();
  const hook = await api(base, 'POST', `/v1/accounts/${account.id}/webhooks`, { token,
    body: { url: `http://127.0.0.1:${server.address().port}/media`, events: ['media.created'] } });
  check(hook.status === 201, 'a webhook for media.created', hook.text);
  const up = await fetch(`${base}/v1/media?end_user=eu_frank`, { method: 'POST', body: PNG,
    headers: { Authorization: `Bearer ${account.api_token}`, 'Content-Type': 'image/png' } });
  check(up.status === 201, 'the app uploads an end user\'s image', String(up.status));
  const rows = await until('the disclosure row', async () => {
    const r = await api(base, 'GET', `/v1/accounts/${account.id}/disclosures`, { token });
    return r.json.items.length > 0 && r.json.items;
  });

  // A staff admin announces a sub-processor, then opens a grant on the
  // account and uses it.
  const session = await api(base, 'POST', '/v1/staff/sessions', { body: { staff_id: staff.staff_id,
    password: staff.password, code: await staffCode(base, staff.totp_secret) } });
  check(session.status === 201, 'the staff admin signs in', session.text);
  const staffToken = session.json.token;
  const sub = await api(base, 'POST', '/v1/staff/subprocessors', { token: staffToken, body: {
    name: 'Transcribe Co', purpose: 'transcription', region: 'eu', categories: ['content', 'identifiers'],
    endpoint: 'https://transcribe.example/api' } });
  check(sub.status === 201, 'a sub-processor is announced', sub.text);
  const grant = await api(base, 'POST', '/v1/staff/grants', { token: staffToken, body: {
    account_id: account.id, purpose: 'legal', ticket: 'LEG-42', scope: ['legal'], expires_in_hours: 2 } });
  check(grant.status === 201, 'the admin makes a grant for the account', grant.text);
  const used = await api(base, 'GET', `/v1/staff/legal-holds?account=${account.id}`, { token: staffToken });
  check(used.status === 200, 'and reads the account\'s legal holds under it', used.text);

  await page.goto(`${accountUrl}/disclosures`);
  await page.getByRole('heading', { level: 1, name: 'Disclosures and sub-processors' }).waitFor();
  const ledger = page.getByRole('table', { name: 'Disclosures, newest first' });
  await ledger.waitFor();
  const row = await ledger.getByRole('row').nth(1).textContent();
  check(row.includes('customer endpoint 127.0.0.1') && row.includes('Your endpoint') &&
        row.includes(rows[0].reference) && !row.includes('eu_frank'),
        'the ledger shows the transfer, its recipient and reference, and no end user id', row);
  const subs = page.getByRole('table', { name: 'Sub-processors' });
  const subRow = await subs.getByRole('row', { name: /Transcribe Co/ }).textContent();
  check(/transcription/.test(subRow) && /Announced .*, in force from/.test(subRow),
        'the sub-processor is listed with its effective date', subRow);
  await accessible(page, 'the disclosures page');
  await shoot(page, 'disclosures');

  await page.goto(`${accountUrl}/access-log`);
  await page.getByRole('heading', { level: 1, name: 'Staff access log' }).waitFor();
  const log = page.getByRole('table', { name: 'Staff access, newest first' });
  await log.waitFor();
  const logText = await log.textContent();
  check(/Request under a grant/.test(logText) && /Grant made/.test(logText) && logText.includes(staff.staff_id) &&
        /ticket LEG-42/.test(logText) && /GET \/v1\/staff\/legal-holds/.test(logText),
        'the access log shows the grant and the request made under it', logText);
  await accessible(page, 'the staff access log');
  await shoot(page, 'access-log');
}

// ================= The audit chain =================
async function auditChecks(page, base, account, db, token) {
  const accountUrl = `${base}/accounts/${account.id}`;
  await page.goto(`${accountUrl}/audit`);
  await page.getByRole('heading', { level: 1, name: 'Audit chain' }).waitFor();
  const events = page.getByRole('table', { name: /audit events/ });
  await events.waitFor();
  const rows = await events.getByRole('row').count() - 1;
  check(rows >= 8, 'the account\'s audit events are listed', String(rows));
  const verify = async () => {
    await page.getByRole('button', { name: 'Verify' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Verify' }).waitFor();  // back from "Verifying…"
    const ok = page.locator('.verified');
    const bad = page.getByRole('alert');
    await ok.or(bad).first().waitFor();
    return { ok: await ok.count() > 0, text: (await ok.count()) ? await ok.textContent() : await bad.textContent() };
  };
  await tabTo(page, 'Verify');  // reachable by Tab from the top of the page
  const first = await verify();
  check(first.ok && /^Chain verified up to event \d+, checkpoint signed .+ UTC/.test(first.text),
        'Verify: the untampered chain passes in the browser', first.text);
  const proved = await events.getByText('Verified: intact and in the signed checkpoint').count();
  check(proved === Math.min(rows, 25), 'the newest events are proved in the signed checkpoint', `${proved} of ${rows}`);
  await shoot(page, 'audit-verified');
  await accessible(page, 'the audit chain, verified');

  // An event in the middle, edited in the SQLite file.
  const [victim] = JSON.parse(sql(db, `SELECT * FROM audit_events WHERE account_id = '${account.id}' ORDER BY seq
                                       LIMIT 1 OFFSET 2`));
  sql(db, `UPDATE audit_events SET action = 'account.nothing_to_see' WHERE seq = ${victim.seq}`);
  const edited = await verify();
  check(!edited.ok && edited.text.includes(`breaks at event ${victim.seq}`) && /edited/.test(edited.text),
        'an edited event fails verification, at that event', edited.text);
  await events.getByRole('row', { name: new RegExp(`^${victim.seq} `) }).filter({ hasText: 'Broken' }).waitFor();
  await shoot(page, 'audit-tampered');
  await accessible(page, 'the audit chain, broken');

  sql(db, `UPDATE audit_events SET action = '${victim.action}' WHERE seq = ${victim.seq}`);

  // An event rewritten with a hash recomputed to match, where the next
  // event of the chain is not the account's (so no link the page sees
  // breaks): its own hash checks out, but it is not the leaf the signed
  // tree holds at its place.
  const [lone] = JSON.parse(sql(db, `SELECT * FROM audit_events a WHERE account_id = '${account.id}'
      AND seq < (SELECT max(seq) FROM audit_events) AND NOT EXISTS
      (SELECT 1 FROM audit_events b WHERE b.seq = a.seq + 1 AND b.account_id = a.account_id) ORDER BY seq LIMIT 1`));
  const forged = { ...lone, action: 'account.nothing_to_see' };
  forged.hash = auditHash(forged);
  sql(db, `UPDATE audit_events SET action = '${forged.action}', hash = '${forged.hash}' WHERE seq = ${lone.seq}`);
  const rewritten = await verify();
  check(!rewritten.ok && rewritten.text.includes(`breaks at event ${lone.seq}`) &&
        /not the event the signed checkpoint holds/.test(rewritten.text),
        'an event rewritten with a matching hash fails the Merkle proof', rewritten.text);
  await shoot(page, 'audit-rewritten');

  // Restored: it passes again; the chain grows (a new API key), and the
  // newer checkpoint is proved to extend the one verified first.
  sql(db, `UPDATE audit_events SET action = '${lone.action}', hash = '${lone.hash}' WHERE seq = ${lone.seq}`);
  const key = await api(base, 'POST', `/v1/accounts/${account.id}/keys`, { token });
  check(key.status === 201, 'the chain grows', key.text);
  const again = await verify();
  check(again.ok && /It extends the checkpoint verified on this page .* \((\d+) events to (?!\1\))\d+\)/.test(again.text),
        'restored, the chain verifies again, and the new checkpoint extends the first', again.text);
}

// ================= The page's verifier, at every position =================
// The portal's own audit_verify.ts (bundled by esbuild from the portal's
// packages), run in node on the server's real consistency proofs: for
// every tree size n of the chain so far, with the root computed here from
// the SQLite file's hashes (RFC 6962, independently of the page), each
// event 1..n is proved included and an altered hash is refused; and every
// pair of sizes m < n is proved consistent, with an altered root refused.
async function verifierAtEveryPosition(base, db) {
  const portal = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web/portal');
  const esbuild = createRequire(path.join(portal, 'package.json'))('esbuild');
  const built = await esbuild.build({ entryPoints: [path.join(portal, 'src/audit_verify.ts')], bundle: true,
                                      format: 'esm', write: false, platform: 'neutral', logLevel: 'silent' });
  const verifier = await import('data:text/javascript;base64,' + Buffer.from(built.outputFiles[0].text).toString('base64'));
  globalThis.crypto ??= webcrypto;  // node 18
  const sha = (...parts) => createHash('sha256').update(Buffer.concat(parts)).digest();
  const mth = (leaves) => {
    if (leaves.length === 0) return sha(Buffer.alloc(0));
    if (leaves.length === 1) return leaves[0];
    let k = 1;
    while (k * 2 < leaves.length) k *= 2;
    return sha(Buffer.from([1]), mth(leaves.slice(0, k)), mth(leaves.slice(k)));
  };
  const events = JSON.parse(sql(db, 'SELECT seq, hash, prev_hash FROM audit_events ORDER BY seq'));
  const leaves = events.map((e) => sha(Buffer.from([0]), Buffer.from(e.hash, 'hex')));
  let requests = 0;
  const proofs = async (from, to) => {
    ++requests;
    const r = await api(base, 'GET', `/.well-known/lethe/checkpoint/consistency?from=${from}&to=${to}`);
    return r.json.proof.map((p) => new Uint8Array(Buffer.from(p, 'base64')));
  };
  const bytes = (hex) => new Uint8Array(Buffer.from(hex, 'hex'));
  let proved = 0, unprovable = 0, wrong = [], forgedPassed = [], pairs = 0;
  const checkpoints = [];
  for (let n = 1; n <= events.length; n++) {
    const cp = { origin: 'x', size: n, root: new Uint8Array(mth(leaves.slice(0, n))), note: '' };
    checkpoints.push(cp);
    for (let s = 1; s <= n; s++) {
      const e = events[s - 1];
      const got = await verifier.included(s, bytes(e.hash), bytes(e.prev_hash), cp, proofs);
      if (got === true) proved++;
      else if (got === 'unprovable' && s === 3 && n === 3) unprovable++;
      else wrong.push(`${s}/${n}:${got}`);
      const forged = bytes(e.hash);
      forged[0] ^= 1;
      if (await verifier.included(s, forged, bytes(e.prev_hash), cp, proofs) === true) forgedPassed.push(`${s}/${n}`);
    }
  }
  const badPairs = [];
  for (let n = 2; n <= events.length; n++) {
    for (let m = 1; m < n; m++) {
      pairs++;
      if (!await verifier.consistent(checkpoints[m - 1], checkpoints[n - 1], proofs)) badPairs.push(`${m}->${n}`);
      const altered = { ...checkpoints[m - 1], root: checkpoints[m - 1].root.slice() };
      altered.root[5] ^= 1;
      if (await verifier.consistent(altered, checkpoints[n - 1], proofs)) badPairs.push(`altered ${m}->${n}`);
    }
  }
  check(wrong.length === 0, `the page's verifier proves every event of every tree size 1..${events.length} included`,
        `${proved} proved, ${unprovable} unprovable (event 3 of 3); wrong: ${wrong.slice(0, 10).join(' ')}`);
  check(forgedPassed.length === 0, 'and refuses every altered hash', forgedPassed.slice(0, 10).join(' '));
  check(badPairs.length === 0, `and proves all ${pairs} pairs of sizes consistent, refusing each altered old root`,
        badPairs.slice(0, 10).join(' '));
  console.log(`[figures] verifier: ${proved} inclusions proved, ${pairs} consistency pairs, ${requests} proofs fetched`);
}

await run.finish(main);
