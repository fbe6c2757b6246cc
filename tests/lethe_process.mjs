// `lethe serve` for the Node tests (tests/browser, tests/openapi): started
// on a free loopback port with its own data directory.
//
// startLethe(lethe, dataDir, extraArgs) returns { server, ready } at once: `server` is
// the child process (the caller stops it), `ready` resolves with the base
// URL ("http://127.0.0.1:<port>") once the server prints its address, and
// rejects with the server's stderr if it exits first or has not started
// within 30 s.
//
// api(base, method, route, { token, body }) makes one JSON call with an
// optional bearer token; it resolves with { status, json (null when the
// body is not JSON), text }.
//
// TestRun is one test script's run: a scratch directory (`root`),
// check(ok, what, detail) prints a line and counts failures, cleanup(fn)
// registers an undo, startLethe(extraArgs) starts `lethe serve` in the run's
// directory (stopped at the end) and resolves with its base URL, and
// finish(main) runs main, undoes everything in reverse, prints PASS or the
// count of failed checks and exits 0 only when every check held.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function startLethe(lethe, dataDir, extraArgs = []) {
  const server = spawn(lethe, ['serve', '--listen', '127.0.0.1:0', '--data', dataDir, ...extraArgs],
                       { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  server.stderr.on('data', (d) => { log += d; });
  const ready = new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('lethe did not start:\n' + log)), 30000);
    server.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (127\.0\.0\.1:\d+)/);
      if (m) {
        clearTimeout(timer);
        resolve('http://' + m[1]);
      }
    });
    server.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`lethe exited (${code}):\n${log}`));
    });
  });
  return { server, ready };
}

export async function api(base, method, route, { token, body } = {}) {
  const headers = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(base + route, { method, headers, body: body && JSON.stringify(body) });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, json, text };
}

export class TestRun {
  constructor(lethe, prefix) {
    this.lethe = lethe;
    this.root = mkdtempSync(path.join(os.tmpdir(), prefix));
    this.cleanups = [];
    this.failures = 0;
  }

  check(ok, what, detail = '') {
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}${detail ? ': ' + detail : ''}`);
    if (!ok) this.failures++;
  }

  cleanup(fn) { this.cleanups.push(fn); }

  startLethe(extraArgs = []) {
    const { server, ready } = startLethe(this.lethe, path.join(this.root, 'data'), extraArgs);
    this.server = server;
    this.cleanup(() => server.kill('SIGTERM'));
    return ready;
  }

  async finish(main) {
    try {
      await main();
    } catch (e) {
      this.check(false, 'the test ran', e.stack || String(e));
    } finally {
      for (const fn of this.cleanups.reverse()) {
        try { await fn(); } catch { /* already gone */ }
      }
      rmSync(this.root, { recursive: true, force: true });
    }
    console.log(this.failures === 0 ? 'PASS' : `${this.failures} check(s) failed`);
    process.exit(this.failures === 0 ? 0 : 1);
  }
}
