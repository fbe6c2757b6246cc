// The account's audit chain (SEC-1), with a Verify button that checks it in
// the browser against the deployment's signed checkpoint (audit_verify.ts).
import { useEffect, useRef, useState } from 'preact/hooks';
import { explain, get } from '../api';
import {
  consistent,
  eventHash,
  fromBase64,
  fromHex,
  importSigningKey,
  included,
  openCheckpoint,
  type Checkpoint,
  type ProofSource,
} from '../audit_verify';
import type { AuditEventView } from '../compliance_api';
import { ErrorMessage, formatTime, Page } from '../components/ui';
import { SectionTrail } from './compliance';

// Each inclusion check costs the server a pass over the whole chain, so
// only the newest events get one; every event's hash and links are checked.
const INCLUDED_NEWEST = 25;
const MAX_PAGES = 20;

type EventCheck = 'verified' | 'intact' | 'unchecked' | string; // else: what is wrong

interface Outcome {
  ok: boolean;
  summary: string;
  checks: Map<number, EventCheck>;
  fingerprint: string;
  consistency: string;
}

async function fetchText(path: string): Promise<string> {
  const res = await fetch(path, { cache: 'no-store', credentials: 'same-origin' });
  if (!res.ok) throw new Error(`${path} answered ${res.status}`);
  return res.text();
}

const proofs: ProofSource = async (from, to) => {
  const body = await get<{ proof: string[] }>(`/.well-known/lethe/checkpoint/consistency?from=${from}&to=${to}`);
  return body.proof.map((p) => fromBase64(p) ?? new Uint8Array());
};

export function AuditPage({ accountId }: { accountId: string }) {
  const base = `/v1/accounts/${encodeURIComponent(accountId)}/audit`;
  const [events, setEvents] = useState<AuditEventView[] | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const previous = useRef<{ cp: Checkpoint; at: Date } | null>(null);

  const load = async (): Promise<AuditEventView[]> => {
    const all: AuditEventView[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < MAX_PAGES; page++) {
      const q: string = cursor ? `?limit=1000&cursor=${encodeURIComponent(cursor)}` : '?limit=1000';
      const body: { events: AuditEventView[]; next_cursor: string | null } = await get(base + q);
      all.push(...body.events);
      cursor = body.next_cursor;
      if (!cursor) break;
    }
    setEvents(all);
    return all;
  };
  useEffect(() => {
    load().catch((err) => setError(explain(err)));
  }, [base]);

  const verify = async () => {
    setBusy(true);
    setError('');
    setOutcome(null);
    try {
      setOutcome(await check(await load()));
    } catch (err) {
      setOutcome({ ok: false, summary: `Verification failed: ${err instanceof Error ? err.message : String(err)}`, checks: new Map(), fingerprint: '', consistency: '' });
    } finally {
      setBusy(false);
    }
  };

  // Events first, then the checkpoint: the checkpoint then covers them all.
  const check = async (list: AuditEventView[]): Promise<Outcome> => {
    const published = await get<{ algorithm: string; public_key: string }>('/.well-known/lethe/signing-key');
    if (published.algorithm !== 'Ed25519') throw new Error(`the published key is ${published.algorithm}, not Ed25519`);
    const key = await importSigningKey(published.public_key);
    const cp = await openCheckpoint(await fetchText('/.well-known/lethe/checkpoint'), key);
    const signedAt = new Date();
    const checks = new Map<number, EventCheck>();
    const fail = (seq: number, what: string): Outcome => {
      checks.set(seq, what);
      return { ok: false, summary: `The chain breaks at event ${seq}: ${what}.`, checks, fingerprint: key.fingerprint, consistency: '' };
    };
    let prev: AuditEventView | null = null;
    for (const e of list) {
      if ((await eventHash(e, accountId)) !== e.hash) return fail(e.seq, 'its contents do not match its hash (the event was edited)');
      if (prev && prev.seq + 1 === e.seq && e.prev_hash !== prev.hash) return fail(e.seq, `it does not link to event ${prev.seq} (an event was replaced or reordered)`);
      if (prev && e.seq <= prev.seq) return fail(e.seq, 'it is out of order');
      if (e.seq > cp.size) return fail(e.seq, `it is newer than the signed checkpoint of ${cp.size} events`);
      checks.set(e.seq, 'intact');
      prev = e;
    }
    const newest = list.slice(-INCLUDED_NEWEST);
    for (const e of newest) {
      const hash = fromHex(e.hash);
      const prevHash = fromHex(e.prev_hash);
      if (!hash || hash.length !== 32 || !prevHash || prevHash.length !== 32) return fail(e.seq, 'its hash is malformed');
      const inTree = await included(e.seq, hash, prevHash, cp, proofs);
      if (inTree === false) return fail(e.seq, `it is not the event the signed checkpoint holds at position ${e.seq} (the chain was rewritten)`);
      checks.set(e.seq, inTree === true ? 'verified' : 'intact');
    }
    let consistency = '';
    const before = previous.current;
    if (before) {
      const extends_ = await consistent(before.cp, cp, proofs);
      if (!extends_) {
        return { ok: false, summary: `The new checkpoint (${cp.size} events) does not extend the one verified at ${formatTime(before.at.toISOString())} (${before.cp.size} events): the log was rewritten.`, checks, fingerprint: key.fingerprint, consistency: '' };
      }
      consistency = `It extends the checkpoint verified on this page at ${formatTime(before.at.toISOString())} (${before.cp.size} events to ${cp.size}).`;
    }
    previous.current = { cp, at: signedAt };
    const upTo = list.length ? list[list.length - 1].seq : 0;
    const summary = list.length
      ? `Chain verified up to event ${upTo}, checkpoint signed ${formatTime(signedAt.toISOString())} (${cp.size} events, ${cp.origin}).`
      : `The account has no audit events yet; the checkpoint of ${cp.size} events, signed ${formatTime(signedAt.toISOString())}, verifies.`;
    return { ok: true, summary, checks, fingerprint: key.fingerprint, consistency };
  };

  const stateText = (seq: number): string => {
    const c = outcome?.checks.get(seq);
    if (c === undefined) return outcome ? 'not checked' : '';
    if (c === 'verified') return 'Verified: intact and in the signed checkpoint';
    if (c === 'intact') return 'Intact (hash and links); not proved in the checkpoint';
    return `Broken: ${c}`;
  };

  return (
    <Page title="Audit chain">
      <SectionTrail id={accountId} />
      <p>
        Every change to the account is an event in Lethe's audit chain: one chain for the whole deployment, where each
        event's hash covers its contents and the previous event's hash, and the deployment signs the chain's head as a
        checkpoint (a Merkle tree root) that anyone can fetch.
      </p>
      <p class="trust">
        <strong>Trust model:</strong> this page checks the checkpoint against the public key the deployment publishes at{' '}
        <code>/.well-known/lethe/signing-key</code>, fetched over this same connection, so it proves the events match
        what this server signed; compare the key's fingerprint below with one you recorded earlier or got out of band to
        rule out a server that lies about its own key.
      </p>
      <p>
        What is verified, in your browser: each of this account's events against its hash; the link between events
        that are next to each other in the chain (other accounts' events sit between the others, and are not shown);
        for the newest {INCLUDED_NEWEST}, that the event is the one the signed checkpoint holds at its position (a
        Merkle proof); and on a second verification, that the newer checkpoint extends the older.
      </p>
      <div class="actions">
        <button type="button" onClick={verify} disabled={busy || events === null}>
          {busy ? 'Verifying…' : 'Verify'}
        </button>
      </div>
      <div aria-live="polite">
        {outcome?.ok && (
          <div class="notice verified" role="status">
            {outcome.summary} {outcome.consistency}
          </div>
        )}
      </div>
      {outcome && !outcome.ok && (
        <div class="error" role="alert">
          {outcome.summary}
        </div>
      )}
      {outcome?.fingerprint && (
        <p>
          Key fingerprint (SHA-256): <code>{outcome.fingerprint}</code>
        </p>
      )}
      <ErrorMessage message={error} />
      {events === null ? (
        !error && <p aria-live="polite">Loading…</p>
      ) : events.length === 0 ? (
        <p>No audit events.</p>
      ) : (
        <table>
          <caption>The account's audit events, oldest first</caption>
          <thead>
            <tr>
              <th scope="col">Event</th>
              <th scope="col">Time</th>
              <th scope="col">Actor</th>
              <th scope="col">Action</th>
              <th scope="col">Target</th>
              <th scope="col">Check</th>
            </tr>
          </thead>
          <tbody>
            {events.map((e) => {
              const text = stateText(e.seq);
              return (
                <tr key={e.seq} class={text.startsWith('Broken') ? 'broken' : undefined}>
                  <th scope="row">{e.seq}</th>
                  <td>{formatTime(e.time)}</td>
                  <td>
                    <code>{e.actor}</code>
                  </td>
                  <td>{e.action}</td>
                  <td>
                    <code>{e.target}</code>
                  </td>
                  <td>{text}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </Page>
  );
}
