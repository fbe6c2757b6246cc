// The privacy center, /privacy/{account}: the page a customer links from
// its app for its end users (RGT-4, SHR-7, SEC-5, SEC-6). Anyone sees what
// the account's data is used for and why, who else handles it, and the
// policy version in force, and may file a privacy request that a code
// mailed to them verifies. Opened through the app's signed link
// (`#link=...`, which stays in the browser: fragments are never sent), it
// shows that end user's consents, lets them change them, and files
// requests the link vouches for. Global Privacy Control is honoured and
// said so.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, call, explain, get } from '../api';
import { ErrorMessage, Field, Notice, Page, Select, formatTime } from '../components/ui';

interface Face {
  account: { id: string; name: string; region: string };
  signal: 'gpc' | 'dnt' | null;
}
interface Purpose {
  name: string;
  legal_basis: string;
  optional: boolean;
  description: string;
}
interface SubProcessor {
  id: string;
  name: string;
  purpose: string;
  region: string;
  categories: string[];
  retired: boolean;
}
interface Policy {
  version: number;
  effective: string;
  material: boolean;
}
interface PurposeState {
  purpose: string;
  optional: boolean;
  state: 'granted' | 'refused' | 'not_given' | 'not_required';
  renewal_required: boolean;
  since: string | null;
  source: string | null;
}
interface Consents {
  end_user: string;
  policy_version: number;
  signal: 'gpc' | 'dnt' | null;
  signal_recorded: number;
  purposes: PurposeState[];
}
interface FiledRequest {
  id: string;
  type: string;
  state: string;
  due: string;
  acknowledge_by: string | null;
}

// The purposes a GPC or DNT signal opts out of (ConsentLedger::HonourSignal).
const SIGNAL_PURPOSES = new Set(['third_party_sharing', 'analytics']);

const PURPOSE_NAMES: Record<string, string> = {
  service: 'Providing the service',
  billing: 'Billing',
  security: 'Security',
  marketing: 'Marketing email',
  analytics: 'Analytics',
  transcription: 'Transcription',
  third_party_sharing: 'Sharing with third parties',
};
const BASES: Record<string, string> = {
  contract: 'Needed to provide the service you use',
  legal_obligation: 'Required by law',
  legitimate_interest: 'Legitimate interest',
  consent: 'Only with your consent',
};
const REQUEST_TYPES: Array<[string, string]> = [
  ['access', 'A copy of my data (access)'],
  ['portability', 'My data in a machine-readable file (portability)'],
  ['rectification', 'Correct my data (rectification)'],
  ['erasure', 'Delete my data (erasure)'],
  ['restriction', 'Stop using my data for now (restriction)'],
  ['objection', 'Object to a use of my data (objection)'],
  ['opt_out_of_sale_or_sharing', 'Do not sell or share my data'],
  ['limit_sensitive', 'Limit the use of my sensitive data'],
];
const JURISDICTIONS: Array<[string, string]> = [
  ['gdpr', 'EU/EEA or UK (GDPR)'],
  ['ccpa', 'California (CCPA)'],
];
const STATES: Record<string, string> = {
  granted: 'On',
  refused: 'Off',
  not_given: 'Off (never asked)',
  not_required: 'Always on',
};

function purposeName(name: string): string {
  return PURPOSE_NAMES[name] ?? name.replace(/_/g, ' ');
}

// The link the app handed over: taken from the fragment once (and the
// fragment cleared, so it is not bookmarked or shared by accident), kept
// for this tab only.
function takeLink(account: string): string {
  const key = `lethe:privacy-link:${account}`;
  const match = /(?:^#|&)link=([^&]+)/.exec(location.hash);
  if (match) {
    const token = decodeURIComponent(match[1]);
    sessionStorage.setItem(key, token);
    history.replaceState(null, '', location.pathname + location.search);
    return token;
  }
  return sessionStorage.getItem(key) ?? '';
}

function browserSendsGpc(): boolean {
  return (navigator as Navigator & { globalPrivacyControl?: boolean }).globalPrivacyControl === true;
}

export function PrivacyCenterShell({ account }: { account: string }) {
  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Privacy center</span>
      </header>
      <main id="main" tabIndex={-1}>
        <PrivacyCenterPage account={account} />
      </main>
    </>
  );
}

function PrivacyCenterPage({ account }: { account: string }) {
  const base = `/v1/privacy-center/${encodeURIComponent(account)}`;
  const [link] = useState(() => takeLink(account));
  const [face, setFace] = useState<Face | null | undefined>(undefined);
  const [purposes, setPurposes] = useState<Purpose[]>([]);
  const [subs, setSubs] = useState<SubProcessor[]>([]);
  const [policy, setPolicy] = useState<Policy | null>(null);
  const [consents, setConsents] = useState<Consents | null>(null);
  const [linkError, setLinkError] = useState('');
  const [error, setError] = useState('');

  const auth: Record<string, string> = link ? { Authorization: `PrivacyLink ${link}` } : {};

  const loadConsents = async () => {
    if (!link) return;
    try {
      setConsents((await call<Consents>('GET', `${base}/consents`, undefined, auth)).body);
      setLinkError('');
    } catch (err) {
      setConsents(null);
      setLinkError(
        err instanceof ApiError && err.reason === 'link-expired'
          ? 'The link from the app has expired. Open the privacy center again from the app to see and change your choices.'
          : err instanceof ApiError && (err.status === 401 || err.status === 404)
            ? 'The link from the app is not valid here. Open the privacy center again from the app to see and change your choices.'
            : explain(err),
      );
    }
  };

  useEffect(() => {
    get<Face>(base)
      .then(setFace)
      .catch((err) => {
        if (err instanceof ApiError && err.status === 404) setFace(null);
        else setError(explain(err));
      });
    get<{ items: Purpose[] }>('/v1/purposes')
      .then((p) => setPurposes(p.items))
      .catch((err) => setError(explain(err)));
    get<{ subprocessors: SubProcessor[] }>('/v1/subprocessors')
      .then((s) => setSubs(s.subprocessors.filter((x) => !x.retired)))
      .catch((err) => setError(explain(err)));
    get<Policy>('/v1/policy')
      .then(setPolicy)
      .catch((err) => setError(explain(err)));
    void loadConsents();
  }, [account]);

  if (face === undefined) {
    return error ? <ErrorMessage message={error} /> : <p aria-live="polite">Loading…</p>;
  }
  if (face === null) {
    return (
      <Page title="Privacy center not found">
        <p>There is no privacy center at this address. Check the link you followed, or ask the app that sent you here.</p>
      </Page>
    );
  }
  const name = face.account.name;
  const gpc = browserSendsGpc() || face.signal === 'gpc' || consents?.signal === 'gpc';

  return (
    <Page title={`Privacy at ${name}`}>
      <p>
        {name} uses Lethe to store and serve media. This page says what is collected and why, and lets you use your privacy rights.{' '}
        {name} decides what happens to your data; Lethe acts for {name} and helps it answer you.
      </p>
      <ErrorMessage message={error} />
      {gpc && (
        <section class="gpc" aria-labelledby="gpc-heading">
          <h2 id="gpc-heading">Global Privacy Control</h2>
          <p>
            Your browser's Global Privacy Control signal is on: we treat it as an opt-out of sharing or selling your personal data and
            of analytics.{' '}
            {consents
              ? consents.signal_recorded > 0
                ? 'We have recorded that opt-out for you now.'
                : 'Your opt-out is recorded.'
              : `${name} records it against your choices when you open this page from its app.`}
          </p>
        </section>
      )}
      <CollectedSection purposes={purposes} />
      <SubProcessorsSection subs={subs} />
      <section aria-labelledby="policy-heading">
        <h2 id="policy-heading">Privacy policy</h2>
        {policy ? (
          <p>
            Version {policy.version}, in effect since {policy.effective}. Every choice you make is recorded with the version it was made
            under; when a version changes what we do in a material way, we ask again.
          </p>
        ) : (
          <p>Loading…</p>
        )}
      </section>
      <section aria-labelledby="choices-heading">
        <h2 id="choices-heading">Your choices</h2>
        {linkError && <ErrorMessage message={linkError} />}
        {consents ? (
          <ChoicesTable base={base} auth={auth} consents={consents} gpc={gpc} onChanged={loadConsents} />
        ) : (
          !linkError && <p>To see and change your choices, open this page from the {name} app: it signs you in to this page for an hour.</p>
        )}
      </section>
      <RequestSection base={base} auth={auth} linked={!!consents} name={name} />
    </Page>
  );
}

function CollectedSection({ purposes }: { purposes: Purpose[] }) {
  return (
    <section aria-labelledby="collected-heading">
      <h2 id="collected-heading">What is collected and why</h2>
      <p>The media you record or upload in the app, with its metadata, and records of how it is used. It is used for:</p>
      <table>
        <caption class="visually-hidden">Purposes of processing</caption>
        <thead>
          <tr>
            <th scope="col">Purpose</th>
            <th scope="col">What it means</th>
            <th scope="col">Basis</th>
          </tr>
        </thead>
        <tbody>
          {purposes.map((p) => (
            <tr key={p.name}>
              <th scope="row">{purposeName(p.name)}</th>
              <td>{p.description}</td>
              <td>{BASES[p.legal_basis] ?? p.legal_basis}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function SubProcessorsSection({ subs }: { subs: SubProcessor[] }) {
  return (
    <section aria-labelledby="subs-heading">
      <h2 id="subs-heading">Who else handles it</h2>
      {subs.length === 0 ? (
        <p>No other company receives your data.</p>
      ) : (
        <table>
          <caption class="visually-hidden">Sub-processors</caption>
          <thead>
            <tr>
              <th scope="col">Company</th>
              <th scope="col">Why</th>
              <th scope="col">Where</th>
              <th scope="col">What</th>
            </tr>
          </thead>
          <tbody>
            {subs.map((s) => (
              <tr key={s.id}>
                <th scope="row">{s.name}</th>
                <td>{s.purpose}</td>
                <td>{s.region}</td>
                <td>{s.categories.join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

type ChoicesProps = {
  base: string;
  auth: Record<string, string>;
  consents: Consents;
  gpc: boolean;
  onChanged: () => Promise<void>;
};

function ChoicesTable({ base, auth, consents, gpc, onChanged }: ChoicesProps) {
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');
  const decide = async (purpose: string, decision: 'opt_in' | 'opt_out') => {
    setError('');
    setNotice('');
    try {
      await call('POST', `${base}/consents`, { purpose, decision }, auth);
      await onChanged();
      setNotice(`${purposeName(purpose)} is now ${decision === 'opt_in' ? 'on' : 'off'}.`);
    } catch (err) {
      setError(explain(err));
    }
  };
  const optional = consents.purposes.filter((p) => p.optional);
  return (
    <>
      <p>Only the uses below need your consent; each is off until you turn it on.</p>
      <ErrorMessage message={error} />
      {notice && <Notice message={notice} />}
      <table>
        <caption class="visually-hidden">Your consent to each optional use</caption>
        <thead>
          <tr>
            <th scope="col">Use</th>
            <th scope="col">Now</th>
            <th scope="col">Since</th>
            <th scope="col">Change</th>
          </tr>
        </thead>
        <tbody>
          {optional.map((p) => {
            const on = p.state === 'granted' && !p.renewal_required;
            const heldOff = gpc && SIGNAL_PURPOSES.has(p.purpose);
            return (
              <tr key={p.purpose}>
                <th scope="row">{purposeName(p.purpose)}</th>
                <td>
                  {p.renewal_required ? 'Off until you confirm again (the policy changed)' : STATES[p.state]}
                  {p.source === 'gpc' && ' (Global Privacy Control)'}
                </td>
                <td>{p.since ? formatTime(p.since) : '—'}</td>
                <td>
                  {heldOff ? (
                    'Off while Global Privacy Control is on'
                  ) : (
                    <button
                      type="button"
                      class="secondary"
                      aria-label={`${on ? 'Turn off' : 'Turn on'} ${purposeName(p.purpose)}`}
                      onClick={() => decide(p.purpose, on ? 'opt_out' : 'opt_in')}
                    >
                      {on ? 'Turn off' : 'Turn on'}
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </>
  );
}

type RequestProps = { base: string; auth: Record<string, string>; linked: boolean; name: string };

function RequestSection({ base, auth, linked, name }: RequestProps) {
  const [type, setType] = useState('access');
  const [jurisdiction, setJurisdiction] = useState('gdpr');
  const [email, setEmail] = useState('');
  const [code, setCode] = useState('');
  const [filed, setFiled] = useState<FiledRequest | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const file = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      const body: Record<string, string> = { type, jurisdiction };
      if (!linked) body.email = email.trim();
      setFiled((await call<FiledRequest>('POST', `${base}/requests`, body, linked ? auth : {})).body);
    } catch (err) {
      setError(
        err instanceof ApiError && err.reason === 'too-many-attempts'
          ? 'Too many requests from here. Wait a while, then try again.'
          : explain(err),
      );
    } finally {
      setBusy(false);
    }
  };
  const verify = async (e: Event) => {
    e.preventDefault();
    if (!filed) return;
    setBusy(true);
    setError('');
    try {
      setFiled((await call<FiledRequest>('POST', `${base}/requests/${filed.id}/verify`, { code: code.trim() })).body);
    } catch (err) {
      setError(
        err instanceof ApiError && err.reason === 'code-invalid'
          ? `That code is not the one we sent. ${err.detail}`
          : err instanceof ApiError && err.reason === 'code-expired'
            ? 'That code has expired. Make the request again to get a new one.'
            : explain(err),
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="request-heading">
      <h2 id="request-heading">Make a privacy request</h2>
      <ErrorMessage message={error} />
      {filed && filed.state !== 'identity_unverified' ? (
        <Notice
          message={`Your request ${filed.id} is received and verified. ${name} must answer it by ${filed.due}.${
            filed.acknowledge_by ? ` It acknowledges it by ${filed.acknowledge_by}.` : ''
          }`}
        />
      ) : filed ? (
        <form onSubmit={verify}>
          <p>We sent an 8-digit code to {email.trim()}. Enter it to confirm that the request is yours. It works once, for 15 minutes.</p>
          <Field
            label="Confirmation code"
            value={code}
            onValue={setCode}
            required
            autocomplete="one-time-code"
            inputMode="numeric"
            pattern="[0-9]{8}"
            spellcheck={false}
          />
          <button type="submit" disabled={busy}>
            Confirm the request
          </button>
        </form>
      ) : (
        <form onSubmit={file}>
          <p>
            {linked
              ? `You are signed in through the ${name} app: the request is about your account there.`
              : `We send a code to your email address to confirm the request is yours. Use the address you use with ${name}.`}
          </p>
          <Select label="What would you like?" value={type} onValue={setType} options={REQUEST_TYPES} required />
          <Select label="Where do you live?" hint="It sets the law that applies and how long we have to answer." value={jurisdiction} onValue={setJurisdiction} options={JURISDICTIONS} required />
          {!linked && <Field label="Your email address" type="email" value={email} onValue={setEmail} required autocomplete="email" />}
          <button type="submit" disabled={busy}>
            Send the request
          </button>
        </form>
      )}
    </section>
  );
}
