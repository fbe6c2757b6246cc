// Consents (CON-*): the privacy policy version in force, the customer's own
// consent per purpose with opt-in and opt-out, and an end user's consents
// looked up by the reference the customer's app uses for them.
import { useEffect, useState } from 'preact/hooks';
import { explain, get, post } from '../api';
import { formatInstant, type ConsentStatus, type Policy, type Purpose } from '../compliance_api';
import { ErrorMessage, Field, formatTime, Notice, Page } from '../components/ui';
import { SectionTrail } from './compliance';

const STATES: Record<string, string> = {
  granted: 'Opted in',
  refused: 'Opted out',
  not_given: 'Not asked (off)',
  not_required: 'Not needed (another legal basis)',
};
const BASES: Record<string, string> = {
  contract: 'Contract',
  legal_obligation: 'Legal obligation',
  legitimate_interest: 'Legitimate interest',
  consent: 'Consent',
};

export function ConsentsPage({ accountId }: { accountId: string }) {
  const [policy, setPolicy] = useState<Policy | null>(null);
  const [purposes, setPurposes] = useState<Purpose[]>([]);
  const [own, setOwn] = useState<ConsentStatus | null>(null);
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');

  const loadOwn = async () => setOwn(await get<ConsentStatus>('/v1/consents'));
  useEffect(() => {
    Promise.all([
      get<Policy>('/v1/policy').then(setPolicy),
      get<{ items: Purpose[] }>('/v1/purposes').then((p) => setPurposes(p.items)),
      loadOwn(),
    ]).catch((err) => setError(explain(err)));
  }, []);

  const decide = async (purpose: string, decision: 'opt_in' | 'opt_out') => {
    setError('');
    setNotice('');
    try {
      await post('/v1/consents', { purpose, decision });
      await loadOwn();
      setNotice(decision === 'opt_in' ? `You opted in to ${purpose}.` : `You opted out of ${purpose}.`);
    } catch (err) {
      setError(explain(err));
    }
  };

  return (
    <Page title="Consents">
      <SectionTrail id={accountId} />
      {policy && (
        <section aria-labelledby="policy-heading">
          <h2 id="policy-heading">Privacy policy in force</h2>
          <p>
            Version {policy.version}, effective {policy.effective}
            {policy.material ? ' (a material change: earlier opt-ins need renewing)' : ''}; published{' '}
            {formatTime(policy.published_at)}.
          </p>
          {policy.text && (
            <details>
              <summary>Read version {policy.version}</summary>
              <pre class="policy-text" tabIndex={0} aria-label={`Privacy policy version ${policy.version}`}>{policy.text}</pre>
            </details>
          )}
        </section>
      )}
      <ErrorMessage message={error} />
      {notice && <Notice message={notice} />}
      <section aria-labelledby="own-heading">
        <h2 id="own-heading">Your consents</h2>
        <p>What Lethe may do with your own data as a customer, per purpose. Optional purposes are off until you opt in.</p>
        {own && <PurposeTable caption="Your consents per purpose" status={own} purposes={purposes} onDecide={decide} />}
        {own && own.history.length > 0 && <History status={own} caption="Your consent history, newest last" />}
      </section>
      <EndUserConsents accountId={accountId} purposes={purposes} />
    </Page>
  );
}

function PurposeTable({
  caption,
  status,
  purposes,
  onDecide,
}: {
  caption: string;
  status: ConsentStatus;
  purposes: Purpose[];
  onDecide?: (purpose: string, decision: 'opt_in' | 'opt_out') => void;
}) {
  return (
    <table>
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Purpose</th>
          <th scope="col">Legal basis</th>
          <th scope="col">State</th>
          <th scope="col">Since</th>
          {onDecide && (
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          )}
        </tr>
      </thead>
      <tbody>
        {status.purposes.map((p) => (
          <tr key={p.purpose}>
            <th scope="row">
              <strong>{p.purpose}</strong>
              <br />
              <span class="hint">{purposes.find((x) => x.name === p.purpose)?.description ?? ''}</span>
            </th>
            <td>{BASES[p.legal_basis] ?? p.legal_basis}</td>
            <td>
              {STATES[p.state] ?? p.state}
              {p.renewal_required ? ' (needs renewal under the new policy)' : ''}
            </td>
            <td>
              {p.since ? `${formatInstant(p.since)}, policy v${p.policy_version}, ${p.source}` : ''}
            </td>
            {onDecide && (
              <td>
                {p.optional &&
                  (p.allowed ? (
                    <button type="button" class="danger" aria-label={`Opt out of ${p.purpose}`} onClick={() => onDecide(p.purpose, 'opt_out')}>
                      Opt out
                    </button>
                  ) : (
                    <button type="button" class="secondary" aria-label={`Opt in to ${p.purpose}`} onClick={() => onDecide(p.purpose, 'opt_in')}>
                      Opt in
                    </button>
                  ))}
              </td>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function History({ status, caption }: { status: ConsentStatus; caption: string }) {
  return (
    <table>
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">Purpose</th>
          <th scope="col">Decision</th>
          <th scope="col">Source</th>
          <th scope="col">Policy</th>
        </tr>
      </thead>
      <tbody>
        {status.history.map((h) => (
          <tr key={h.id}>
            <th scope="row">{formatInstant(h.at)}</th>
            <td>{h.purpose}</td>
            <td>{h.decision === 'opt_in' ? 'Opt-in' : 'Opt-out'}</td>
            <td>{h.source}</td>
            <td>v{h.policy_version}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function EndUserConsents({ accountId, purposes }: { accountId: string; purposes: Purpose[] }) {
  const [ref, setRef] = useState('');
  const [status, setStatus] = useState<ConsentStatus | null>(null);
  const [error, setError] = useState('');

  const look = async (e: Event) => {
    e.preventDefault();
    setError('');
    setStatus(null);
    try {
      const q = new URLSearchParams({ account_id: accountId, end_user: ref.trim() });
      setStatus(await get<ConsentStatus>(`/v1/consents?${q}`));
    } catch (err) {
      setError(explain(err));
    }
  };

  return (
    <section aria-labelledby="end-user-heading">
      <h2 id="end-user-heading">An end user's consents</h2>
      <p>What an end user of this account agreed to, as your app or the recorder recorded it.</p>
      <form onSubmit={look}>
        <Field label="End user reference" hint="Your app's id for the person." value={ref} onValue={setRef} required maxLength={256} />
        <ErrorMessage message={error} />
        <div class="actions">
          <button type="submit">Show consents</button>
        </div>
      </form>
      {status && (
        <>
          <PurposeTable caption={`Consents of ${status.subject.end_user}`} status={status} purposes={purposes} />
          {status.history.length > 0 ? (
            <History status={status} caption={`Consent history of ${status.subject.end_user}, newest last`} />
          ) : (
            <p>No consent recorded for {status.subject.end_user}.</p>
          )}
        </>
      )}
    </section>
  );
}
