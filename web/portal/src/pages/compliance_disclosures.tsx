// The disclosure ledger (SHR-1, SHR-3, SHR-4): every transfer of the
// account's personal data out of Lethe, and the sub-processors Lethe uses
// (the public list, with announced changes and their effective dates).
import { useEffect, useState } from 'preact/hooks';
import { explain, get } from '../api';
import { formatInstant, type Disclosure, type SubProcessor } from '../compliance_api';
import { ErrorMessage, formatTime, Page } from '../components/ui';
import { SectionTrail } from './compliance';

const KINDS: Record<string, string> = {
  subprocessor: 'Sub-processor',
  customer_endpoint: 'Your endpoint',
  authority: 'Authority',
  third_party: 'Third party',
};

export function DisclosuresPage({ accountId }: { accountId: string }) {
  const base = `/v1/accounts/${encodeURIComponent(accountId)}/disclosures`;
  const [rows, setRows] = useState<Disclosure[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [subs, setSubs] = useState<SubProcessor[] | null>(null);
  const [error, setError] = useState('');

  const page = async (cursor: string | null) => {
    const body = await get<{ items: Disclosure[]; next: string | null }>(cursor ? `${base}?cursor=${encodeURIComponent(cursor)}` : base);
    setRows((now) => (cursor && now ? [...now, ...body.items] : body.items));
    setNext(body.next);
  };
  useEffect(() => {
    page(null).catch((err) => setError(explain(err)));
    get<{ subprocessors: SubProcessor[] }>('/v1/subprocessors')
      .then((b) => setSubs(b.subprocessors))
      .catch((err) => setError(explain(err)));
  }, [base]);

  return (
    <Page title="Disclosures and sub-processors">
      <SectionTrail id={accountId} />
      <ErrorMessage message={error} />
      <section aria-labelledby="ledger-heading">
        <h2 id="ledger-heading">Disclosure ledger</h2>
        <p>
          Every time personal data of this account left Lethe: to whom, why, on what legal basis and when. End users are
          named by a keyed reference, never by their id; what was sent is described by ids and sizes, never content.
        </p>
        {rows === null ? (
          !error && <p aria-live="polite">Loading…</p>
        ) : rows.length === 0 ? (
          <p>No disclosures: no personal data of this account has left Lethe.</p>
        ) : (
          <table>
            <caption>Disclosures, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Recipient</th>
                <th scope="col">Purpose and basis</th>
                <th scope="col">Data</th>
                <th scope="col">Reference</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((d) => (
                <tr key={d.id}>
                  <th scope="row">{formatInstant(d.at)}</th>
                  <td>
                    {d.recipient}
                    <br />
                    <span class="hint">{KINDS[d.recipient_kind] ?? d.recipient_kind}</span>
                  </td>
                  <td>
                    {d.purpose}, {d.legal_basis.replace(/_/g, ' ')}
                  </td>
                  <td>
                    {d.categories}: {d.what}
                    {d.subject && (
                      <>
                        <br />
                        <span class="hint">
                          subject <code>{d.subject}</code>
                        </span>
                      </>
                    )}
                  </td>
                  <td>
                    <code>{d.reference}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {next && (
          <div class="actions">
            <button type="button" class="secondary" onClick={() => page(next).catch((err) => setError(explain(err)))}>
              Show older disclosures
            </button>
          </div>
        )}
      </section>
      <section aria-labelledby="subs-heading">
        <h2 id="subs-heading">Sub-processors</h2>
        <p>
          The companies Lethe uses to process your data. A new one, or a change, is announced by email at least 30 days
          before it takes effect; the list is public at <code>/v1/subprocessors</code>.
        </p>
        {subs === null ? null : subs.length === 0 ? (
          <p>Lethe uses no sub-processors.</p>
        ) : (
          <table>
            <caption>Sub-processors</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Purpose</th>
                <th scope="col">Region</th>
                <th scope="col">Data</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {subs.map((s) => (
                <tr key={s.id}>
                  <th scope="row">{s.name}</th>
                  <td>{s.purpose}</td>
                  <td>{s.region}</td>
                  <td>{s.categories.join(', ')}</td>
                  <td>
                    {s.status === 'in_force'
                      ? `In force since ${formatTime(s.effective_at)}`
                      : `Announced ${formatTime(s.announced_at)}, in force from ${formatTime(s.effective_at)}`}
                    {s.upcoming &&
                      `; ${s.upcoming.retired ? 'retired' : 'changes'} from ${formatTime(s.upcoming.effective_at)}`}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </Page>
  );
}
