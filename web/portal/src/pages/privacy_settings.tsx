// An account's privacy section (/accounts/{id}/privacy): the default
// retention of its media, the recorder's notice, the legal holds on it the customer may see, and
// erasures: erase an end user (with a confirmation step), follow the
// signed receipt to "done", and the past erasures with their receipts.
import { useEffect, useRef, useState } from 'preact/hooks';
import { explain, forAccount, get, patch, type Account, type AccountApi } from '../api';
import { AccountNav, AccountUnavailable, useAccount } from '../components/account_nav';
import { ErrorMessage, Field, formatTime, Notice, Page } from '../components/ui';
import { Link } from '../router';
import { CaptureNotice } from './privacy_capture';
import { ReceiptView } from './privacy_receipt';
import { erasurePath, POLL_MS, settled, type Hold, type Receipt } from './privacy_types';

export function PrivacyPage({ id }: { id: string }) {
  const base = `/v1/accounts/${encodeURIComponent(id)}`;
  const api = forAccount(id);
  const { account, setAccount, error } = useAccount(id);
  // Bumped after an erasure so that the list shows it.
  const [erased, setErased] = useState(0);

  if (error) return <AccountUnavailable title="Privacy" error={error} />;
  if (!account) return <p aria-live="polite">Loading…</p>;
  return (
    <Page title={`Privacy · ${account.name}`}>
      <AccountNav id={id} current="privacy" />
      <Retention base={base} account={account} onChange={setAccount} />
      <CaptureNotice base={base} account={account} onChange={setAccount} />
      <LegalHolds base={base} />
      <EraseEndUser api={api} onErased={() => setErased((n) => n + 1)} />
      <PastErasures api={api} accountId={id} refresh={erased} />
    </Page>
  );
}

function Retention({ base, account, onChange }: { base: string; account: Account; onChange: (a: Account) => void }) {
  const [days, setDays] = useState(account.retention_days === null ? '' : String(account.retention_days));
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');
  const save = async (e: Event) => {
    e.preventDefault();
    setError('');
    setNotice('');
    try {
      const value = days.trim() === '' ? null : Number(days);
      const saved = await patch<Account>(base, { retention_days: value });
      onChange(saved);
      setNotice(
        saved.retention_days === null
          ? 'Saved: media is kept until it is deleted.'
          : `Saved: media is erased ${saved.retention_days} days after upload, unless it sets its own retention.`,
      );
    } catch (err) {
      setError(explain(err));
    }
  };
  return (
    <section aria-labelledby="retention-heading">
      <h2 id="retention-heading">Retention</h2>
      <p>
        Media that sets no retention of its own is erased this many days after its upload, existing media
        included. Leave it empty to keep media until it is deleted.
      </p>
      <form onSubmit={save}>
        <Field
          label="Default retention (days)"
          hint="1 to 3650 days; empty: no default."
          type="number"
          min={1}
          max={3650}
          value={days}
          onValue={setDays}
        />
        <ErrorMessage message={error} />
        {notice && <Notice message={notice} />}
        <div class="actions">
          <button type="submit">Save retention</button>
        </div>
      </form>
    </section>
  );
}

function LegalHolds({ base }: { base: string }) {
  const [holds, setHolds] = useState<Hold[] | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    get<{ holds: Hold[] }>(`${base}/legal-holds`)
      .then((r) => setHolds(r.holds))
      .catch((err) => setError(explain(err)));
  }, [base]);
  return (
    <section aria-labelledby="holds-heading">
      <h2 id="holds-heading">Legal holds</h2>
      <p>While a legal hold is in force, the data it covers is kept even when it is due for erasure.</p>
      <ErrorMessage message={error} />
      {holds && holds.length === 0 && <p>No legal holds on this account.</p>}
      {holds && holds.length > 0 && (
        <table>
          <caption>Legal holds on this account</caption>
          <thead>
            <tr>
              <th scope="col">Hold</th>
              <th scope="col">Scope</th>
              <th scope="col">Subject</th>
              <th scope="col">State</th>
              <th scope="col">Placed</th>
              <th scope="col">Ends</th>
            </tr>
          </thead>
          <tbody>
            {holds.map((h) => (
              <tr key={h.id}>
                <th scope="row">
                  <code>{h.id}</code>
                </th>
                <td>{h.scope}</td>
                <td>{h.subject ?? '—'}</td>
                <td>{h.state}</td>
                <td>{formatTime(h.placed_at)}</td>
                <td>{h.released_at ? `released ${formatTime(h.released_at)}` : formatTime(h.ends_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

// Follows an erasure until it settles: the receipt as it is now, re-read
// every POLL_MS.
export function useFollowedReceipt(api: AccountApi, first: Receipt | null): Receipt | null {
  const [receipt, setReceipt] = useState<Receipt | null>(first);
  useEffect(() => setReceipt(first), [first]);
  useEffect(() => {
    if (!receipt || settled(receipt)) return;
    const timer = window.setTimeout(async () => {
      try {
        setReceipt(await api.get<Receipt>(`/v1/erasures/${encodeURIComponent(receipt.id)}`));
      } catch {
        setReceipt({ ...receipt }); // try again later
      }
    }, POLL_MS);
    return () => window.clearTimeout(timer);
  }, [receipt]);
  return receipt;
}

function EraseEndUser({ api, onErased }: { api: AccountApi; onErased: () => void }) {
  const [endUser, setEndUser] = useState('');
  // The end user awaiting confirmation, or null.
  const [pending, setPending] = useState<string | null>(null);
  const [first, setFirst] = useState<Receipt | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const fieldRef = useRef<HTMLInputElement>(null);
  const receipt = useFollowedReceipt(api, first);

  useEffect(() => {
    if (pending !== null) confirmRef.current?.focus();
  }, [pending]);
  useEffect(() => {
    if (receipt && settled(receipt)) onErased();
  }, [receipt?.state]);

  const ask = (e: Event) => {
    e.preventDefault();
    setError('');
    if (endUser.trim() === '') return;
    setPending(endUser.trim());
  };
  const cancel = () => {
    setPending(null);
    fieldRef.current?.focus();
  };
  const confirm = async () => {
    if (pending === null) return;
    setBusy(true);
    setError('');
    try {
      const r = await api.del<Receipt>(`/v1/end-users/${encodeURIComponent(pending)}`);
      setFirst(r);
      setEndUser('');
      setPending(null);
    } catch (err) {
      setError(explain(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="erase-heading">
      <h2 id="erase-heading">Erase an end user</h2>
      <p>
        Erases all media of one of your app's end users, and removes them from the usage records. The erasure
        cannot be undone; you get a signed receipt.
      </p>
      <form onSubmit={ask}>
        <Field
          label="End user"
          hint="Your app's id for the person, as given at upload."
          value={endUser}
          onValue={setEndUser}
          required
          maxLength={256}
          inputRef={fieldRef}
        />
        <div class="actions">
          <button type="submit" class="secondary" disabled={pending !== null}>
            Erase end user
          </button>
        </div>
      </form>
      {pending !== null && (
        <div class="confirm" role="group" aria-labelledby="erase-confirm-text">
          <p id="erase-confirm-text">
            Erase everything of end user <strong>{pending}</strong>? This cannot be undone.
          </p>
          <div class="actions">
            <button type="button" class="danger" ref={confirmRef} onClick={confirm} disabled={busy}>
              Confirm erasure
            </button>
            <button type="button" class="secondary" onClick={cancel} disabled={busy}>
              Cancel
            </button>
          </div>
        </div>
      )}
      <ErrorMessage message={error} />
      {receipt && <ReceiptView receipt={receipt} heading="h3" />}
    </section>
  );
}

function PastErasures({ api, accountId, refresh }: { api: AccountApi; accountId: string; refresh: number }) {
  const [items, setItems] = useState<Receipt[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState('');
  const load = async (cursor: string | null) => {
    const q = cursor ? `?limit=50&cursor=${encodeURIComponent(cursor)}` : '?limit=50';
    const page = await api.get<{ erasures: Receipt[]; next_cursor: string | null }>(`/v1/erasures${q}`);
    setItems((now) => (cursor && now ? [...now, ...page.erasures] : page.erasures));
    setNext(page.next_cursor);
  };
  useEffect(() => {
    load(null).catch((err) => setError(explain(err)));
  }, [accountId, refresh]);
  return (
    <section aria-labelledby="erasures-heading">
      <h2 id="erasures-heading">Past erasures</h2>
      <ErrorMessage message={error} />
      {items && items.length === 0 && <p>No erasures yet.</p>}
      {items && items.length > 0 && (
        <table>
          <caption>Erasures of this account, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Receipt</th>
              <th scope="col">Scope</th>
              <th scope="col">Cause</th>
              <th scope="col">State</th>
              <th scope="col">Media erased</th>
              <th scope="col">Requested</th>
            </tr>
          </thead>
          <tbody>
            {items.map((e) => (
              <tr key={e.id}>
                <th scope="row">
                  <Link href={erasurePath(accountId, e.id)}>{e.id}</Link>
                </th>
                <td>{e.scope === 'end_user' ? 'end user' : e.scope}</td>
                <td>{e.cause}</td>
                <td>{e.state}</td>
                <td>{e.media_erased}</td>
                <td>{formatTime(e.requested_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {next && (
        <div class="actions">
          <button type="button" class="secondary" onClick={() => load(next).catch((err) => setError(explain(err)))}>
            Show older erasures
          </button>
        </div>
      )}
    </section>
  );
}
