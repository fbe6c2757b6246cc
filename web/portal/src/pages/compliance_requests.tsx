// Privacy requests (RGT-1..4): the customer's requests about itself and
// about the end users of this account, each with its legal clock (days
// left, or "Overdue" in red and in words), and a form to submit one.
import { useEffect, useState } from 'preact/hooks';
import { explain, get, post } from '../api';
import {
  OPEN_STATES,
  REQUEST_TYPES,
  requestClock,
  stateName,
  typeName,
  type PrivacyRequest,
} from '../compliance_api';
import { ErrorMessage, Field, formatTime, Notice, Page, Select, useId } from '../components/ui';
import { Link } from '../router';
import { sectionPath, SectionTrail } from './compliance';

export function aboutText(r: PrivacyRequest): string {
  return r.subject.kind === 'end_user' ? `End user ${r.subject.end_user}` : 'You (the customer)';
}

export function ClockCell({ r }: { r: PrivacyRequest }) {
  const clock = requestClock(r);
  return <span class={clock.overdue ? 'overdue' : undefined}>{clock.overdue ? <strong>{clock.text}</strong> : clock.text}</span>;
}

export function PrivacyRequestsPage({ accountId }: { accountId: string }) {
  const [requests, setRequests] = useState<PrivacyRequest[] | null>(null);
  const [error, setError] = useState('');

  const load = async () => {
    const all = (await get<{ items: PrivacyRequest[] }>('/v1/privacy-requests')).items;
    setRequests(all.filter((r) => r.subject.kind === 'customer' || r.subject.account_id === accountId));
  };
  useEffect(() => {
    load().catch((err) => setError(explain(err)));
  }, [accountId]);

  const open = (requests ?? []).filter((r) => OPEN_STATES.has(r.state));
  const overdue = open.filter((r) => requestClock(r).overdue).length;
  return (
    <Page title="Privacy requests">
      <SectionTrail id={accountId} />
      <p>
        Requests from people about their data: yours, and those of this account's end users. The law gives each a
        deadline (GDPR: one month, extendable once by two; CCPA: 45 days, extendable once by 45).
      </p>
      <ErrorMessage message={error} />
      {requests === null ? (
        !error && <p aria-live="polite">Loading…</p>
      ) : requests.length === 0 ? (
        <p>No privacy requests.</p>
      ) : (
        <>
          <p role="status">
            {open.length} open, {overdue} overdue.
          </p>
          <table>
            <caption>Privacy requests, soonest due first</caption>
            <thead>
              <tr>
                <th scope="col">Request</th>
                <th scope="col">About</th>
                <th scope="col">State</th>
                <th scope="col">Received</th>
                <th scope="col">Clock</th>
              </tr>
            </thead>
            <tbody>
              {requests.map((r) => (
                <tr key={r.id}>
                  <th scope="row">
                    <Link href={sectionPath(accountId, 'privacy-requests', r.id)}>
                      {typeName(r.type)} <code>{r.id}</code>
                    </Link>{' '}
                    ({r.jurisdiction.toUpperCase()})
                  </th>
                  <td>{aboutText(r)}</td>
                  <td>{stateName(r.state)}</td>
                  <td>{formatTime(r.received_at)}</td>
                  <td>
                    <ClockCell r={r} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <SubmitRequest accountId={accountId} onSubmitted={() => load().catch((err) => setError(explain(err)))} />
    </Page>
  );
}

function SubmitRequest({ accountId, onSubmitted }: { accountId: string; onSubmitted: () => void }) {
  const [about, setAbout] = useState<'end_user' | 'customer'>('end_user');
  const [endUser, setEndUser] = useState('');
  const [attested, setAttested] = useState(false);
  const [type, setType] = useState('access');
  const [jurisdiction, setJurisdiction] = useState('gdpr');
  const [agentName, setAgentName] = useState('');
  const [agentDocument, setAgentDocument] = useState('');
  const [made, setMade] = useState<PrivacyRequest | null>(null);
  const [error, setError] = useState('');
  const aboutId = useId('about');
  const docId = useId('agent-doc');

  const readDocument = async (e: Event) => {
    const file = (e.currentTarget as HTMLInputElement).files?.[0];
    if (!file) return setAgentDocument('');
    const bytes = new Uint8Array(await file.arrayBuffer());
    let binary = '';
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    setAgentDocument(btoa(binary));
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    setError('');
    setMade(null);
    const body: Record<string, unknown> = { type, jurisdiction };
    if (about === 'end_user') Object.assign(body, { account_id: accountId, end_user: endUser.trim(), attested });
    if (agentName.trim()) Object.assign(body, { agent_name: agentName.trim(), agent_document: agentDocument });
    try {
      setMade(await post<PrivacyRequest>('/v1/privacy-requests', body));
      setEndUser('');
      setAttested(false);
      onSubmitted();
    } catch (err) {
      setError(explain(err));
    }
  };

  return (
    <section aria-labelledby="submit-heading">
      <h2 id="submit-heading">Submit a privacy request</h2>
      <form onSubmit={submit}>
        <fieldset>
          <legend id={aboutId}>Whose data</legend>
          <label class="check">
            <input type="radio" name="about" checked={about === 'end_user'} onChange={() => setAbout('end_user')} /> An
            end user of this account
          </label>
          <label class="check">
            <input type="radio" name="about" checked={about === 'customer'} onChange={() => setAbout('customer')} /> You
            (the customer): Lethe mails you a code to confirm it is you
          </label>
        </fieldset>
        {about === 'end_user' && (
          <>
            <Field label="End user" hint="Your app's id for the person." value={endUser} onValue={setEndUser} required maxLength={256} />
            <div class="field">
              <label class="check">
                <input type="checkbox" checked={attested} required onChange={(e) => setAttested((e.currentTarget as HTMLInputElement).checked)} />{' '}
                I have verified this person's identity
              </label>
            </div>
          </>
        )}
        <Select label="Request" value={type} onValue={setType} options={REQUEST_TYPES} required />
        <Select
          label="Law"
          value={jurisdiction}
          onValue={setJurisdiction}
          options={[
            ['gdpr', 'GDPR (EU, UK)'],
            ['ccpa', 'CCPA (California)'],
          ]}
          required
        />
        <Field
          label="Authorized agent (optional)"
          hint="The name of the agent who made the request for the person; attach their written permission."
          value={agentName}
          onValue={setAgentName}
          maxLength={256}
        />
        {agentName.trim() && (
          <div class="field">
            <label for={docId}>Agent's written permission</label>
            <input id={docId} type="file" required onChange={readDocument} />
          </div>
        )}
        <ErrorMessage message={error} />
        <div class="actions">
          <button type="submit">Submit request</button>
        </div>
      </form>
      {made && (
        <Notice
          message={`Request ${made.id} submitted: ${stateName(made.state).toLowerCase()}, due ${made.due}.`}
        />
      )}
      {made && (
        <p>
          <Link href={sectionPath(accountId, 'privacy-requests', made.id)}>Open request {made.id}</Link>
        </p>
      )}
    </section>
  );
}
