// The staff console, /staff and /staff/{section} (issue 15; USE-4, USE-6,
// ADM-1, SHR-4): staff sign in with their ID, password and authenticator
// code, and get their own cookie session (__Host-lethe_staff, with its
// CSRF token; never the customer's). The sections are the staff routes,
// shown only to the roles the server opens them to:
// - access grants (every role): list, grant, revoke;
// - legal holds (legal, admin): place and release, under a legal grant;
// - appeals (security): the review queue, decided with reasons;
// - legal requests (security, legal): record, decide, non-disclosure.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { del, explain, get, post, SESSION_EXPIRED, setCsrfToken } from '../api';
import { ErrorMessage, Field, Notice, Page, Select, formatTime, useId } from '../components/ui';
import { Link, navigate } from '../router';

type Role = 'support' | 'security' | 'legal' | 'admin';
interface StaffSession {
  staff: { id: string; name: string; role: Role };
  csrf_token: string;
}

interface Section {
  path: string;
  title: string;
  roles: Role[];
  about: string;
}
export const STAFF_SECTIONS: Section[] = [
  { path: 'grants', title: 'Access grants', roles: ['support', 'security', 'legal', 'admin'],
    about: 'Your grants to reach one account’s data, for a purpose and a ticket, for hours.' },
  { path: 'legal-holds', title: 'Legal holds', roles: ['legal', 'admin'],
    about: 'Place and release holds that keep an account’s data from erasure.' },
  { path: 'appeals', title: 'Appeals', roles: ['security'],
    about: 'Suspended accounts asking for human review.' },
  { path: 'legal-requests', title: 'Legal requests', roles: ['security', 'legal'],
    about: 'Requests from authorities: record, decide, non-disclosure orders.' },
];

export function StaffConsole({ section }: { section: string }) {
  // undefined while the session is read, null when signed out.
  const [session, setSession] = useState<StaffSession | null | undefined>(undefined);
  useEffect(() => {
    get<StaffSession>('/v1/staff/portal/session')
      .then((s) => {
        setCsrfToken(s.csrf_token);
        setSession(s);
      })
      .catch(() => setSession(null));
    const expired = () => {
      setCsrfToken('');
      setSession(null);
    };
    window.addEventListener(SESSION_EXPIRED, expired);
    return () => window.removeEventListener(SESSION_EXPIRED, expired);
  }, []);

  const signedIn = (s: StaffSession) => {
    setCsrfToken(s.csrf_token);
    setSession(s);
  };
  const signOut = async () => {
    try {
      await del('/v1/staff/sessions');
    } catch {
      // Ended already: the same outcome.
    }
    setCsrfToken('');
    setSession(null);
    navigate('/staff');
  };

  const open = session ? STAFF_SECTIONS.filter((s) => s.roles.includes(session.staff.role)) : [];
  let content: ComponentChildren = null;
  if (session === null) content = <StaffSignIn onSignedIn={signedIn} />;
  else if (session) {
    const current = STAFF_SECTIONS.find((s) => s.path === section);
    if (section === '') content = <Overview sections={open} who={session.staff} />;
    else if (!current) content = <Page title="Not found"><p>There is no such section of the staff console.</p></Page>;
    else if (!open.includes(current)) {
      content = (
        <Page title={current.title}>
          <p>This section is not open to the {session.staff.role} role.</p>
        </Page>
      );
    } else if (current.path === 'grants') content = <GrantsSection />;
    else if (current.path === 'legal-holds') content = <LegalHoldsSection />;
    else if (current.path === 'appeals') content = <AppealsSection />;
    else content = <LegalRequestsSection />;
  }

  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="top">
        <Link href="/staff" class="brand">
          Lethe staff
        </Link>
        {session && (
          <nav aria-label="Staff">
            <ul>
              {open.map((s) => (
                <li key={s.path}>
                  <Link href={`/staff/${s.path}`} aria-current={section === s.path ? 'page' : undefined}>
                    {s.title}
                  </Link>
                </li>
              ))}
            </ul>
            <span class="who">
              {session.staff.name} ({session.staff.role})
            </span>
            <button type="button" class="secondary" onClick={signOut}>
              Sign out
            </button>
          </nav>
        )}
      </header>
      <main id="main" tabIndex={-1}>
        {session === undefined ? <p aria-live="polite">Loading…</p> : content}
      </main>
    </>
  );
}

function StaffSignIn({ onSignedIn }: { onSignedIn: (s: StaffSession) => void }) {
  const [id, setId] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      onSignedIn(await post<StaffSession>('/v1/staff/portal/sessions', { staff_id: id.trim(), password, code: code.trim() }));
    } catch (err) {
      setError(explain(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Page title="Staff sign-in">
      <p>For Lethe staff. Every sign-in and every use of customer data is logged, and the customer sees it.</p>
      <ErrorMessage message={error} />
      <form onSubmit={submit}>
        <Field label="Staff ID" value={id} onValue={setId} required autocomplete="username" spellcheck={false} />
        <Field label="Password" type="password" value={password} onValue={setPassword} required autocomplete="current-password" />
        <Field label="Authentication code" value={code} onValue={setCode} required autocomplete="one-time-code" inputMode="numeric" spellcheck={false} />
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
    </Page>
  );
}

function Overview({ sections, who }: { sections: Section[]; who: StaffSession['staff'] }) {
  return (
    <Page title="Staff console">
      <p>
        Signed in as {who.name} ({who.id}), role {who.role}. Customer data opens only under an access grant you make, with a
        purpose and a ticket; the customer sees it in their access log.
      </p>
      <ul class="sections">
        {sections.map((s) => (
          <li key={s.path}>
            <Link href={`/staff/${s.path}`}>{s.title}</Link>: {s.about}
          </li>
        ))}
      </ul>
    </Page>
  );
}

// A labelled multi-line text field and a checkbox (the shared ui has
// single-line fields only).
function TextArea({ label, value, onValue, required }: { label: string; value: string; onValue: (v: string) => void; required?: boolean }) {
  const id = useId('text');
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <textarea id={id} value={value} required={required} rows={3} onInput={(e) => onValue((e.currentTarget as HTMLTextAreaElement).value)} />
    </div>
  );
}
function Checkbox({ label, checked, onChecked }: { label: string; checked: boolean; onChecked: (v: boolean) => void }) {
  const id = useId('check');
  return (
    <div class="field checkbox">
      <input id={id} type="checkbox" checked={checked} onChange={(e) => onChecked((e.currentTarget as HTMLInputElement).checked)} />
      <label for={id}>{label}</label>
    </div>
  );
}

// The result of an action: a message for the person, or an error.
function useOutcome() {
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');
  const run = async (action: () => Promise<string>) => {
    setError('');
    setNotice('');
    try {
      setNotice(await action());
    } catch (err) {
      setError(explain(err));
    }
  };
  const view = (
    <>
      <ErrorMessage message={error} />
      {notice && <Notice message={notice} />}
    </>
  );
  return { run, view };
}

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

function GrantsSection() {
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

function LegalHoldsSection() {
  const [account, setAccount] = useState('');
  const [shown, setShown] = useState('');
  const [holds, setHolds] = useState<Hold[]>([]);
  const [scope, setScope] = useState('account');
  const [subject, setSubject] = useState('');
  const [reason, setReason] = useState('');
  const [matter, setMatter] = useState('');
  const [endsAt, setEndsAt] = useState('');
  const [secret, setSecret] = useState(false);
  const { run, view } = useOutcome();
  const load = async (id: string) => {
    setHolds((await get<{ holds: Hold[] }>(`/v1/staff/legal-holds?account=${encodeURIComponent(id)}`)).holds);
    setShown(id);
  };
  const show = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      await load(account.trim());
      return '';
    });
  };
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

interface Appeal {
  id: string;
  decision_id: string;
  account_id: string;
  state: string;
  created_at: string;
}

function AppealsSection() {
  const [appeals, setAppeals] = useState<Appeal[]>([]);
  const { run, view } = useOutcome();
  const load = async () => setAppeals((await get<{ appeals: Appeal[] }>('/v1/staff/appeals')).appeals);
  useEffect(() => {
    void run(async () => {
      await load();
      return '';
    });
  }, []);
  const decide = (a: Appeal, outcome: string, reason: string) =>
    run(async () => {
      await post(`/v1/staff/appeals/${a.id}/decision`, { outcome, reason });
      await load();
      return `Appeal ${a.id}: ${outcome === 'reinstate' ? 'the account is reinstated' : 'the suspension stands'}.`;
    });
  return (
    <Page title="Appeals">
      <p>
        Open appeals, oldest first. Deciding one takes an access grant with the account scope on its account (purpose: abuse
        review): make it under <Link href="/staff/grants">Access grants</Link>.
      </p>
      {view}
      {appeals.length === 0 && <p>No open appeals.</p>}
      {appeals.map((a) => (
        <AppealForm key={a.id} appeal={a} onDecide={decide} />
      ))}
    </Page>
  );
}

function AppealForm({ appeal, onDecide }: { appeal: Appeal; onDecide: (a: Appeal, outcome: string, reason: string) => Promise<void> }) {
  const [outcome, setOutcome] = useState('reinstate');
  const [reason, setReason] = useState('');
  const headingId = useId('appeal');
  return (
    <section aria-labelledby={headingId}>
      <h2 id={headingId}>
        Appeal {appeal.id} on {appeal.account_id}
      </h2>
      <p>
        Decision {appeal.decision_id}, appealed {formatTime(appeal.created_at)}.
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void onDecide(appeal, outcome, reason);
        }}
      >
        <Select label={`Outcome for ${appeal.id}`} value={outcome} onValue={setOutcome} options={[['reinstate', 'Reinstate the account'], ['uphold', 'Uphold the suspension']]} />
        <TextArea label={`Reason for ${appeal.id}`} value={reason} onValue={setReason} required />
        <button type="submit">Decide</button>
      </form>
    </section>
  );
}

interface LegalRequest {
  id: string;
  account_id: string;
  subject: string | null;
  authority: string;
  authority_type: string;
  legal_basis: string;
  categories: string;
  received_at: string;
  nondisclosure_until: string | null;
  nondisclosure_active: boolean;
  decision: string | null;
  customer_notified_at: string | null;
}

function LegalRequestsSection() {
  const [account, setAccount] = useState('');
  const [shown, setShown] = useState('');
  const [requests, setRequests] = useState<LegalRequest[]>([]);
  const [authority, setAuthority] = useState('');
  const [authorityType, setAuthorityType] = useState('law_enforcement');
  const [basis, setBasis] = useState('');
  const [categories, setCategories] = useState('');
  const [gagUntil, setGagUntil] = useState('');
  const { run, view } = useOutcome();
  const load = async (id: string) => {
    setRequests((await get<{ requests: LegalRequest[] }>(`/v1/staff/legal-requests?account=${encodeURIComponent(id)}`)).requests);
    setShown(id);
  };
  const show = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      await load(account.trim());
      return '';
    });
  };
  const record = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      const body: Record<string, unknown> = { account: shown, authority, authority_type: authorityType, legal_basis: basis, categories };
      if (gagUntil) body.nondisclosure_until = `${gagUntil}T00:00:00Z`;
      const r = await post<LegalRequest>('/v1/staff/legal-requests', body);
      setAuthority('');
      setBasis('');
      setCategories('');
      await load(shown);
      return `Legal request ${r.id} recorded.`;
    });
  };
  const decide = (r: LegalRequest, decision: string, note: string, disclosed: string) =>
    run(async () => {
      const body: Record<string, string> = { decision, note };
      if (decision !== 'object') body.disclosed = disclosed;
      await post(`/v1/staff/legal-requests/${r.id}/decide`, body);
      await load(shown);
      return `Legal request ${r.id}: ${decision}.`;
    });
  const gag = (r: LegalRequest, until: string) =>
    run(async () => {
      await post(`/v1/staff/legal-requests/${r.id}/nondisclosure`, { until: `${until}T00:00:00Z` });
      await load(shown);
      return `Non-disclosure recorded on ${r.id} until ${until}.`;
    });
  return (
    <Page title="Legal requests">
      <p>Recording and reading legal requests takes a grant with the legal scope on the account.</p>
      {view}
      <form onSubmit={show}>
        <Field label="Account ID" value={account} onValue={setAccount} required spellcheck={false} />
        <button type="submit">Show requests</button>
      </form>
      {shown && (
        <>
          <h2>Requests about {shown}</h2>
          {requests.length === 0 && <p>No legal requests about this account.</p>}
          {requests.map((r) => (
            <LegalRequestItem key={r.id} request={r} onDecide={decide} onGag={gag} />
          ))}
          <h2>Record a legal request about {shown}</h2>
          <form onSubmit={record}>
            <Field label="Authority" value={authority} onValue={setAuthority} required />
            <Select
              label="Authority type"
              value={authorityType}
              onValue={setAuthorityType}
              options={[['law_enforcement', 'Law enforcement'], ['court', 'Court'], ['regulator', 'Regulator'], ['other', 'Other']]}
            />
            <Field label="Legal basis" value={basis} onValue={setBasis} required />
            <Field label="Data asked for" value={categories} onValue={setCategories} required />
            <Field label="Non-disclosure order until (optional)" type="date" value={gagUntil} onValue={setGagUntil} />
            <button type="submit">Record request</button>
          </form>
        </>
      )}
    </Page>
  );
}

type ItemProps = {
  request: LegalRequest;
  onDecide: (r: LegalRequest, decision: string, note: string, disclosed: string) => Promise<void>;
  onGag: (r: LegalRequest, until: string) => Promise<void>;
};

function LegalRequestItem({ request: r, onDecide, onGag }: ItemProps) {
  const [decision, setDecision] = useState('object');
  const [note, setNote] = useState('');
  const [disclosed, setDisclosed] = useState('');
  const [until, setUntil] = useState('');
  const headingId = useId('legal');
  return (
    <section aria-labelledby={headingId}>
      <h3 id={headingId}>
        {r.id}: {r.authority} ({r.authority_type})
      </h3>
      <p>
        Basis: {r.legal_basis}. Asks for: {r.categories}. Received {formatTime(r.received_at)}.{' '}
        {r.decision ? `Decision: ${r.decision}.` : 'Not decided.'}{' '}
        {r.nondisclosure_active ? `Non-disclosure until ${formatTime(r.nondisclosure_until)}.` : r.customer_notified_at ? `Customer told ${formatTime(r.customer_notified_at)}.` : ''}
      </p>
      {!r.decision && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void onDecide(r, decision, note, disclosed);
          }}
        >
          <Select label={`Decision on ${r.id}`} value={decision} onValue={setDecision} options={[['object', 'Object'], ['comply', 'Comply'], ['partial', 'Comply in part']]} />
          <TextArea label={`Note on ${r.id}`} value={note} onValue={setNote} />
          {decision !== 'object' && <Field label={`What was disclosed for ${r.id}`} value={disclosed} onValue={setDisclosed} required />}
          <button type="submit">Decide</button>
        </form>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void onGag(r, until);
        }}
      >
        <Field label={`Non-disclosure order on ${r.id} until`} type="date" value={until} onValue={setUntil} required />
        <button type="submit" class="secondary">
          Record non-disclosure
        </button>
      </form>
    </section>
  );
}
