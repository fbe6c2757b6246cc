// The staff console's access grants (every role; USE-4) and legal holds
// (legal, admin; USE-6) sections.
import { useEffect, useState } from 'preact/hooks';
import { del, get, post } from '../api';
import { Checkbox, Field, Page, Select, TextArea, formatTime } from '../components/ui';
import { useAccountRecords, useOutcome } from './staff_parts';

interface Grant {
  id: string;
  account_id: string;
  purpose: string;
  ticket: string;
  scope: string[];
  expires_at: string;
  revoked_at: string | null;
}
const SCOPES = ['account', 'media', 'end_users', 'audit', 'legal'];
const PURPOSES: Array<[string, string]> = [
  ['debugging', 'Debugging'],
  ['security_investigation', 'Security investigation'],
  ['abuse_review', 'Abuse review'],
  ['legal', 'Legal'],
];

export function GrantsSection() {
  const [grants, setGrants] = useState<Grant[]>([]);
  const [account, setAccount] = useState('');
  const [purpose, setPurpose] = useState('debugging');
  const [ticket, setTicket] = useState('');
  const [scopes, setScopes] = useState<string[]>(['account']);
  const [hours, setHours] = useState('4');
  const { run, view } = useOutcome();
  const load = async () => setGrants((await get<{ grants: Grant[] }>('/v1/staff/grants')).grants);
  useEffect(() => {
    void run(async () => {
      await load();
      return '';
    });
  }, []);
  const grant = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      const g = await post<Grant>('/v1/staff/grants', {
        account_id: account.trim(), purpose, ticket: ticket.trim(), scope: scopes, expires_in_hours: Number(hours),
      });
      await load();
      return `Grant ${g.id} on ${g.account_id} until ${formatTime(g.expires_at)}.`;
    });
  };
  const revoke = (g: Grant) =>
    run(async () => {
      await del(`/v1/staff/grants/${g.id}`);
      await load();
      return `Grant ${g.id} revoked.`;
    });
  const now = Date.now();
  return (
    <Page title="Access grants">
      {view}
      <table>
        <caption>Your grants</caption>
        <thead>
          <tr>
            <th scope="col">Account</th>
            <th scope="col">Scope</th>
            <th scope="col">Purpose and ticket</th>
            <th scope="col">Until</th>
            <th scope="col">Action</th>
          </tr>
        </thead>
        <tbody>
          {grants.map((g) => {
            const live = !g.revoked_at && Date.parse(g.expires_at) > now;
            return (
              <tr key={g.id}>
                <th scope="row">{g.account_id}</th>
                <td>{g.scope.join(', ')}</td>
                <td>
                  {g.purpose}, {g.ticket}
                </td>
                <td>{g.revoked_at ? `revoked ${formatTime(g.revoked_at)}` : formatTime(g.expires_at)}</td>
                <td>
                  {live && (
                    <button type="button" class="secondary" aria-label={`Revoke grant ${g.id}`} onClick={() => revoke(g)}>
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {grants.length === 0 && <p>No grants yet.</p>}
      <h2>Grant access</h2>
      <form onSubmit={grant}>
        <Field label="Account ID" value={account} onValue={setAccount} required spellcheck={false} />
        <Select label="Purpose" value={purpose} onValue={setPurpose} options={PURPOSES} required />
        <Field label="Ticket" value={ticket} onValue={setTicket} required spellcheck={false} />
        <fieldset>
          <legend>Scope</legend>
          {SCOPES.map((s) => (
            <Checkbox
              key={s}
              label={s.replace('_', ' ')}
              checked={scopes.includes(s)}
              onChecked={(on) => setScopes(on ? [...scopes, s] : scopes.filter((x) => x !== s))}
            />
          ))}
        </fieldset>
        <Field label="Hours" type="number" min={1} max={72} value={hours} onValue={setHours} required />
        <button type="submit">Grant access</button>
      </form>
    </Page>
  );
}

interface Hold {
  id: string;
  account_id: string;
  scope: string;
  subject: string | null;
  state: string;
  placed_at: string;
  ends_at: string | null;
  reason: string;
  matter: string;
  non_disclosure: boolean;
}

export function LegalHoldsSection() {
  const [scope, setScope] = useState('account');
  const [subject, setSubject] = useState('');
  const [reason, setReason] = useState('');
  const [matter, setMatter] = useState('');
  const [endsAt, setEndsAt] = useState('');
  const [secret, setSecret] = useState(false);
  const { run, view } = useOutcome();
  const { account, setAccount, shown, records: holds, load, show } =
    useAccountRecords<Hold>('/v1/staff/legal-holds', 'holds', run);
  const place = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      const body: Record<string, unknown> = { scope, account: shown, reason, matter, non_disclosure: secret };
      if (scope === 'end_user') body.end_user = subject.trim();
      if (scope === 'media') body.media = subject.trim();
      if (endsAt) body.ends_at = `${endsAt}T00:00:00Z`;
      const h = await post<Hold>('/v1/staff/legal-holds', body);
      setMatter('');
      setReason('');
      setSubject('');
      await load(shown);
      return `Hold ${h.id} placed on ${h.account_id}.`;
    });
  };
  const release = (h: Hold) =>
    run(async () => {
      await post(`/v1/staff/legal-holds/${h.id}/release`, {});
      await load(shown);
      return `Hold ${h.id} released.`;
    });
  return (
    <Page title="Legal holds">
      <p>Reading and placing holds takes a grant with the legal scope on the account.</p>
      {view}
      <form onSubmit={show}>
        <Field label="Account ID" value={account} onValue={setAccount} required spellcheck={false} />
        <button type="submit">Show holds</button>
      </form>
      {shown && (
        <>
          <h2>Holds on {shown}</h2>
          {holds.length === 0 ? (
            <p>No holds on this account.</p>
          ) : (
            <table>
              <caption class="visually-hidden">Legal holds on {shown}</caption>
              <thead>
                <tr>
                  <th scope="col">Hold</th>
                  <th scope="col">Scope</th>
                  <th scope="col">Matter and reason</th>
                  <th scope="col">State</th>
                  <th scope="col">Action</th>
                </tr>
              </thead>
              <tbody>
                {holds.map((h) => (
                  <tr key={h.id}>
                    <th scope="row">{h.id}</th>
                    <td>
                      {h.scope}
                      {h.subject ? `: ${h.subject}` : ''}
                      {h.non_disclosure ? ' (non-disclosure)' : ''}
                    </td>
                    <td>
                      {h.matter}: {h.reason}
                    </td>
                    <td>{h.state}</td>
                    <td>
                      {h.state === 'active' && (
                        <button type="button" class="secondary" aria-label={`Release hold ${h.id}`} onClick={() => release(h)}>
                          Release
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <h2>Place a hold on {shown}</h2>
          <form onSubmit={place}>
            <Select label="Hold scope" value={scope} onValue={setScope} options={[['account', 'The whole account'], ['end_user', 'One end user'], ['media', 'One media']]} />
            {scope !== 'account' && <Field label={scope === 'media' ? 'Media ID' : 'End user'} value={subject} onValue={setSubject} required />}
            <Field label="Matter" value={matter} onValue={setMatter} required />
            <TextArea label="Reason" value={reason} onValue={setReason} required />
            <Field label="Ends on (optional)" type="date" value={endsAt} onValue={setEndsAt} />
            <Checkbox label="Non-disclosure: the customer may not see this hold" checked={secret} onChecked={setSecret} />
            <button type="submit">Place hold</button>
          </form>
        </>
      )}
    </Page>
  );
}
