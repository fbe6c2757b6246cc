// Passkeys in a real browser (issue 15): Debian's chromium, driven by
// playwright-core, with a virtual authenticator of the DevTools protocol
// (WebAuthn.addVirtualAuthenticator: CTAP2, internal, resident keys, user
// verification) in place of a fingerprint reader:
// - a customer signs up and turns on two-factor authentication, then adds
//   a passkey on the Security page ("Passkey name", "Add a passkey"); it is
//   listed with its name, created and last-used times;
// - after signing out, "Sign in with a passkey" signs in with no password
//   and no TOTP code, and the session works;
// - answers the server must refuse are refused: a replayed assertion
//   (passkey-challenge-used), one with a flipped signature bit or with
//   tampered client data (passkey-invalid);
// - the Bearer API's POST /v1/sessions/passkey hands out a session token;
// - "Remove" removes the passkey, after which the authenticator's
//   credential no longer signs in (passkey-unknown);
// - axe-core finds no serious or critical violation on the Security page
//   with a passkey listed, of which a screenshot is written to argv[3].
// The page is opened as http://localhost:<port>: WebAuthn takes no IP
// address as an RP ID, and localhost is a secure context.
//
// usage: node passkeys.mjs <path to lethe> <screenshots dir>
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { TestRun } from '../lethe_process.mjs';
import { currentStep, PageCheck, passkeyBrowser, totp } from './kit.mjs';

const [lethe, shots] = process.argv.slice(2);
if (!lethe || !shots) {
  console.error('usage: node passkeys.mjs <path to lethe> <screenshots dir>');
  process.exit(2);
}
mkdirSync(shots, { recursive: true });
rmSync(path.join(shots, 'passkeys-failure.png'), { force: true });
const run = new TestRun(lethe, 'lethe-passkeys-');
const check = (...args) => run.check(...args);
const pages = new PageCheck(run, shots, 'passkeys-');
const accessible = (page, name) => pages.accessible(page, name);
// In the page: asks for sign-in options at `optionsPath`, has the
// authenticator sign them, lets `spoil` change the answer's fields
// (base64url strings), posts it to `path` (twice when `replay`), and
// returns the statuses and problem types.
async function assertFromPage(page, { optionsPath, path: target, spoil = 'none', replay = false }) {
  return page.evaluate(async ({ optionsPath, target, spoil, replay }) => {
    const b64u = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf)))
      .replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    const unb64u = (s) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((s.length + 3) % 4)),
                                          (c) => c.charCodeAt(0)).buffer;
    const post = async (p, body) => {
      const r = await fetch(p, { method: 'POST', headers: { 'Content-Type': 'application/json' },
                                 body: body && JSON.stringify(body) });
      return { status: r.status, json: await r.json().catch(() => null) };
    };
    const o = (await post(optionsPath)).json;
    const cred = await navigator.credentials.get({ publicKey: {
      challenge: unb64u(o.challenge), rpId: o.rpId, userVerification: o.userVerification, allowCredentials: [] } });
    const body = {
      id: b64u(cred.rawId),
      clientDataJSON: b64u(cred.response.clientDataJSON),
      authenticatorData: b64u(cred.response.authenticatorData),
      signature: b64u(cred.response.signature),
      userHandle: cred.response.userHandle ? b64u(cred.response.userHandle) : undefined,
    };
    if (spoil === 'signature') {
      const sig = new Uint8Array(cred.response.signature);
      sig[sig.length - 5] ^= 1;
      body.signature = b64u(sig);
    } else if (spoil === 'clientData') {
      const text = new TextDecoder().decode(cred.response.clientDataJSON).replace('}', ' }');
      body.clientDataJSON = b64u(new TextEncoder().encode(text));
    }
    const answers = [await post(target, body)];
    if (replay) answers.push(await post(target, body));
    return answers.map((a) => ({ status: a.status, type: a.json?.type ?? null, token: a.json?.token ?? null }));
  }, { optionsPath, target, spoil, replay });
}

async function main() {
  const loopback = await run.startLethe();
  // The authenticator: a platform one that keeps discoverable credentials
  // and verifies its user.
  const { base, context, page, cdp, authenticatorId, errors } =
    await passkeyBrowser(run, loopback, path.join(shots, 'passkeys-failure.png'));

  // --- Sign up, turn on two-factor authentication.
  await page.goto(base + '/signup');
  await page.getByRole('heading', { level: 1, name: 'Create a customer account' }).waitFor();
  const email = `passkey${Date.now()}@example.com`;
  const password = 'correct horse battery staple';
  await page.getByLabel('Full name').fill('Pat Passkey');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByLabel('Country').selectOption('GB');
  await page.getByLabel('Birth date').fill('1990-12-10');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { level: 1, name: 'Accounts' }).waitFor();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Security' }).click();
  await page.getByRole('heading', { level: 1, name: 'Security' }).waitFor();
  await page.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
  const secret = (await page.locator('.totp-secret').textContent()).trim();
  await page.getByLabel('Code from the app').fill(totp(secret, currentStep()));
  await page.getByLabel('Code from the app').press('Enter');
  await page.getByRole('heading', { name: 'Recovery codes' }).waitFor();
  check(true, 'signed up, two-factor authentication on');

  // --- Add a passkey.
  await page.getByText('No passkeys.').waitFor();
  await page.getByLabel('Passkey name').fill('Test laptop');
  await page.getByRole('button', { name: 'Add a passkey' }).click();
  const table = page.getByRole('table', { name: 'Your passkeys' });
  const row = table.getByRole('row', { name: /Test laptop/ });
  await row.waitFor();
  check(/Never/.test(await row.textContent()), 'the passkey is listed, never used yet', await row.textContent());
  const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  check(credentials.length === 1 && credentials[0].isResidentCredential,
        'the authenticator holds one discoverable credential', JSON.stringify(credentials.map((c) => c.rpId)));
  check(credentials[0]?.rpId === 'localhost', 'made for RP ID localhost', credentials[0]?.rpId);
  const listed = await page.evaluate(async () => (await (await fetch('/v1/me/passkeys')).json()).passkeys);
  check(listed.length === 1 && listed[0].name === 'Test laptop' && listed[0].algorithm === -7,
        'the server holds it (ES256)', JSON.stringify(listed));
  await pages.shoot(page, 'security');
  await accessible(page, 'the Security page with a passkey');

  // --- Sign out; sign in with the passkey: no password, no code.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
  await accessible(page, 'the sign-in page');
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await page.getByRole('heading', { level: 1, name: 'Accounts' }).waitFor();
  check(!(await page.getByRole('heading', { name: 'Two-step verification' }).count()), 'no second step was asked');
  const cookie = (await context.cookies(base)).find((c) => c.name === '__Host-lethe_session');
  check(Boolean(cookie?.value.startsWith('ses_')) && cookie.httpOnly, 'the session cookie is set, HttpOnly');
  const me = await page.evaluate(async () => {
    const r = await fetch('/v1/me');
    return { status: r.status, email: (await r.json()).email };
  });
  check(me.status === 200 && me.email === email, 'the session works: GET /v1/me', JSON.stringify(me));
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Security' }).click();
  await row.waitFor();
  check(!/Never/.test(await row.textContent()), 'the passkey shows when it was last used', await row.textContent());

  // --- Answers to refuse.
  const portal = { optionsPath: '/v1/portal/passkey-sessions/options', path: '/v1/portal/passkey-sessions' };
  const P = 'https://lethe.dev/problems/';
  const replayed = await assertFromPage(page, { ...portal, replay: true });
  check(replayed[0].status === 201, 'a fresh assertion signs in', JSON.stringify(replayed[0]));
  check(replayed[1].status === 422 && replayed[1].type === P + 'passkey-challenge-used',
        'the same assertion again is refused: passkey-challenge-used', JSON.stringify(replayed[1]));
  const badSig = await assertFromPage(page, { ...portal, spoil: 'signature' });
  check(badSig[0].status === 422 && badSig[0].type === P + 'passkey-invalid',
        'a flipped signature bit is refused: passkey-invalid', JSON.stringify(badSig[0]));
  const badData = await assertFromPage(page, { ...portal, spoil: 'clientData' });
  check(badData[0].status === 422 && badData[0].type === P + 'passkey-invalid',
        'tampered client data is refused: passkey-invalid', JSON.stringify(badData[0]));

  // --- The Bearer API's passkey sign-in.
  const api = await assertFromPage(page, { optionsPath: '/v1/sessions/passkey/options', path: '/v1/sessions/passkey' });
  check(api[0].status === 201 && api[0].token?.startsWith('ses_'), 'POST /v1/sessions/passkey gives a token',
        JSON.stringify({ status: api[0].status, type: api[0].type }));
  const bearer = await fetch(loopback + '/v1/me', { headers: { Authorization: `Bearer ${api[0].token}` } });
  check(bearer.status === 200, 'which opens the API', String(bearer.status));

  // --- Remove it: the authenticator's credential no longer signs in. The
  // portal sign-ins above replaced the cookie: a reload fetches the CSRF
  // token of the session now in it.
  await page.reload();
  await row.waitFor();
  await page.getByRole('button', { name: 'Remove' }).click();
  await page.getByText('No passkeys.').waitFor();
  const gone = await assertFromPage(page, portal);
  check(gone[0].status === 422 && gone[0].type === P + 'passkey-unknown',
        'a removed passkey does not sign in: passkey-unknown', JSON.stringify(gone[0]));

  check(errors.length === 0, 'no page error or CSP violation', errors.join(' | '));
}

await run.finish(main);
