// Lethe's faces, one flow in a real browser (issue 15): Debian's chromium,
// driven by playwright-core, with fake media devices and a virtual
// authenticator (the DevTools protocol's WebAuthn domain).
// 1. A customer signs up in the portal, turns on two-factor authentication
//    and registers a passkey; signs out and back in with the passkey alone.
// 2. Creates an account and an upload token; lists the app's origin and
//    sets the notice the recorder shows.
// 3. On the app's page (another site) <lethe-recorder>, loaded from Lethe,
//    asks for consent, records a clip from the fake camera and uploads it
//    over tus with the upload token.
// 4. The app's backend (this script) gets a signed link, <lethe-player>
//    plays it, and the video's currentTime advances.
// 5. The customer erases the end user from the portal and sees the signed
//    receipt reach "done"; `lethe receipt verify` checks its signature
//    against the deployment's published key.
// 6. The player, given its link again, fails with a clear message.
// Screenshots of the pages go to <screenshots dir> (argv[3]).
//
// usage: node one_flow.mjs <path to lethe> <screenshots dir>
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { api, TestRun } from '../lethe_process.mjs';
import { currentStep, PageCheck, passkeyBrowser, startPageServer, totp } from './kit.mjs';

const [lethe, shots] = process.argv.slice(2);
if (!lethe || !shots) {
  console.error('usage: node one_flow.mjs <path to lethe> <screenshots dir>');
  process.exit(2);
}
const run = new TestRun(lethe, 'lethe-flow-');
const check = (...args) => run.check(...args);
const pages = new PageCheck(run, shots);
rmSync(path.join(shots, 'failure.png'), { force: true });

const END_USER = 'eu_flow_1';

// The app's page: Lethe's embeds, loaded from Lethe by another site.
const appPage = (base) => `<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Example app</title>
<script type="module" src="${base}/embed/lethe-embeds.js"></script></head>
<body><main><h1>Example app</h1><div id="slot"></div></main></body></html>`;

async function main() {
  // The portal is opened as http://localhost:<port>: WebAuthn takes no IP
  // address as its RP ID. The app is on http://127.0.0.1:<port2>, another
  // site. localhost is 127.0.0.1 here, where both listen (not ::1).
  const loopback = await run.startLethe();
  // The virtual authenticator: a platform authenticator with user
  // verification, holding discoverable credentials.
  const { base, context, page, cdp, authenticatorId, errors } = await passkeyBrowser(
    run, loopback, path.join(shots, 'failure.png'),
    ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream']);

  // --- 1. Sign up, two-factor, a passkey.
  await page.goto(base + '/signup');
  await page.getByRole('heading', { level: 1, name: 'Create a customer account' }).waitFor();
  const email = `flow${Date.now()}@example.com`;
  await page.getByLabel('Full name').fill('Flow Tester');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill('correct horse battery staple');
  await page.getByLabel('Country').selectOption('GB');
  await page.getByLabel('Birth date').fill('1988-04-02');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { level: 1, name: 'Accounts' }).waitFor();
  check(true, 'signed up');

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Security' }).click();
  await page.getByRole('heading', { level: 1, name: 'Security' }).waitFor();
  await page.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
  const secret = (await page.locator('.totp-secret').textContent()).trim();
  await page.getByLabel('Code from the app').fill(totp(secret, currentStep()));
  await page.getByLabel('Code from the app').press('Enter');
  await page.getByRole('heading', { name: 'Recovery codes' }).waitFor();
  check(true, 'two-factor authentication is on');

  await page.getByLabel('Passkey name').fill('Test laptop');
  await page.getByRole('button', { name: 'Add a passkey' }).click();
  await page.getByRole('row', { name: /Test laptop/ }).waitFor();
  const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  check(credentials.length === 1 && credentials[0].isResidentCredential,
        'the authenticator holds one discoverable credential', String(credentials.length));
  await pages.shoot(page, 'flow-security-passkey');
  await pages.accessible(page, 'the security page with a passkey');

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await page.getByRole('heading', { level: 1, name: 'Accounts' }).waitFor();
  const after = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  check(after.credentials[0].signCount > credentials[0].signCount,
        'signed in with the passkey alone (no password, no code): the authenticator signed',
        `${credentials[0].signCount} -> ${after.credentials[0].signCount}`);

  // --- 2. An account, its upload token, the app's origin.
  await page.getByLabel('Account name').fill('Flow app');
  await page.getByLabel('Region').selectOption('eu');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { name: 'API token of Flow app' }).waitFor();
  const apiToken = (await page.locator('.secret-value').textContent()).trim();
  await page.getByRole('row', { name: /Flow app/ }).getByRole('link', { name: 'Flow app' }).click();
  await page.getByRole('heading', { level: 1, name: 'Flow app' }).waitFor();
  const accountUrl = page.url();

  const app = await startPageServer(run, '127.0.0.1', appPage(base));
  await page.getByLabel('Origin', { exact: true }).fill(app);
  await page.getByRole('button', { name: 'Add origin' }).click();
  await page.getByRole('button', { name: `Remove ${app}` }).waitFor();
  await page.getByLabel('End user').fill(END_USER);
  await page.getByLabel('Uses').fill('2');
  await page.getByRole('button', { name: 'Issue upload token' }).click();
  await page.getByRole('heading', { name: `Upload token for ${END_USER}` }).waitFor();
  const uploadToken = (await page.locator('.secret-value').last().textContent()).trim();
  check(uploadToken.startsWith('lut_'), 'the portal issued an upload token', uploadToken.slice(0, 4));
  // The notice the recorder shows, and the purpose it asks consent for,
  // set in the account's privacy section.
  await page.getByRole('link', { name: 'Privacy', exact: true }).click();
  await page.getByLabel('Notice shown before recording')
    .fill('Flow app records a short clip to attach to your message.');
  await page.getByLabel(/^transcription:/).check();
  await page.getByRole('button', { name: 'Save notice' }).click();
  await page.getByText('Saved: the recorder shows this notice first.').waitFor();
  await pages.shoot(page, 'flow-privacy-notice');
  await pages.accessible(page, 'the privacy section with a recording notice');

  // --- 3. Record on the app's page.
  const appTab = await context.newPage();
  appTab.on('pageerror', (e) => check(false, 'no error in the app page', e.message));
  await appTab.goto(app + '/');
  await appTab.waitForFunction(() => customElements.get('lethe-recorder') && customElements.get('lethe-player'));
  const uploaded = appTab.evaluate(({ base, token }) => new Promise((resolve, reject) => {
    const rec = document.createElement('lethe-recorder');
    rec.setAttribute('endpoint', base);
    rec.setAttribute('upload-token', token);
    rec.setAttribute('kind', 'video');
    rec.addEventListener('lethe-uploaded', (e) => resolve(e.detail.mediaId));
    rec.addEventListener('lethe-error', (e) => reject(new Error(JSON.stringify(e.detail))));
    document.getElementById('slot').append(rec);
  }), { base, token: uploadToken });
  const recorder = appTab.locator('lethe-recorder');
  await recorder.getByRole('button', { name: 'I agree' }).waitFor();
  check(await recorder.getByText('Flow app records a short clip').count() === 1,
        'the recorder shows the account\'s notice first');
  check(await recorder.getByRole('button', { name: 'Record' }).count() === 0,
        'and offers no Record button before consent');
  await pages.shoot(appTab, 'flow-recorder-notice');
  await pages.accessible(appTab, 'the recorder with its notice');
  await recorder.getByRole('button', { name: 'I agree' }).click();
  await recorder.getByRole('button', { name: 'Record' }).click();
  await appTab.waitForTimeout(2500);
  await recorder.getByRole('button', { name: 'Stop' }).click();
  const mediaId = await uploaded;
  check(/^med_/.test(mediaId), 'the recorder uploaded the clip over tus', mediaId);
  const consents = await api(loopback, 'GET', `/v1/consents?end_user=${END_USER}`, { token: apiToken });
  const given = consents.json?.purposes?.find((p) => p.purpose === 'transcription');
  check(given?.source === 'recorder' && given?.allowed === true && given?.policy_version === 1,
        'the recorder recorded the end user\'s consent, with the policy version', JSON.stringify(given));
  const media = await api(loopback, 'GET', `/v1/media/${mediaId}`, { token: apiToken });
  check(media.status === 200 && media.json.end_user === END_USER,
        'the media belongs to the token\'s end user', JSON.stringify(media.json));

  // --- 4. Play it.
  const link = await api(loopback, 'POST', `/v1/media/${mediaId}/links`, { token: apiToken, body: { expires_in: 300 } });
  check(link.status === 201, 'the backend gets a signed link', link.text);
  const signedUrl = base + link.json.url;
  const showPlayer = async () => {
    await appTab.evaluate((src) => {
      document.querySelector('lethe-player')?.remove();
      const player = document.createElement('lethe-player');
      player.setAttribute('src', src);
      document.getElementById('slot').append(player);
    }, signedUrl);
  };
  await showPlayer();
  const video = appTab.locator('lethe-player video');
  await video.waitFor();
  await video.evaluate((v) => { v.muted = true; return v.play(); });
  await appTab.waitForFunction(() => {
    const v = document.querySelector('lethe-player').shadowRoot.querySelector('video');
    return v && v.currentTime > 0.5;
  }, null, { timeout: 15000 });
  check(true, 'the player plays: currentTime passed 0.5 s');
  await pages.shoot(appTab, 'flow-player');

  // --- 5. Erase the end user from the portal.
  await page.goto(accountUrl);
  await page.getByRole('link', { name: 'Privacy', exact: true }).click();
  await page.getByRole('textbox', { name: 'End user' }).fill(END_USER);
  await page.getByRole('button', { name: 'Erase end user' }).click();
  await page.getByRole('button', { name: 'Confirm erasure' }).click();
  const receiptRegion = page.getByRole('region', { name: 'Erasure receipt' });
  await receiptRegion.waitFor();
  await receiptRegion.getByText(/\bdone\b/).waitFor({ timeout: 30000 });
  await pages.shoot(page, 'flow-erasure-receipt');
  await pages.accessible(page, 'the erasure receipt');

  const erasures = await api(loopback, 'GET', `/v1/erasures?end_user=${END_USER}`, { token: apiToken });
  const erasureId = erasures.json?.erasures?.[0]?.id;
  const receipt = await api(loopback, 'GET', `/v1/erasures/${erasureId}`, { token: apiToken });
  check(receipt.status === 200 && receipt.json.state === 'done', 'the receipt says done', receipt.text);
  check(!receipt.text.includes(END_USER), 'the receipt does not name the end user');
  const key = await api(loopback, 'GET', '/.well-known/lethe/signing-key');
  const file = path.join(run.root, 'receipt.json');
  writeFileSync(file, receipt.text);
  const verified = spawnSync(lethe, ['receipt', 'verify', file, '--key', key.json.public_key], { encoding: 'utf8' });
  check(verified.status === 0, 'lethe receipt verify accepts it', verified.stdout + verified.stderr);
  writeFileSync(file, receipt.text.replace('"done"', '"pending"'));
  const forged = spawnSync(lethe, ['receipt', 'verify', file, '--key', key.json.public_key], { encoding: 'utf8' });
  check(forged.status !== 0, 'and refuses an edited copy', forged.stdout + forged.stderr);

  // --- 6. The player fails clearly.
  await showPlayer();
  const alert = appTab.locator('lethe-player').getByRole('alert');
  await alert.waitFor();
  const message = (await alert.textContent()).trim();
  check(/erased/i.test(message), 'the player says the recording was erased', message);
  await pages.shoot(appTab, 'flow-player-erased');
  check(errors.length === 0, 'no error or CSP refusal in the portal page', errors.join(' | '));
}

await run.finish(main);
