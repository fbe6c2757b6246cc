// Staff passkeys in the staff console (issue 15; ACC-4): Debian's chromium,
// driven by playwright-core, with a virtual authenticator of the DevTools
// protocol (as passkeys.mjs):
// - a staff member (`lethe staff add`) signs in at /staff with ID,
//   password and TOTP code, opens "Passkeys" and adds one ("Passkey name",
//   "Add a passkey"); it is listed, and the authenticator holds it;
// - after signing out, "Sign in with a passkey" signs in with no password
//   and no code: the __Host-lethe_staff cookie is set, and the session
//   works (GET /v1/staff/grants; the passkey shows a last use);
// - the console's passkey routes want the staff cookie's CSRF token
//   (403 csrf-refused without it), and its passkey sign-in a page of this
//   origin (403 csrf-refused from elsewhere);
// - "Remove" removes the passkey; the credential then no longer signs in;
// - axe-core finds no serious or critical violation on the Passkeys
//   section and the sign-in page; screenshots go to argv[3].
// The page is opened as http://localhost:<port>: WebAuthn takes no IP
// address as an RP ID.
//
// usage: node staff_passkeys.mjs <path to lethe> <screenshots dir>
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { TestRun } from '../lethe_process.mjs';
import { currentStep, PageCheck, passkeyBrowser, totp } from './kit.mjs';

const [lethe, shots] = process.argv.slice(2);
if (!lethe || !shots) {
  console.error('usage: node staff_passkeys.mjs <path to lethe> <screenshots dir>');
  process.exit(2);
}
mkdirSync(shots, { recursive: true });
rmSync(path.join(shots, 'staff-passkeys-failure.png'), { force: true });
const run = new TestRun(lethe, 'lethe-staff-passkeys-');
const check = (...args) => run.check(...args);
const pages = new PageCheck(run, shots, 'staff-passkeys-');
const P = 'https://lethe.dev/problems/';

async function main() {
  // A data directory with one staff member.
  await run.startLethe();
  run.server.kill('SIGTERM');
  await new Promise((r) => run.server.once('exit', r));
  const out = execFileSync(lethe, ['staff', 'add', '--role', 'support', '--name', 'Kim Support',
                                   '--data', path.join(run.root, 'data')], { encoding: 'utf8' });
  const field = (name) => new RegExp(`^${name}: (.+)$`, 'm').exec(out)?.[1]?.trim() ?? '';
  const member = { id: field('staff_id'), password: field('password'), secret: field('totp_secret') };
  check(member.id.startsWith('stf_'), 'lethe staff add made a support member', member.id);
  const loopback = await run.startLethe();
  const { base, context, page, cdp, authenticatorId, errors } =
    await passkeyBrowser(run, loopback, path.join(shots, 'staff-passkeys-failure.png'));

  // --- Password and code.
  await page.goto(base + '/staff');
  await page.getByRole('heading', { level: 1, name: 'Staff sign-in' }).waitFor();
  await page.getByLabel('Staff ID').fill(member.id);
  await page.getByLabel('Password').fill(member.password);
  await page.getByLabel('Authentication code').fill(totp(member.secret, currentStep()));
  await page.getByLabel('Authentication code').press('Enter');
  await page.getByRole('heading', { level: 1, name: 'Staff console' }).waitFor();
  check(true, 'signed in with password and code');

  // --- The staff routes want the cookie's CSRF token.
  const noCsrf = await page.evaluate(async () => {
    const r = await fetch('/v1/staff/me/passkeys/options', { method: 'POST' });
    return { status: r.status, type: (await r.json().catch(() => ({}))).type };
  });
  check(noCsrf.status === 403 && noCsrf.type === P + 'csrf-refused',
        'POST /v1/staff/me/passkeys/options without X-CSRF-Token: 403 csrf-refused', JSON.stringify(noCsrf));

  // --- Add a passkey.
  await page.getByRole('navigation', { name: 'Staff' }).getByRole('link', { name: 'Passkeys' }).click();
  await page.getByRole('heading', { level: 1, name: 'Your passkeys' }).waitFor();
  await page.getByText('No passkeys.').waitFor();
  await page.getByLabel('Passkey name').fill('Office key');
  await page.getByRole('button', { name: 'Add a passkey' }).click();
  const row = page.getByRole('table', { name: 'Your passkeys' }).getByRole('row', { name: /Office key/ });
  await row.waitFor();
  check(/Never/.test(await row.textContent()), 'the passkey is listed, never used yet', await row.textContent());
  const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  check(credentials.length === 1 && credentials[0].isResidentCredential && credentials[0].rpId === 'localhost',
        'the authenticator holds one discoverable credential for localhost', JSON.stringify(credentials.map((c) => c.rpId)));
  const listed = await page.evaluate(async () => (await (await fetch('/v1/staff/me/passkeys')).json()).passkeys);
  check(listed.length === 1 && listed[0].name === 'Office key', 'the server holds it as the staff member\'s',
        JSON.stringify(listed));
  const customers = await page.evaluate(async () => (await fetch('/v1/me/passkeys')).status);
  check(customers === 401, 'the staff cookie opens no customer passkey route', String(customers));
  await pages.shoot(page, 'section');
  await pages.accessible(page, 'the staff Passkeys section');

  // --- Sign out; sign in with the passkey alone.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { level: 1, name: 'Staff sign-in' }).waitFor();
  check(!(await context.cookies(base)).some((c) => c.name === '__Host-lethe_staff'), 'signed out: no staff cookie');
  await pages.shoot(page, 'sign-in');
  await pages.accessible(page, 'the staff sign-in with its passkey button');
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await page.getByRole('heading', { level: 1, name: 'Staff console' }).waitFor();
  const cookie = (await context.cookies(base)).find((c) => c.name === '__Host-lethe_staff');
  check(Boolean(cookie?.value.startsWith('sts_')) && cookie.httpOnly && cookie.sameSite === 'Strict',
        'the passkey set the staff cookie (HttpOnly, SameSite=Strict)');
  const grants = await page.evaluate(async () => (await fetch('/v1/staff/grants')).status);
  check(grants === 200, 'the session works: GET /v1/staff/grants', String(grants));
  await page.getByRole('navigation', { name: 'Staff' }).getByRole('link', { name: 'Passkeys' }).click();
  await row.waitFor();
  check(!/Never/.test(await row.textContent()), 'the passkey shows when it was last used', await row.textContent());

  // --- The console's passkey sign-in wants a page of this origin.
  const foreign = await fetch(loopback + '/v1/staff/portal/passkey-sessions/options', {
    method: 'POST', headers: { Origin: 'https://evil.example' } });
  check(foreign.status === 403 && (await foreign.json()).type === P + 'csrf-refused',
        'options from another origin: 403 csrf-refused', String(foreign.status));

  // --- Remove it: the credential no longer signs in.
  await page.getByRole('button', { name: 'Remove' }).click();
  await page.getByText('No passkeys.').waitFor();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { level: 1, name: 'Staff sign-in' }).waitFor();
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await page.getByRole('alert').filter({ hasText: /./ }).first().waitFor();
  check(await page.getByRole('heading', { level: 1, name: 'Staff sign-in' }).count() === 1,
        'a removed passkey does not sign in', await page.getByRole('alert').first().textContent());
  check(!(await context.cookies(base)).some((c) => c.name === '__Host-lethe_staff'), 'and sets no cookie');

  check(errors.length === 0, 'no page error or CSP violation', errors.join(' | '));
}

await run.finish(main);
