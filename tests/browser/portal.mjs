// The portal in a real browser (issue 15): Debian's chromium, driven by
// playwright-core, uses the portal `lethe serve` serves at / as a person
// would, with the keyboard where a person would type:
// - sign-up is refused by the age gate for a 14-year-old in Germany, then
//   an adult signs up; the session is a cookie with HttpOnly, Secure,
//   SameSite=Strict and Path=/ that the page's script cannot read;
// - two-factor authentication is turned on from the Security page (the
//   test computes the TOTP codes, RFC 6238, with node's crypto), the
//   customer signs out and signs in again with password and code;
// - an account is created (region shown), then, on its page, an API key,
//   an upload token (revoked again) and an allowed origin;
// - forged requests are refused: the page's own fetch without the CSRF
//   token, a form and a fetch from another origin of the same site (the
//   cookie goes along: 403 csrf-refused), a form from another site (the
//   cookie stays home: 401); none of them created anything;
// - index.html is no-cache and the hashed assets immutable, with the CSP,
//   nosniff and Referrer-Policy headers, and the page runs under that CSP
//   without a single violation;
// - axe-core finds no serious or critical violation on any page.
// A screenshot of every page is written to <screenshots dir> (argv[3]).
//
// usage: node portal.mjs <path to lethe> <screenshots dir>
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { TestRun } from '../lethe_process.mjs';
import { currentStep, PageCheck, startPageServer as serve, totp } from './kit.mjs';

const [lethe, shots] = process.argv.slice(2);
if (!lethe || !shots) {
  console.error('usage: node portal.mjs <path to lethe> <screenshots dir>');
  process.exit(2);
}
mkdirSync(shots, { recursive: true });
rmSync(path.join(shots, 'failure.png'), { force: true });
const chromiumPath = process.env.LETHE_CHROMIUM || '/usr/bin/chromium';
const run = new TestRun(lethe, 'lethe-portal-');
const check = (...args) => run.check(...args);
const pages = new PageCheck(run, shots);
const shoot = (page, name) => pages.shoot(page, name);
const accessible = (page, name) => pages.accessible(page, name);
const startPageServer = (host, html) => serve(run, host, html);

// A page elsewhere that posts to Lethe with whatever cookie the browser
// sends along: a form (a top-level navigation) and a fetch.
const forgeryPage = (target) => `<!doctype html><html lang="en"><title>elsewhere</title>
<form id="f" method="POST" action="${target}/v1/accounts" enctype="text/plain">
<input type="hidden" name='{"name":"forged","region":"us","x":"' value='"}'>
<button id="go">Win a prize</button></form>
<script>
async function forgeFetch(url) {
  try {
    await fetch(url, { method: 'POST', mode: 'no-cors', credentials: 'include',
                       headers: { 'Content-Type': 'text/plain' },
                       body: JSON.stringify({ name: 'forged-fetch', region: 'us' }) });
    return 'sent';
  } catch (e) { return String(e); }
}
</script></html>`;

async function main() {
  const base = await run.startLethe();
  const index = await fetch(base + '/');
  if (index.status !== 200) throw new Error(`GET / is ${index.status}: was the portal built (cmake target lethe_portal)?`);

  // --- The server's headers for the portal's files.
  const html = await index.text();
  const csp = index.headers.get('content-security-policy') || '';
  for (const directive of ["default-src 'self'", "script-src 'self'", "object-src 'none'",
                           "frame-ancestors 'none'", "base-uri 'none'"]) {
    check(csp.includes(directive), `the CSP has ${directive}`, csp);
  }
  check(!csp.includes('unsafe-inline') && !csp.includes('unsafe-eval'), 'the CSP allows no inline script or eval');
  check(index.headers.get('cache-control') === 'no-cache', 'index.html is no-cache', index.headers.get('cache-control'));
  check(index.headers.get('x-content-type-options') === 'nosniff', 'nosniff');
  check(index.headers.get('referrer-policy') === 'same-origin', 'Referrer-Policy', index.headers.get('referrer-policy'));
  check(!/<script(?![^>]*\bsrc=)[^>]*>/i.test(html), 'index.html has no inline script');
  const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
  check(assets.some((a) => a.endsWith('.js')) && assets.some((a) => a.endsWith('.css')), 'index.html names hashed JS and CSS',
        assets.join(' '));
  for (const asset of assets) {
    const r = await fetch(base + asset);
    check(r.status === 200 && r.headers.get('cache-control') === 'public, max-age=31536000, immutable',
          `${asset} is immutable for a year`, `${r.status} ${r.headers.get('cache-control')}`);
    const type = r.headers.get('content-type') || '';
    const expected = asset.endsWith('.js') ? 'text/javascript' : asset.endsWith('.css') ? 'text/css' : 'image/svg+xml';
    check(type.startsWith(expected), `${asset} is ${expected}`, type);
    check(Boolean(r.headers.get('content-security-policy')) && Boolean(r.headers.get('etag')), `${asset} has its CSP and ETag`);
  }

  const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox'] });
  run.cleanup(() => browser.close());
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  const page = await context.newPage();
  const violations = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Trusted Type|Refused to/i.test(m.text())) violations.push(m.text());
  });
  page.on('pageerror', (e) => violations.push('page error: ' + e.message));
  page.on('console', (m) => { if (m.type() === 'error') console.log('page console:', m.text()); });
  // On a failure, what the page showed.
  run.cleanup(async () => {
    if (run.failures > 0) await page.screenshot({ path: path.join(shots, 'failure.png'), fullPage: true });
  });

  // --- Signed out, / sends the visitor to the sign-in page.
  await page.goto(base + '/');
  await page.waitForURL(base + '/signin');
  await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
  await page.keyboard.press('Tab');
  check(await page.evaluate(() => document.activeElement?.textContent) === 'Skip to content',
        'the first Tab reaches the skip link');
  await shoot(page, 'sign-in');
  await accessible(page, 'the sign-in page');

  // --- Sign-up, by keyboard: the link, then the form.
  await page.getByRole('link', { name: 'Create a customer account' }).focus();
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1, name: 'Create a customer account' }).waitFor();
  check(page.url() === base + '/signup', 'Enter on the link opens the sign-up page', page.url());
  await shoot(page, 'sign-up');
  await accessible(page, 'the sign-up page');

  const email = `portal${Date.now()}@example.com`;
  const password = 'correct horse battery staple';
  const fillSignUp = async (who, country, birth) => {
    await page.getByLabel('Full name').fill(who);
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByLabel('Country').selectOption(country);
    await page.getByLabel('Birth date').fill(birth);
  };
  const young = new Date();
  young.setFullYear(young.getFullYear() - 14);
  await fillSignUp('Young Tester', 'DE', young.toISOString().slice(0, 10));
  await page.getByRole('button', { name: 'Create account' }).click();
  const refusal = page.getByRole('alert');
  await refusal.waitFor();
  check(/too young/.test(await refusal.textContent()), 'the age gate refuses a 14-year-old in Germany',
        await refusal.textContent());
  check((await context.cookies()).length === 0, 'and sets no cookie');
  await shoot(page, 'sign-up-age-gate');

  await fillSignUp('Ada Portal', 'GB', '1990-12-10');
  await page.getByLabel('Birth date').press('Enter');  // submits the form
  await page.getByRole('heading', { level: 1, name: 'Accounts' }).waitFor();
  check(page.url() === base + '/', 'sign-up lands on the accounts page', page.url());

  // --- The cookie.
  const cookies = await context.cookies(base);
  const session = cookies.find((c) => c.name === '__Host-lethe_session');
  check(Boolean(session), 'the session is the __Host-lethe_session cookie', cookies.map((c) => c.name).join());
  check(session?.httpOnly === true, 'HttpOnly');
  check(session?.secure === true, 'Secure (Chromium takes Secure cookies from http://127.0.0.1)');
  check(session?.sameSite === 'Strict', 'SameSite=Strict', session?.sameSite);
  check(session?.path === '/', 'Path=/', session?.path);
  check(session?.value.startsWith('ses_'), 'it holds a session token');
  check(await page.evaluate(() => document.cookie) === '', 'the page\'s script cannot read it');
  check(await page.evaluate(() => localStorage.length + sessionStorage.length) === 0, 'nothing is kept in web storage');

  // --- Two-factor authentication, from the Security page.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Security' }).click();
  await page.getByRole('heading', { level: 1, name: 'Security' }).waitFor();
  await accessible(page, 'the security page');
  await shoot(page, 'security');
  await page.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
  const secret = (await page.locator('.totp-secret').textContent()).trim();
  await page.getByRole('img', { name: /QR code/ }).waitFor();
  check(/^[A-Z2-7]{32}$/.test(secret), 'the page shows the key to type', secret);
  await shoot(page, 'security-enrol');
  await accessible(page, 'the 2FA enrolment');
  await page.getByLabel('Code from the app').fill(totp(secret, currentStep()));
  await page.getByLabel('Code from the app').press('Enter');
  await page.getByRole('heading', { name: 'Recovery codes' }).waitFor();
  const recovery = await page.locator('.recovery-codes li').count();
  check(recovery === 10, 'two-factor is on, with 10 recovery codes shown once', String(recovery));
  await shoot(page, 'security-recovery-codes');

  // --- Sign out, sign in again with password and code (keyboard only).
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
  check(!(await context.cookies(base)).some((c) => c.name === '__Host-lethe_session'), 'sign-out removes the cookie');
  const old = await fetch(base + '/v1/me', { headers: { Cookie: `__Host-lethe_session=${session.value}` } });
  check(old.status === 401, 'and ends the session on the server', String(old.status));
  await page.getByLabel('Email address').focus();
  await page.keyboard.type(email);
  await page.keyboard.press('Tab');
  await page.keyboard.type(password);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1, name: 'Two-step verification' }).waitFor();
  check(!(await context.cookies(base)).some((c) => c.name === '__Host-lethe_session'), 'no cookie before the second factor');
  check(await page.getByLabel('Authentication code').evaluate((el) => el === document.activeElement),
        'focus is on the code field');
  await shoot(page, 'sign-in-code');
  await accessible(page, 'the two-step page');
  // The confirming code's step is used up: the next step's code is within
  // the server's window of one step.
  await page.keyboard.type(totp(secret, currentStep() + 1));
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1, name: 'Accounts' }).waitFor();
  check((await context.cookies(base)).some((c) => c.name === '__Host-lethe_session'), 'signed in with the code: the cookie is back');
  await shoot(page, 'accounts-empty');
  await accessible(page, 'the accounts page');

  // --- An account, with its region.
  await page.getByLabel('Account name').fill('Web app');
  await page.getByLabel('Region').selectOption('eu');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { name: 'API token of Web app' }).waitFor();
  const apiToken = (await page.locator('.secret-value').textContent()).trim();
  check(apiToken.length >= 32, 'the API token is shown once', `${apiToken.length} characters`);
  const row = page.getByRole('row', { name: /Web app/ });
  await row.waitFor();
  check(/European Union \(eu\)/.test(await row.textContent()), 'the account is listed with its region', await row.textContent());
  await shoot(page, 'accounts');
  await accessible(page, 'the accounts page with an account');

  // --- Its page: an API key, an upload token, an allowed origin.
  await row.getByRole('link', { name: 'Web app' }).click();
  await page.getByRole('heading', { level: 1, name: 'Web app' }).waitFor();
  const accountUrl = page.url();
  check(/\/accounts\/acc_/.test(accountUrl), 'the account page has its own path', accountUrl);
  check(/European Union \(eu\), fixed/.test(await page.locator('dl.facts').textContent()), 'its region is shown as fixed');
  await accessible(page, 'the account page');
  await page.getByRole('button', { name: 'Create API key' }).click();
  const keyHeading = page.getByRole('heading', { name: /^Secret of key key_/ });
  await keyHeading.waitFor();
  const keyId = (await keyHeading.textContent()).replace('Secret of key ', '').trim();
  // The list reloads after the secret is shown: wait for the key's row.
  await page.getByRole('table', { name: 'API keys' }).getByRole('row', { name: new RegExp(keyId) }).waitFor();
  const keyRows = page.getByRole('table', { name: 'API keys' }).getByRole('row');
  check(await keyRows.count() === 2, 'the key is listed', keyId);

  await page.getByLabel('End user').fill('eu_portal');
  await page.getByLabel('Uses').fill('3');
  await page.getByRole('button', { name: 'Issue upload token' }).click();
  await page.getByRole('heading', { name: 'Upload token for eu_portal' }).waitFor();
  const uploadToken = (await page.locator('.secret-value').last().textContent()).trim();
  check(uploadToken.startsWith('lut_'), 'the upload token is shown once', uploadToken.slice(0, 8));
  await page.getByRole('table', { name: 'Live upload tokens' }).getByRole('row', { name: /eu_portal/ }).waitFor();
  const tokenRows = page.getByRole('table', { name: 'Live upload tokens' }).getByRole('row');
  check(await tokenRows.count() === 2, 'the token is listed', String(await tokenRows.count()));

  await page.getByLabel('Origin', { exact: true }).fill('https://app.example');
  await page.getByRole('button', { name: 'Add origin' }).click();
  await page.getByRole('button', { name: 'Remove https://app.example' }).waitFor();
  await shoot(page, 'account');
  await accessible(page, 'the account page with a key, a token and an origin');

  await page.getByRole('button', { name: /^Revoke upload token upt_/ }).click();
  await page.getByText('No live upload tokens.').waitFor();
  const accountId = accountUrl.split('/').pop();
  const state = await page.evaluate(async (id) => {
    const get = async (p) => (await fetch(p)).json();
    return { keys: (await get(`/v1/accounts/${id}/keys`)).keys.length,
             tokens: (await get(`/v1/accounts/${id}/upload-tokens`)).upload_tokens.length,
             origins: (await get(`/v1/accounts/${id}`)).allowed_origins };
  }, accountId);
  check(state.keys === 1 && state.tokens === 0 && state.origins.join() === 'https://app.example',
        'the server holds what the page did', JSON.stringify(state));

  // --- Forged requests.
  const own = await page.evaluate(async () => {
    const r = await fetch('/v1/accounts', { method: 'POST', headers: { 'Content-Type': 'application/json' },
                                            body: JSON.stringify({ name: 'no token', region: 'us' }) });
    return { status: r.status, type: r.headers.get('content-type'), body: await r.json() };
  });
  check(own.status === 403 && own.body.type === 'https://lethe.dev/problems/csrf-refused' &&
        own.type === 'application/problem+json', 'a POST with the cookie but no CSRF token is refused',
        JSON.stringify(own));

  const sameSite = await startPageServer('127.0.0.1', forgeryPage(base));
  const evil = await context.newPage();
  await evil.goto(sameSite + '/');
  const [formAnswer] = await Promise.all([
    evil.waitForResponse((r) => r.url() === base + '/v1/accounts'),
    evil.click('#go'),
  ]);
  const formBody = await formAnswer.text();
  check(formAnswer.status() === 403 && formBody.includes('https://lethe.dev/problems/csrf-refused'),
        'a form from another origin of the same site (the cookie goes along) is refused: 403 csrf-refused',
        `${formAnswer.status()} ${formBody}`);
  await evil.goto(sameSite + '/');
  const [fetchAnswer] = await Promise.all([
    evil.waitForResponse((r) => r.url() === base + '/v1/accounts'),
    evil.evaluate((u) => forgeFetch(u), base + '/v1/accounts'),
  ]);
  check(fetchAnswer.status() === 403, 'so is a fetch() from there with credentials', String(fetchAnswer.status()));

  const otherSite = await startPageServer('localhost', forgeryPage(base));
  await evil.goto(otherSite + '/');
  const [crossSite] = await Promise.all([
    evil.waitForResponse((r) => r.url() === base + '/v1/accounts'),
    evil.click('#go'),
  ]);
  check(crossSite.status() === 401, 'from another site the cookie is not sent at all (SameSite=Strict): 401',
        String(crossSite.status()));
  await evil.close();

  const accounts = await page.evaluate(async () => (await (await fetch('/v1/accounts')).json()).accounts.map((a) => a.name));
  check(accounts.join() === 'Web app', 'no forged request created an account', accounts.join());

  // A reload keeps the session (the page asks the server for its CSRF token).
  await page.goto(accountUrl);
  await page.getByRole('heading', { level: 1, name: 'Web app' }).waitFor();
  await page.getByLabel('Origin', { exact: true }).fill('https://second.example');
  await page.getByRole('button', { name: 'Add origin' }).click();
  await page.getByRole('button', { name: 'Remove https://second.example' }).waitFor();
  check(true, 'after a reload the page still makes CSRF-checked changes');
  await shoot(page, 'account-after-reload');  // no secret on it: the README's picture
  await page.goto(base + '/no-such-page');
  check((await page.evaluate(() => document.body.innerText)).includes('not-found'),
        'a path that is no page is the API\'s 404 problem');

  check(violations.length === 0, 'the pages ran under the CSP without a violation', violations.join(' | '));
  console.log(`[figures] pages screenshotted: ${pages.count}`);
}

await run.finish(main);
