// The staff console in a real browser (issue 15; USE-4, USE-6, ADM-1,
// SHR-4): Debian's chromium, driven by playwright-core, signs staff in at
// /staff with ID, password and TOTP code (typed with the keyboard; the
// test computes the codes, RFC 6238), as `lethe staff add` made them:
// - the session is the staff's own cookie (__Host-lethe_staff: HttpOnly,
//   Secure, SameSite=Strict, Path=/), which the page cannot read and which
//   opens no customer route;
// - a legal member sees only the sections of the legal role, grants
//   themself access to an account (legal scope), places a legal hold and
//   releases it (read back through the customer's API), records a legal
//   request and decides it, and revokes the grant;
// - a security member sees the appeal of an account suspended for
//   known-bad content (--known-bad-hashes) and reinstates it: the
//   account's data plane answers again;
// - axe-core finds no serious or critical violation; a screenshot of every
//   page is written to <screenshots dir> (argv[3]).
//
// usage: node staff_console.mjs <path to lethe> <screenshots dir>
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { api, TestRun } from '../lethe_process.mjs';
import { currentStep, PageCheck, totp as totpAt } from './kit.mjs';

const [lethe, shots] = process.argv.slice(2);
if (!lethe || !shots) {
  console.error('usage: node staff_console.mjs <path to lethe> <screenshots dir>');
  process.exit(2);
}
mkdirSync(shots, { recursive: true });
rmSync(path.join(shots, 'failure.png'), { force: true });
const chromiumPath = process.env.LETHE_CHROMIUM || '/usr/bin/chromium';
const run = new TestRun(lethe, 'lethe-staff-console-');
const check = (...args) => run.check(...args);
const pages = new PageCheck(run, shots);
const shoot = (target, name) => pages.shoot(target, name);
const accessible = (page, name) => pages.accessible(page, name);
const totp = (secret) => totpAt(secret, currentStep());
// A 1x1 PNG: listed as known-bad content, its upload suspends the account.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

function addStaff(role) {
  const out = execFileSync(lethe, ['staff', 'add', '--role', role, '--name', `Lee ${role}`, '--data', path.join(run.root, 'data')],
                           { encoding: 'utf8' });
  const field = (name) => new RegExp(`^${name}: (.+)$`, 'm').exec(out)?.[1]?.trim() ?? '';
  return { id: field('staff_id'), password: field('password'), secret: field('totp_secret') };
}

async function waitFor(what, fn) {
  for (let i = 0; i < 100; i++) {
    if (await fn()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  check(false, `waited for ${what}`);
  return false;
}

// Signs `member` in on the console's form, with the keyboard.
async function signIn(page, base, member) {
  await page.goto(base + '/staff');
  await page.getByRole('heading', { level: 1, name: 'Staff sign-in' }).waitFor();
  await page.getByLabel('Staff ID').focus();
  await page.keyboard.type(member.id);
  await page.keyboard.press('Tab');
  await page.keyboard.type(member.password);
  await page.keyboard.press('Tab');
  await page.keyboard.type(totp(member.secret));
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1, name: 'Staff console' }).waitFor();
}

async function main() {
  // A data directory with two staff members and a known-bad list.
  await run.startLethe();
  run.server.kill('SIGTERM');
  await new Promise((r) => run.server.once('exit', r));
  const legal = addStaff('legal');
  const security = addStaff('security');
  check(legal.id.startsWith('stf_') && security.id.startsWith('stf_'), 'lethe staff add made a legal and a security member');
  const list = path.join(run.root, 'known-bad.txt');
  writeFileSync(list, createHash('sha256').update(PNG).digest('hex') + '\n');
  const base = await run.startLethe(['--known-bad-hashes', list]);

  const signup = await api(base, 'POST', '/v1/signup', {
    body: { name: 'Sam Customer', email: `staff${Date.now()}@example.com`, password: 'correct horse battery staple',
            country: 'GB', birth_date: '1985-06-07' },
  });
  const session = signup.json.session.token;
  const account = (await api(base, 'POST', '/v1/accounts', { token: session, body: { name: 'Flagged App', region: 'us' } })).json;
  const up = await fetch(base + '/v1/media', { method: 'POST', body: PNG,
                                               headers: { Authorization: `Bearer ${account.api_token}`, 'Content-Type': 'image/png' } });
  check(up.status === 201, 'the customer uploads an image on the known-bad list', String(up.status));
  await waitFor('the suspension', async () => (await api(base, 'GET', '/v1/account', { token: account.api_token })).status === 403);
  const appeal = await api(base, 'POST', '/v1/appeals', { token: session, body: { account_id: account.id, statement: 'Our own logo.' } });
  check(appeal.status === 201, 'the suspended customer appeals', appeal.text);

  const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox'] });
  run.cleanup(() => browser.close());
  const problems = [];
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  const page = await context.newPage();
  page.on('console', (m) => { if (/Content Security Policy|Trusted Type|Refused to/i.test(m.text())) problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push('page error: ' + e.message));
  run.cleanup(async () => {
    if (run.failures > 0) await page.screenshot({ path: path.join(shots, 'failure.png'), fullPage: true });
  });

  // --- Sign-in as the legal member.
  await page.goto(base + '/staff');
  await page.getByRole('heading', { level: 1, name: 'Staff sign-in' }).waitFor();
  await shoot(page, 'staff-sign-in');
  await accessible(page, 'the staff sign-in');
  await signIn(page, base, legal);
  const cookies = await context.cookies(base);
  const cookie = cookies.find((c) => c.name === '__Host-lethe_staff');
  check(Boolean(cookie) && cookie.value.startsWith('sts_'), 'the session is the __Host-lethe_staff cookie',
        cookies.map((c) => c.name).join());
  check(cookie?.httpOnly && cookie?.secure && cookie?.sameSite === 'Strict' && cookie?.path === '/',
        'HttpOnly, Secure, SameSite=Strict, Path=/');
  check(!cookies.some((c) => c.name === '__Host-lethe_session'), 'and no customer cookie');
  check(await page.evaluate(() => document.cookie) === '', 'the page\'s script cannot read it');
  const me = await page.evaluate(async () => (await fetch('/v1/me')).status);
  check(me === 401, 'the staff cookie opens no customer route', String(me));
  const nav = page.getByRole('navigation', { name: 'Staff' });
  const links = (await nav.getByRole('link').allTextContents()).join(', ');
  check(links === 'Access grants, Legal holds, Legal requests, Passkeys', 'the legal role sees its sections only', links);
  await shoot(page, 'staff-overview');
  await accessible(page, 'the staff overview');
  await page.goto(base + '/staff/appeals');
  await page.getByText('This section is not open to the legal role.').waitFor();
  check(true, 'the appeals section is closed to the legal role');

  // --- An access grant.
  await page.goto(base + '/staff/grants');
  await page.getByRole('heading', { level: 1, name: 'Access grants' }).waitFor();
  await page.getByLabel('Account ID').fill(account.id);
  await page.getByLabel('Purpose').selectOption('legal');
  await page.getByLabel('Ticket').fill('LEGAL-7');
  await page.getByLabel('legal', { exact: true }).check();
  await page.getByRole('button', { name: 'Grant access' }).click();
  await page.getByRole('status').filter({ hasText: `on ${account.id}` }).waitFor();
  const grantRows = page.getByRole('table', { name: 'Your grants' }).getByRole('row', { name: new RegExp(account.id) });
  check(await grantRows.count() === 1, 'the grant is listed');
  const log = await api(base, 'GET', `/v1/accounts/${account.id}/access-log`, { token: session });
  check(log.json?.entries?.some((e) => e.kind === 'grant' || e.ticket === 'LEGAL-7'), 'the customer sees the grant in its access log',
        JSON.stringify(log.json?.entries?.[0]));
  await shoot(page, 'staff-grants');
  await accessible(page, 'the access grants');

  // --- A legal hold, placed and released.
  await nav.getByRole('link', { name: 'Legal holds' }).click();
  await page.getByRole('heading', { level: 1, name: 'Legal holds' }).waitFor();
  await page.getByLabel('Account ID').fill(account.id);
  await page.getByLabel('Account ID').press('Enter');
  await page.getByText('No holds on this account.').waitFor();
  await page.getByLabel('Matter').fill('Case 2026-17');
  await page.getByLabel('Reason').fill('Preservation letter from counsel');
  await page.getByRole('button', { name: 'Place hold' }).click();
  await page.getByRole('status').filter({ hasText: 'placed' }).waitFor();
  let holds = await api(base, 'GET', `/v1/accounts/${account.id}/legal-holds`, { token: session });
  check(holds.json?.holds?.length === 1 && holds.json.holds[0].state === 'active', 'the customer sees the hold active',
        holds.text);
  await shoot(page, 'staff-legal-hold');
  await accessible(page, 'the legal holds');
  await page.getByRole('button', { name: /^Release hold / }).click();
  await page.getByRole('status').filter({ hasText: 'released' }).waitFor();
  holds = await api(base, 'GET', `/v1/accounts/${account.id}/legal-holds`, { token: session });
  check(holds.json?.holds?.[0]?.state === 'released', 'and then released', holds.text);

  // --- A legal request, recorded and decided.
  await nav.getByRole('link', { name: 'Legal requests' }).click();
  await page.getByRole('heading', { level: 1, name: 'Legal requests' }).waitFor();
  await page.getByLabel('Account ID').fill(account.id);
  await page.getByRole('button', { name: 'Show requests' }).click();
  await page.getByText('No legal requests about this account.').waitFor();
  await page.getByLabel('Authority', { exact: true }).fill('Example Police');
  await page.getByLabel('Legal basis').fill('Warrant 42');
  await page.getByLabel('Data asked for').fill('account records');
  await page.getByRole('button', { name: 'Record request' }).click();
  await page.getByRole('status').filter({ hasText: 'recorded' }).waitFor();
  await page.getByLabel(/^Note on /).fill('Overbroad: no named subject.');
  await page.getByRole('button', { name: 'Decide' }).click();
  await page.getByRole('status').filter({ hasText: ': object' }).waitFor();
  check(await page.getByText('Decision: object.').count() === 1, 'the legal request is decided (objected)');
  await shoot(page, 'staff-legal-requests');
  await accessible(page, 'the legal requests');

  // --- The grant, revoked.
  await nav.getByRole('link', { name: 'Access grants' }).click();
  await page.getByRole('button', { name: /^Revoke grant / }).click();
  await page.getByRole('status').filter({ hasText: 'revoked' }).waitFor();
  check(await page.getByRole('button', { name: /^Revoke grant / }).count() === 0, 'the grant is revoked');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { level: 1, name: 'Staff sign-in' }).waitFor();
  check(!(await context.cookies(base)).some((c) => c.name === '__Host-lethe_staff'), 'sign-out removes the cookie');

  // --- The security member decides the appeal.
  await signIn(page, base, security);
  const securityLinks = (await nav.getByRole('link').allTextContents()).join(', ');
  check(securityLinks === 'Access grants, Appeals, Legal requests, Passkeys', 'the security role sees its sections', securityLinks);
  // Deciding takes a grant (account scope) on the appeal's account.
  await nav.getByRole('link', { name: 'Access grants' }).click();
  await page.getByLabel('Account ID').fill(account.id);
  await page.getByLabel('Purpose').selectOption('abuse_review');
  await page.getByLabel('Ticket').fill('ABUSE-3');
  await page.getByRole('button', { name: 'Grant access' }).click();
  await page.getByRole('status').filter({ hasText: `on ${account.id}` }).waitFor();
  await nav.getByRole('link', { name: 'Appeals' }).click();
  await page.getByRole('heading', { level: 1, name: 'Appeals' }).waitFor();
  await page.getByRole('heading', { name: new RegExp(`on ${account.id}`) }).waitFor();
  await shoot(page, 'staff-appeals');
  await accessible(page, 'the appeals');
  await page.getByLabel(/^Outcome for /).selectOption('reinstate');
  await page.getByLabel(/^Reason for /).fill('The file is the customer\'s own logo.');
  await page.getByRole('button', { name: 'Decide' }).click();
  await page.getByRole('status').filter({ hasText: 'reinstated' }).waitFor();
  await waitFor('the reinstatement', async () => (await api(base, 'GET', '/v1/account', { token: account.api_token })).status === 200);
  check(true, 'the account is reinstated: its data plane answers again');
  await page.getByText('No open appeals.').waitFor();
  await shoot(page, 'staff-appeals-decided');

  check(problems.length === 0, 'no CSP violation or page error', problems.join(' | '));
}

run.finish(main);
