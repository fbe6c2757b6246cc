// What the portal's browser tests share (issue 15): RFC 6238 codes, a page
// server on an origin of its own, screenshots, and the axe-core check.
//
// totp(secret, step) is the 6-digit TOTP (SHA-1, 30 s) of a base32 secret
// at time step `step`; currentStep() is now's step.
//
// startPageServer(run, host, html) serves `html` at every path of a new
// loopback port, closed at the run's end, and resolves with its origin
// ("http://<host>:<port>"): 127.0.0.1 is another origin of Lethe's site,
// localhost another site.
//
// passkeyBrowser(run, loopback, failureShot, args = []) launches Debian's
// chromium (LETHE_CHROMIUM) with `args` and a page at 1100x800 holding a
// virtual authenticator (CTAP2, platform, discoverable credentials, user
// verified). WebAuthn takes no IP address as its RP ID, so `base` is
// Lethe's `loopback` URL as http://localhost:<port>, resolved to 127.0.0.1
// where Lethe listens (not ::1). `errors` collects page errors and CSP
// refusals; on a failed run the page is shot to `failureShot`. Resolves
// with { base, browser, context, page, cdp, authenticatorId, errors }.
//
// new PageCheck(run, shotsDir, prefix = '') writes numbered full-page
// screenshots (shoot(page, name), named prefix + number + name) and runs axe-core in a page (accessible(page, name)):
// a serious or critical violation fails the run's check.
import { createHmac } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import http from 'node:http';
import path from 'node:path';
import { chromium } from 'playwright-core';

function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of text.replace(/=+$/, '').toUpperCase()) {
    const v = alphabet.indexOf(c);
    if (v < 0) throw new Error('not base32: ' + text);
    bits += v.toString(2).padStart(5, '0');
  }
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

export function totp(secret, step) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const value = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(value).padStart(6, '0');
}

export const currentStep = () => Math.floor(Date.now() / 1000 / 30);

export function startPageServer(run, host, html) {
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(html);
  });
  run.cleanup(() => server.close());
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve(`http://${host}:${server.address().port}`));
  });
}

const axeSource = readFileSync(
  path.join(path.dirname(createRequire(import.meta.url).resolve('axe-core/package.json')), 'axe.min.js'),
  'utf8');

export class PageCheck {
  constructor(run, shotsDir, prefix = '') {
    this.run = run;
    this.shots = shotsDir;
    this.prefix = prefix;
    this.count = 0;
    mkdirSync(shotsDir, { recursive: true });
  }

  // `target`: a page (shot whole) or a locator (shot as it is).
  async shoot(target, name) {
    const file = path.join(this.shots, `${this.prefix}${String(++this.count).padStart(2, '0')}-${name}.png`);
    const whole = typeof target.goto === 'function';
    await target.screenshot(whole ? { path: file, fullPage: true } : { path: file });
    console.log(`screenshot: ${file}`);
  }

  // axe-core is evaluated through the DevTools protocol, which the page's
  // CSP does not govern.
  async accessible(page, name) {
    const loaded = await page.evaluate(() => typeof window.axe !== 'undefined');
    if (!loaded) await page.evaluate(axeSource);
    const violations = await page.evaluate(async () => {
      const result = await window.axe.run(document, { resultTypes: ['violations'] });
      return result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length,
                                             targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
    });
    const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    for (const v of violations) console.log(`axe ${name}: ${v.impact} ${v.id} x${v.nodes} ${v.targets.join(', ')}`);
    this.run.check(bad.length === 0, `axe-core: no serious or critical violation on ${name}`, JSON.stringify(bad));
  }
}

export async function passkeyBrowser(run, loopback, failureShot, args = []) {
  const browser = await chromium.launch({
    executablePath: process.env.LETHE_CHROMIUM || '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--host-resolver-rules=MAP localhost 127.0.0.1', ...args],
  });
  run.cleanup(() => browser.close());
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (/Content Security Policy|Trusted Type|Refused to/i.test(m.text())) errors.push(m.text());
  });
  run.cleanup(async () => {
    if (run.failures > 0) await page.screenshot({ path: failureShot, fullPage: true });
  });
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true,
               isUserVerified: true, automaticPresenceSimulation: true },
  });
  const base = loopback.replace('127.0.0.1', 'localhost');
  return { base, browser, context, page, cdp, authenticatorId, errors };
}
