// Checks an account's audit events in the browser against the deployment's
// signed checkpoint (SEC-1), with WebCrypto only: SHA-256 and Ed25519.
//
// What the server publishes (src/domain/audit_log.cc, audit_checkpoints.h,
// crypto/signed_note.h, tlog_checkpoint.h):
// - Every audit event of the deployment is in ONE chain: its `hash` is the
//   hex SHA-256 of "lethe-audit-v1;" and the length-prefixed fields
//   ("<bytes>:<field>;") seq, id, time (ms), actor, action, target,
//   account_id, ip, request_id, prev_hash; prev_hash is the hash of the
//   event with seq - 1.
// - The checkpoint is a C2SP signed note "<origin>\n<size>\n<base64 root>\n",
//   signed with Ed25519 under the origin; the root is the RFC 6962 Merkle
//   root whose leaf i is the 32-byte chain hash of the event with seq i + 1.
// - /.well-known/lethe/checkpoint/consistency?from=M&to=N is the RFC 9162
//   consistency proof between the trees of sizes M and N.
//
// An account sees only its own events, interleaved with others' in the one
// chain, so the page checks (1) each event's hash against its contents,
// (2) the link between events whose seqs are adjacent, (3) that each event's
// hash is the leaf at its position in the signed tree: a consistency proof
// from a size that ends at (or just before) that leaf carries the leaf as a
// node whose place the RFC 9162 algorithm fixes, and folding the proof must
// give the signed root. And (4) that a later checkpoint extends an earlier.

import type { AuditEventView } from './compliance_api';

const enc = new TextEncoder();

export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
export function fromHex(text: string): Uint8Array | null {
  if (!/^([0-9a-f]{2})*$/.test(text)) return null;
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}
export function fromBase64(text: string): Uint8Array | null {
  try {
    const bin = atob(text);
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}
function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
// WebCrypto takes views of plain ArrayBuffers; every array here is one.
const view = (u: Uint8Array) => u as Uint8Array<ArrayBuffer>;
export async function sha256(data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', view(data)));
}

// The chain hash of an event of account `accountId`, as AuditLog::HashOf.
export async function eventHash(e: AuditEventView, accountId: string): Promise<string> {
  const timeMs = Date.parse(e.time);
  let canonical = 'lethe-audit-v1;';
  for (const field of [String(e.seq), e.id, String(timeMs), e.actor, e.action, e.target, accountId, e.ip, e.request_id, e.prev_hash]) {
    canonical += `${enc.encode(field).length}:${field};`;
  }
  return hex(await sha256(enc.encode(canonical)));
}

const leafHash = (data: Uint8Array) => sha256(concat(new Uint8Array([0]), data));
const nodeHash = (l: Uint8Array, r: Uint8Array) => sha256(concat(new Uint8Array([1]), l, r));

export interface Checkpoint {
  origin: string;
  size: number;
  root: Uint8Array;
  note: string;
}

export interface SigningKey {
  raw: Uint8Array;
  key: CryptoKey;
  fingerprint: string; // hex SHA-256 of the raw key, for comparing out of band
}

export async function importSigningKey(publicKeyBase64: string): Promise<SigningKey> {
  const raw = fromBase64(publicKeyBase64);
  if (!raw || raw.length !== 32) throw new Error('the published key is not a 32-byte Ed25519 key');
  const key = await crypto.subtle.importKey('raw', view(raw), { name: 'Ed25519' }, false, ['verify']);
  return { raw, key, fingerprint: hex(await sha256(raw)) };
}

// The checkpoint in `note` once a signature line by `key` under its origin
// verifies (C2SP signed-note); throws with the reason otherwise.
export async function openCheckpoint(note: string, key: SigningKey): Promise<Checkpoint> {
  const split = note.indexOf('\n\n');
  if (split < 0) throw new Error('the checkpoint is not a signed note (no blank line before the signatures)');
  const text = note.slice(0, split + 1);
  const lines = text.split('\n');
  if (lines.length < 4) throw new Error('the checkpoint has fewer than three lines');
  const [origin, sizeText, rootText] = lines;
  const root = fromBase64(rootText);
  if (!/^(0|[1-9][0-9]{0,17})$/.test(sizeText) || !root || root.length !== 32) {
    throw new Error('the checkpoint text is malformed');
  }
  const keyId = (await sha256(concat(enc.encode(origin), new Uint8Array([0x0a, 0x01]), key.raw))).slice(0, 4);
  let found = false;
  for (const line of note.slice(split + 2).split('\n')) {
    if (!line) continue;
    const m = /^\u2014 (\S+) (\S+)$/.exec(line);
    if (!m) throw new Error('a signature line of the checkpoint is malformed');
    const blob = fromBase64(m[2]);
    if (m[1] !== origin || !blob || blob.length !== 68 || !equal(blob.slice(0, 4), keyId)) continue;
    found = true;
    const ok = await crypto.subtle.verify({ name: 'Ed25519' }, key.key, view(blob.slice(4)), view(enc.encode(text)));
    if (!ok) throw new Error('the checkpoint signature does not verify: the checkpoint was altered or signed by another key');
  }
  if (!found) throw new Error('the checkpoint carries no signature by the published key');
  return { origin, size: Number(sizeText), root, note };
}

const isPowerOfTwo = (n: number) => n > 0 && (n & (n - 1)) === 0;

// RFC 9162 section 2.1.4.2, folding `path` (the proof, with the old root
// first when m is a power of two) into the roots of the trees of sizes m
// and n. Null when the path does not fit the sizes.
async function foldConsistency(m: number, n: number, path: Uint8Array[]): Promise<{ fr: Uint8Array; sr: Uint8Array } | null> {
  if (path.length === 0) return null;
  let fn = m - 1;
  let sn = n - 1;
  while (fn & 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return null;
    if (fn & 1 || fn === sn) {
      fr = await nodeHash(c, fr);
      sr = await nodeHash(c, sr);
      if (!(fn & 1)) {
        while (!(fn & 1) && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = await nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? { fr, sr } : null;
}

export type ProofSource = (from: number, to: number) => Promise<Uint8Array[]>;

// Whether checkpoint `next` extends `prev` (same origin, larger or equal
// size, and the consistency proof folds to both roots).
export async function consistent(prev: Checkpoint, next: Checkpoint, proofs: ProofSource): Promise<boolean> {
  if (prev.origin !== next.origin || prev.size > next.size) return false;
  if (prev.size === next.size) return equal(prev.root, next.root);
  if (prev.size === 0) return true;
  const proof = await proofs(prev.size, next.size);
  const path = isPowerOfTwo(prev.size) ? [prev.root, ...proof] : proof;
  const roots = await foldConsistency(prev.size, next.size, path);
  return roots !== null && equal(roots.fr, prev.root) && equal(roots.sr, next.root);
}

// Whether the event with `seq` (chain hash `hash`, predecessor `prevHash`)
// is leaf seq - 1 of the signed tree. 'unprovable' in the one case no
// consistency proof carries the leaf: the third event when it is the newest.
export async function included(
  seq: number,
  hash: Uint8Array,
  prevHash: Uint8Array,
  cp: Checkpoint,
  proofs: ProofSource,
): Promise<boolean | 'unprovable'> {
  const i = seq - 1;
  const leaf = await leafHash(hash);
  if (seq > cp.size) return false;
  if (cp.size === 1) return equal(leaf, cp.root);
  // The newest leaf at an index 2^j (j >= 2) hangs alone at the right of
  // the root: the proof from size 3 folds it in last, as a right sibling.
  if (seq === cp.size && isPowerOfTwo(i) && i >= 4) {
    const path = await proofs(3, cp.size);
    if (path.length === 0 || !equal(path[path.length - 1], leaf)) return false;
    const roots = await foldConsistency(3, cp.size, path);
    return roots !== null && equal(roots.sr, cp.root);
  }
  // An even leaf index ends the tree of size seq as a leaf-level node: the
  // proof's first node. An odd one (or the newest leaf) is the right
  // sibling folded in first by the proof from size seq - 1.
  const fromSeq = i % 2 === 0 && seq < cp.size;
  const m = fromSeq ? seq : seq - 1;
  if (isPowerOfTwo(m) && m > 1) return 'unprovable';
  let path = await proofs(m, cp.size);
  if (m === 1) path = [await leafHash(fromSeq ? hash : prevHash), ...path];
  const target = fromSeq ? 0 : 1;
  if (path.length <= target || !equal(path[target], leaf)) return false;
  const roots = await foldConsistency(m, cp.size, path);
  return roots !== null && equal(roots.sr, cp.root);
}
