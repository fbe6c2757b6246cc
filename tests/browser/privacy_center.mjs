// The privacy center in a real browser (issue 15; RGT-4, SEC-5, SHR-7):
// Debian's chromium, driven by playwright-core, opens /privacy/{account} as
// an account's end user would:
// - without a link: the account's name, what is collected and why (the
//   purpose registry), who else handles it (the sub-processors), the policy
//   version, and a request form; a request filed with an email address is
//   confirmed with the code mailed there (read from the server's mail
//   files) and appears in the customer's list (GET /v1/privacy-requests)
//   as about an end user of that account;
// - through the app's signed link (minted with the account's API token):
//   the end user's choices, changed with the keyboard, read back through
//   the customer's API; the link leaves the address bar;
// - in a context with Global Privacy Control (Sec-GPC: 1 on every request
//   and navigator.globalPrivacyControl): the notice says so, and the
//   opt-outs are recorded (read back through the API, source gpc);
// - an unknown account shows a clear not-found page; another account's
//   link shows nothing of the other account;
// - axe-core finds no serious or critical violation; a screenshot of every
//   state is written to <screenshots dir> (argv[3]).
//
// usage: node privacy_center.mjs <path to lethe> <screenshots dir>
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { api, TestRun } from '../lethe_process.mjs';
import { PageCheck } from './kit.mjs';

const [lethe, shots] = process.argv.slice(2);
if (!lethe || !shots) {
  console.error('usage: node privacy_center.mjs <path to lethe> <screenshots dir>');
  process.exit(2);
}
mkdirSync(shots, { recursive: true });
rmSync(path.join(shots, 'failure.png'), { force: true });
const chromiumPath = process.env.LETHE_CHROMIUM || '/usr/bin/chromium';
const run = new TestRun(lethe, 'lethe-privacy-center-');
const check = (...args) => run.check(...args);
const pages = new PageCheck(run, shots);
const shoot = (target, name) => pages.shoot(target, name);
const accessible = (page, name) => pages.accessible(page, name);
// The 8-digit code mailed to `to` about request `id` (the server's mail
// sink: <data>/outbox-mail/*.eml).
async function mailedCode(to, id) {
  const dir = path.join(run.root, 'data', 'outbox-mail');
  for (let i = 0; i < 100; i++) {
    let files = [];
    try { files = readdirSync(dir, { recursive: true }).filter((f) => String(f).endsWith('.eml')); } catch { /* not yet */ }
    for (const f of files) {
      const text = readFileSync(path.join(dir, String(f)), 'utf8');
      const m = /code: ([0-9]{8})/.exec(text);
      if (m && text.includes(id) && text.includes(to)) return m[1];
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return '';
}

async function consentsOf(base, session, accountId, endUser) {
  const r = await api(base, 'GET', `/v1/consents?account_id=${accountId}&end_user=${encodeURIComponent(endUser)}`,
                      { token: session });
  return Object.fromEntries((r.json?.purposes ?? []).map((p) => [p.purpose, p]));
}

function watch(page, problems) {
  page.on('console', (m) => {
    if (/Content Security Policy|Trusted Type|Refused to/i.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push('page error: ' + e.message));
}

async function main() {
  const base = await run.startLethe();
  const email = `pc${Date.now()}@example.com`;
  const signup = await api(base, 'POST', '/v1/signup', {
    body: { name: 'Pat Customer', email, password: 'correct horse battery staple', country: 'GB', birth_date: '1988-03-04' },
  });
  check(signup.status === 201, 'a customer signs up', signup.text);
  const session = signup.json.session.token;
  const account = await api(base, 'POST', '/v1/accounts', { token: session, body: { name: 'Acme Notes', region: 'eu' } });
  const other = await api(base, 'POST', '/v1/accounts', { token: session, body: { name: 'Secret Other App', region: 'us' } });
  check(account.status === 201 && other.status === 201, 'with two accounts');
  const accountId = account.json.id;

  const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox'] });
  run.cleanup(() => browser.close());
  const problems = [];

  // --- Without a link: the public part and a request verified by mail.
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  const page = await context.newPage();
  watch(page, problems);
  run.cleanup(async () => {
    if (run.failures > 0) await page.screenshot({ path: path.join(shots, 'failure.png'), fullPage: true });
  });
  await page.goto(`${base}/privacy/${accountId}`);
  await page.getByRole('heading', { level: 1, name: 'Privacy at Acme Notes' }).waitFor();
  await page.getByRole('heading', { name: 'What is collected and why' }).waitFor();
  const purposes = page.getByRole('table', { name: 'Purposes of processing' });
  await purposes.getByRole('row', { name: /Marketing email/ }).waitFor();
  check(await purposes.getByRole('row').count() === 8, 'every purpose of the registry is listed',
        String(await purposes.getByRole('row').count()));
  check(/Only with your consent/.test(await purposes.getByRole('row', { name: /Analytics/ }).textContent()),
        'with its basis');
  const policyText = await page.getByRole('heading', { name: 'Privacy policy' }).locator('xpath=..').textContent();
  check(/Version 1, in effect since \d{4}-\d{2}-\d{2}/.test(policyText), 'the policy version is shown', policyText);
  check(!(await page.getByText('Global Privacy Control').count()), 'no GPC notice without the signal');
  await page.keyboard.press('Tab');
  check(await page.evaluate(() => document.activeElement?.textContent) === 'Skip to content', 'the first Tab reaches the skip link');
  await shoot(page, 'privacy-center');
  await accessible(page, 'the privacy center');

  const person = `enduser${Date.now()}@example.org`;
  await page.getByLabel('What would you like?').selectOption('erasure');
  await page.getByLabel('Where do you live?').selectOption('gdpr');
  await page.getByLabel('Your email address').fill(person);
  await page.getByLabel('Your email address').press('Enter');  // submits with the keyboard
  await page.getByLabel('Confirmation code').waitFor();
  await shoot(page, 'privacy-center-code');
  await accessible(page, 'the privacy center code step');
  let list = await api(base, 'GET', '/v1/privacy-requests', { token: session });
  const filed = (list.json?.items ?? []).find((r) => r.subject.end_user === person);
  check(Boolean(filed) && filed.subject.kind === 'end_user' && filed.subject.account_id === accountId &&
        filed.type === 'erasure' && filed.state === 'identity_unverified',
        'the request is in the customer\'s list, about an end user of the account, waiting for the code', JSON.stringify(filed));
  const code = await mailedCode(person, filed?.id ?? 'none');
  check(code.length === 8, 'a code was mailed to the address given');
  await page.getByLabel('Confirmation code').fill(code);
  await page.getByLabel('Confirmation code').press('Enter');
  const done = page.getByRole('status').filter({ hasText: 'received and verified' });
  await done.waitFor();
  check(/must answer it by \d{4}-\d{2}-\d{2}/.test(await done.textContent()), 'the page gives the due date', await done.textContent());
  list = await api(base, 'GET', '/v1/privacy-requests', { token: session });
  check(list.json.items.find((r) => r.id === filed.id)?.state === 'verified', 'the customer sees it verified');
  await shoot(page, 'privacy-center-request-verified');
  await accessible(page, 'the privacy center after a request');

  // --- An unknown account.
  await page.goto(`${base}/privacy/acc_doesnotexist`);
  await page.getByRole('heading', { level: 1, name: 'Privacy center not found' }).waitFor();
  check(true, 'an unknown account shows a not-found page');
  await shoot(page, 'privacy-center-not-found');
  await accessible(page, 'the privacy center not-found page');

  // --- Through the app's link.
  const minted = await api(base, 'POST', '/v1/privacy-center/links', { token: account.json.api_token, body: { end_user: 'user-42' } });
  check(minted.status === 201 && minted.json.url.includes(`/privacy/${accountId}#link=`), 'the app mints a link', minted.text);
  await page.goto(base + minted.json.url);
  await page.getByRole('heading', { name: 'Your choices' }).waitFor();
  const choices = page.getByRole('table', { name: 'Your consent to each optional use' });
  await choices.waitFor();
  check(!page.url().includes('#link='), 'the link leaves the address bar', page.url());
  const turnOn = page.getByRole('button', { name: 'Turn on Marketing email' });
  await turnOn.focus();
  await page.keyboard.press('Enter');
  await page.getByRole('status').filter({ hasText: 'Marketing email is now on' }).waitFor();
  let seen = await consentsOf(base, session, accountId, 'user-42');
  check(seen.marketing?.state === 'granted', 'the choice is recorded for that end user', JSON.stringify(seen.marketing));
  await shoot(page, 'privacy-center-linked');
  await accessible(page, 'the privacy center opened by link');
  // The same link on another account's page shows none of its choices.
  await page.goto(`${base}/privacy/${other.json.id}#link=${encodeURIComponent(minted.json.token)}`);
  await page.getByRole('heading', { level: 1, name: 'Privacy at Secret Other App' }).waitFor();
  await page.getByText('The link from the app is not valid here').waitFor();
  check(!(await choices.count()), 'another account\'s page does not open with this link');
  await context.close();

  // --- Global Privacy Control.
  const gpcContext = await browser.newContext({ viewport: { width: 1100, height: 800 }, extraHTTPHeaders: { 'Sec-GPC': '1' } });
  await gpcContext.addInitScript(() => {
    Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true, configurable: true });
  });
  const gpcPage = await gpcContext.newPage();
  watch(gpcPage, problems);
  const gpcLink = await api(base, 'POST', '/v1/privacy-center/links', { token: account.json.api_token, body: { end_user: 'user-gpc' } });
  await gpcPage.goto(base + gpcLink.json.url);
  await gpcPage.getByRole('table', { name: 'Your consent to each optional use' }).waitFor();
  const notice = gpcPage.getByRole('region', { name: 'Global Privacy Control' });
  await notice.waitFor();
  const noticeText = await notice.textContent();
  check(noticeText.includes("Your browser's Global Privacy Control signal is on: we treat it as an opt-out of"),
        'the page says the GPC signal is honoured', noticeText);
  check(await gpcPage.evaluate(() => navigator.globalPrivacyControl) === true, 'navigator.globalPrivacyControl is on');
  seen = await consentsOf(base, session, accountId, 'user-gpc');
  check(seen.third_party_sharing?.state === 'refused' && seen.third_party_sharing?.source === 'gpc' &&
        seen.analytics?.state === 'refused' && seen.analytics?.source === 'gpc',
        'the opt-outs are recorded with source gpc', JSON.stringify([seen.third_party_sharing, seen.analytics]));
  check(/Off while Global Privacy Control is on/.test(
    await gpcPage.getByRole('table', { name: 'Your consent to each optional use' })
      .getByRole('row', { name: /Sharing with third parties/ }).textContent()),
        'the page does not offer to turn on what the signal opts out of');
  await shoot(gpcPage, 'privacy-center-gpc');
  await accessible(gpcPage, 'the privacy center with GPC');

  check(problems.length === 0, 'no CSP violation or page error', problems.join(' | '));
}

run.finish(main);
