// The tus interruption test (issue 9): tus-js-client (from npm, in Node)
// uploads 200 MB to a real `lethe serve` with an upload token, the
// connection is cut halfway (the client aborts), the upload resumes from
// the offset the server acknowledged, and the media's bytes downloaded
// back have the same sha256. Prints the figures; exit 0 when every check
// holds.
//
// usage: node tus_resume.mjs <path to lethe> [megabytes]
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as tus from 'tus-js-client';
import { api, TestRun } from '../lethe_process.mjs';

const lethe = process.argv[2];
const megabytes = Number(process.argv[3] || 200);
if (!lethe) {
  console.error('usage: node tus_resume.mjs <path to lethe> [megabytes]');
  process.exit(2);
}
const run = new TestRun(lethe, 'lethe-tus-');
const { root } = run;
const check = (...args) => run.check(...args);

// The head of a real MP4 that ffmpeg writes (one 16x16 H.264 frame, moov
// first), cut where its 'mdat' box starts, that box then given size 0 ("to
// the end of the file"): whatever follows is its payload, so the whole
// file sniffs and demuxes as MP4, as the server's probe requires.
function mp4Head() {
  const f = path.join(root, 'head.mp4');
  const r = spawnSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=gray:size=16x16:rate=25',
                                 '-frames:v', '1', '-c:v', 'libx264', '-preset', 'ultrafast',
                                 '-map_metadata', '-1', '-fflags', '+bitexact', '-flags', '+bitexact',
                                 '-movflags', '+faststart', f]);
  if (r.status !== 0) throw new Error('ffmpeg failed: ' + r.stderr);
  const bytes = readFileSync(f);
  for (let at = 0; at + 8 <= bytes.length;) {
    const size = bytes.readUInt32BE(at);
    if (bytes.toString('latin1', at + 4, at + 8) === 'mdat') {
      return Buffer.concat([bytes.subarray(0, at), Buffer.from([0, 0, 0, 0]), Buffer.from('mdat')]);
    }
    if (size < 8) break;
    at += size;
  }
  throw new Error('no mdat box in ffmpeg\'s MP4');
}

// Deterministic bytes: the MP4 head, then xorshift32 output.
function makeFile(size) {
  const buf = Buffer.allocUnsafe(size);
  const head = mp4Head();
  head.copy(buf, 0);
  const from = Math.ceil(head.length / 4) * 4;
  const words = new Uint32Array(buf.buffer, buf.byteOffset + from, Math.floor((size - from) / 4));
  let x = 2463534242;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    words[i] = x;
  }
  return buf;
}

function tusOptions(token, extra) {
  return {
    headers: { Authorization: `Bearer ${token}` },
    metadata: { filetype: 'video/mp4', filename: 'big.mp4' },
    retryDelays: null,
    removeFingerprintOnSuccess: true,
    ...extra,
  };
}

async function main() {
  const base = await run.startLethe();
  const signup = await api(base, 'POST', '/v1/signup', { body: {
    name: 'Tus', email: `tus${Date.now()}@example.com`, password: 'correct horse battery staple',
    country: 'US', birth_date: '1990-04-02' } });
  check(signup.status === 201, 'sign-up', signup.text);
  const account = await api(base, 'POST', '/v1/accounts',
                            { token: signup.json.session.token, body: { name: 'tus', region: 'us' } });
  check(account.status === 201, 'account', account.text);
  const apiToken = account.json.api_token;
  const issued = await api(base, 'POST', '/v1/upload-tokens',
                           { token: apiToken, body: { end_user: 'eu_tus', kinds: ['video'] } });
  check(issued.status === 201, 'upload token issued', issued.text);
  const token = issued.json.token;

  const size = megabytes * 1024 * 1024;
  const file = makeFile(size);
  const sha256 = createHash('sha256').update(file).digest('hex');
  const started = Date.now();

  // First attempt: cut at half.
  let uploadUrl = null;
  const cut = await new Promise((resolve) => {
    const upload = new tus.Upload(file, tusOptions(token, {
      endpoint: base + '/v1/uploads',
      onProgress: (sent) => {
        if (sent >= size / 2 && upload.url) {
          uploadUrl = upload.url;
          upload.abort().then(() => resolve({ aborted: true, sent }));
        }
      },
      onError: (e) => resolve({ error: String(e) }),
      onSuccess: () => resolve({ finished: true }),
    }));
    upload.start();
  });
  check(cut.aborted === true, 'the first attempt is cut halfway', JSON.stringify(cut));

  // What the server kept (it stores what arrived before the cut).
  let offset = 0;
  for (let i = 0; i < 50 && offset === 0; i++) {
    const head = await fetch(uploadUrl, { method: 'HEAD',
                                          headers: { Authorization: `Bearer ${token}`, 'Tus-Resumable': '1.0.0' } });
    offset = Number(head.headers.get('upload-offset'));
    if (offset === 0) await new Promise((r) => setTimeout(r, 100));
  }
  check(offset > 0 && offset < size, 'the server kept what arrived', `offset ${offset} of ${size}`);

  // Resume with the same upload URL: tus-js-client asks HEAD, then PATCHes the rest.
  let mediaId = null;
  let resumedFrom = -1;
  const resumed = await new Promise((resolve) => {
    const upload = new tus.Upload(file, tusOptions(token, {
      uploadUrl,
      onAfterResponse: (req, res) => {
        if (req.getMethod() === 'HEAD') resumedFrom = Number(res.getHeader('Upload-Offset'));
        const id = res.getHeader('Lethe-Media-Id');
        if (id) mediaId = id;
      },
      onError: (e) => resolve({ error: String(e) }),
      onSuccess: () => resolve({ finished: true }),
    }));
    upload.start();
  });
  const seconds = (Date.now() - started) / 1000;
  check(resumed.finished === true, 'the upload resumes and finishes', JSON.stringify(resumed));
  check(resumedFrom === offset, 'it resumed from the acknowledged offset', String(resumedFrom));
  check(typeof mediaId === 'string' && mediaId.startsWith('med_'), 'the last PATCH names the media', mediaId);
  console.log(`figures: ${megabytes} MB, cut at ${offset} bytes, total ${seconds.toFixed(1)} s`);

  const media = await api(base, 'GET', `/v1/media/${mediaId}`, { token: apiToken });
  check(media.status === 200 && media.json.bytes === size, 'the media has every byte', media.text.slice(0, 200));
  check(media.json.sha256 === sha256, 'and the sha256 the server computed matches');
  check(media.json.end_user === 'eu_tus', 'for the token\'s end user');
  const res = await fetch(`${base}/v1/media/${mediaId}/content`, { headers: { Authorization: `Bearer ${apiToken}` } });
  const hash = createHash('sha256');
  for await (const piece of res.body) hash.update(piece);
  check(res.status === 200 && hash.digest('hex') === sha256, 'the bytes downloaded back have the same sha256');
}

await run.finish(main);
