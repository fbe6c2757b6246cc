// The staff access log (USE-4): every access grant a Lethe staff member
// made or revoked for this account, and every request served under one,
// newest first.
import { useEffect, useState } from 'preact/hooks';
import { explain, get } from '../api';
import { formatInstant, type AccessLogEntry } from '../compliance_api';
import { ErrorMessage, Page } from '../components/ui';
import { SectionTrail } from './compliance';

const KINDS: Record<string, string> = {
  'grant.create': 'Grant made',
  'grant.revoke': 'Grant revoked',
  request: 'Request under a grant',
};

export function AccessLogPage({ accountId }: { accountId: string }) {
  const base = `/v1/accounts/${encodeURIComponent(accountId)}/access-log`;
  const [entries, setEntries] = useState<AccessLogEntry[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState('');

  const page = async (cursor: string | null) => {
    const body = await get<{ entries: AccessLogEntry[]; next_cursor: string | null }>(
      cursor ? `${base}?cursor=${encodeURIComponent(cursor)}` : base,
    );
    setEntries((now) => (cursor && now ? [...now, ...body.entries] : body.entries));
    setNext(body.next_cursor);
  };
  useEffect(() => {
    page(null).catch((err) => setError(explain(err)));
  }, [base]);

  return (
    <Page title="Staff access log">
      <SectionTrail id={accountId} />
      <p>
        Lethe's staff reach your account's data only under a grant they make for one account, for a stated purpose and a
        ticket, for at most 72 hours. Each grant, and each request made under it, is listed here.
      </p>
      <ErrorMessage message={error} />
      {entries === null ? (
        !error && <p aria-live="polite">Loading…</p>
      ) : entries.length === 0 ? (
        <p>No staff member has accessed this account.</p>
      ) : (
        <table>
          <caption>Staff access, newest first</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">What</th>
              <th scope="col">Staff member</th>
              <th scope="col">Purpose and ticket</th>
              <th scope="col">Request</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id}>
                <th scope="row">{formatInstant(e.at)}</th>
                <td>{KINDS[e.kind] ?? e.kind}</td>
                <td>
                  <code>{e.staff_id}</code>
                </td>
                <td>
                  {e.purpose.replace(/_/g, ' ')}, ticket {e.ticket}
                  <br />
                  <span class="hint">
                    grant <code>{e.grant_id}</code>
                  </span>
                </td>
                <td>{e.method ? <code>{`${e.method} ${e.path ?? e.route ?? ''}`}</code> : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {next && (
        <div class="actions">
          <button type="button" class="secondary" onClick={() => page(next).catch((err) => setError(explain(err)))}>
            Show older entries
          </button>
        </div>
      )}
    </Page>
  );
}
