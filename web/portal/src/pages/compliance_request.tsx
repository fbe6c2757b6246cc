// One privacy request: its clock, its history, its outcome (with the
// export download of an access or portability request, shown once), and
// the actions its state allows: verify, extend with reasons, deny with
// reasons, fulfil, lift a limit.
import { useEffect, useState } from 'preact/hooks';
import { explain, get, post } from '../api';
import { requestClock, stateName, typeName, type PrivacyRequest } from '../compliance_api';
import { ErrorMessage, Field, formatTime, Notice, Page } from '../components/ui';
import { sectionPath, SectionTrail } from './compliance';
import { aboutText, ClockCell } from './compliance_requests';

const DENIABLE = new Set(['received', 'identity_unverified', 'verified', 'in_progress']);
const FULFILLABLE = new Set(['verified', 'extended']);

export function PrivacyRequestPage({ accountId, requestId }: { accountId: string; requestId: string }) {
  const path = `/v1/privacy-requests/${encodeURIComponent(requestId)}`;
  const [request, setRequest] = useState<PrivacyRequest | null>(null);
  const [download, setDownload] = useState('');
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');

  const load = async () => setRequest(await get<PrivacyRequest>(path));
  useEffect(() => {
    load().catch((err) => setError(explain(err)));
  }, [path]);

  // Runs one action, then reloads the request (with its history).
  const act = async (what: string, action: string, body?: unknown) => {
    setError('');
    setNotice('');
    try {
      const answer = await post<PrivacyRequest>(`${path}/${action}`, body);
      const url = (answer?.outcome?.download as { url?: string } | undefined)?.url;
      if (url) setDownload(url);
      await load();
      setNotice(what);
      return true;
    } catch (err) {
      setError(explain(err));
      return false;
    }
  };

  if (!request) {
    return (
      <Page title="Privacy request">
        <SectionTrail id={accountId} current="privacy-requests" />
        {error ? <ErrorMessage message={error} /> : <p aria-live="polite">Loading…</p>}
      </Page>
    );
  }
  const r = request;
  const clock = requestClock(r);
  const lifting = liftStep(r);
  return (
    <Page title={`${typeName(r.type)} request ${r.id}`}>
      <SectionTrail id={accountId} current="privacy-requests" />
      <dl class="facts">
        <dt>About</dt>
        <dd>{aboutText(r)}</dd>
        <dt>Law</dt>
        <dd>{r.jurisdiction.toUpperCase()}</dd>
        <dt>State</dt>
        <dd>
          {stateName(r.state)}
          {r.locked ? ' (locked after too many wrong codes)' : ''}
        </dd>
        <dt>Received</dt>
        <dd>{formatTime(r.received_at)}</dd>
        {r.acknowledge_by && (
          <>
            <dt>Acknowledge by</dt>
            <dd>{r.acknowledge_by}</dd>
          </>
        )}
        <dt>Clock</dt>
        <dd class="clock">
          <ClockCell r={r} />
        </dd>
        <dt>Extension</dt>
        <dd>{r.extended ? `Extended once, to ${r.due}` : `Not extended (the law allows up to ${r.latest_due})`}</dd>
        {r.agent && (
          <>
            <dt>Agent</dt>
            <dd>
              {r.agent.name}
              {r.agent.permission_document ? ', with written permission' : ''}
              {r.agent.subject_confirmed ? ', confirmed by the person' : ', not yet confirmed by the person'}
            </dd>
          </>
        )}
        {r.reason && (
          <>
            <dt>Reason</dt>
            <dd>{r.reason}</dd>
          </>
        )}
      </dl>
      {clock.overdue && (
        <p class="overdue" role="note">
          <strong>Overdue:</strong> the law's deadline has passed. Answer the request now.
        </p>
      )}
      <ErrorMessage message={error} />
      {notice && <Notice message={notice} />}
      {download && (
        <section class="secret" aria-labelledby="download-heading">
          <h2 id="download-heading">Export ready</h2>
          <p>The link works once, for 24 hours, and is shown only now: Lethe keeps only a digest of it.</p>
          <p>
            <a href={download} download>
              Download the export (ZIP)
            </a>
          </p>
        </section>
      )}
      <Actions r={r} act={act} />
      <Outcome r={r} />
      <section aria-labelledby="history-heading">
        <h2 id="history-heading">History</h2>
        <table>
          <caption>Every step of the request, oldest first</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">State</th>
              <th scope="col">By</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {(r.history ?? []).map((s, i) => (
              <tr key={i}>
                <th scope="row">{formatTime(s.at)}</th>
                <td>{stateName(s.state)}</td>
                <td>
                  <code>{s.actor}</code>
                </td>
                <td>
                  {s.reason?.startsWith('{') ? (
                    <details>
                      <summary>The outcome, as recorded</summary>
                      <code>{s.reason}</code>
                    </details>
                  ) : (
                    s.reason ?? ''
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {lifting && (
        <p>
          Lifting the limit was asked for on {formatTime(lifting.at)}: Lethe tells the person first, then lifts it.
        </p>
      )}
      <p>
        <a href={sectionPath(accountId, 'privacy-requests')} class="visually-hidden">
          Back to the privacy requests
        </a>
      </p>
    </Page>
  );
}

type Act = (what: string, action: string, body?: unknown) => Promise<boolean>;

function Actions({ r, act }: { r: PrivacyRequest; act: Act }) {
  const [code, setCode] = useState('');
  const [confirmed, setConfirmed] = useState(false);
  const [extendReason, setExtendReason] = useState('');
  const [newDue, setNewDue] = useState(r.latest_due);
  const [denyReason, setDenyReason] = useState('');
  const [fixes, setFixes] = useState<Record<string, string>>({});
  const fix = (field: string) => (v: string) => setFixes((f) => ({ ...f, [field]: v }));
  const endUser = r.subject.kind === 'end_user';

  const waitsForIdentity = r.state === 'identity_unverified';
  const extendable = (r.state === 'verified' || r.state === 'in_progress') && !r.extended && !requestClock(r).overdue;
  const lift = r.state === 'completed' && r.outcome?.limit !== undefined && !liftStep(r);
  if (!waitsForIdentity && !extendable && !DENIABLE.has(r.state) && !FULFILLABLE.has(r.state) && !lift) return null;

  const fulfil = (e: Event) => {
    e.preventDefault();
    let body: Record<string, unknown> | undefined;
    if (r.type === 'rectification') {
      body = {};
      for (const [k, v] of Object.entries(fixes)) {
        if (!v.trim()) continue;
        body[k] = k === 'tags' ? v.split(',').map((t) => t.trim()).filter(Boolean) : v.trim();
      }
    }
    act('The request is fulfilled.', 'fulfil', body);
  };

  return (
    <section aria-labelledby="actions-heading">
      <h2 id="actions-heading">Actions</h2>
      {waitsForIdentity && !endUser && (
        <form
          onSubmit={async (e) => {
            e.preventDefault();
            if (await act('Identity verified.', 'verify', { code: code.trim() })) setCode('');
          }}
        >
          <h3>Verify with the mailed code</h3>
          <Field label="Code from the email" value={code} onValue={setCode} required inputMode="numeric" pattern="[0-9]{8}" autocomplete="one-time-code" />
          <div class="actions">
            <button type="submit">Verify</button>
            <button type="button" class="secondary" onClick={() => act('A new code is on its way.', 'code')}>
              Mail a new code
            </button>
          </div>
        </form>
      )}
      {waitsForIdentity && endUser && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            act('Identity verified.', 'verify', { subject_confirmed: confirmed });
          }}
        >
          <h3>Verify</h3>
          <label class="check">
            <input type="checkbox" required checked={confirmed} onChange={(e) => setConfirmed((e.currentTarget as HTMLInputElement).checked)} /> The
            person confirmed that the agent acts for them
          </label>
          <div class="actions">
            <button type="submit">Verify</button>
          </div>
        </form>
      )}
      {FULFILLABLE.has(r.state) && (
        <form onSubmit={fulfil}>
          <h3>Fulfil</h3>
          <p>{fulfilText(r.type)}</p>
          {r.type === 'rectification' &&
            (endUser ? (
              <>
                <Field label="Media id" value={fixes.media_id ?? ''} onValue={fix('media_id')} required />
                <Field label="Corrected title" value={fixes.title ?? ''} onValue={fix('title')} />
                <Field label="Corrected tags" hint="Comma-separated." value={fixes.tags ?? ''} onValue={fix('tags')} />
              </>
            ) : (
              <>
                <Field label="Corrected name" value={fixes.name ?? ''} onValue={fix('name')} />
                <Field label="Corrected email" type="email" value={fixes.email ?? ''} onValue={fix('email')} />
                <Field label="Corrected company" value={fixes.company ?? ''} onValue={fix('company')} />
              </>
            ))}
          <div class="actions">
            <button type="submit">Fulfil request</button>
          </div>
        </form>
      )}
      {extendable && (
        <form
          onSubmit={async (e) => {
            e.preventDefault();
            if (await act(`The deadline is now ${newDue}.`, 'extend', { reason: extendReason.trim(), due: newDue })) setExtendReason('');
          }}
        >
          <h3>Extend the deadline (once)</h3>
          <Field label="Reasons for the extension" hint="The person is told them." value={extendReason} onValue={setExtendReason} required maxLength={2000} />
          <Field label="New due date" type="date" min={r.due} max={r.latest_due} value={newDue} onValue={setNewDue} required />
          <div class="actions">
            <button type="submit">Extend</button>
          </div>
        </form>
      )}
      {DENIABLE.has(r.state) && (
        <form
          onSubmit={async (e) => {
            e.preventDefault();
            if (await act('The request is denied.', 'deny', { reason: denyReason.trim() })) setDenyReason('');
          }}
        >
          <h3>Deny</h3>
          <Field label="Reasons for the denial" hint="The person is told them, and how to complain." value={denyReason} onValue={setDenyReason} required maxLength={2000} />
          <div class="actions">
            <button type="submit" class="danger">
              Deny request
            </button>
          </div>
        </form>
      )}
      {lift && (
        <div class="actions">
          <button type="button" class="secondary" onClick={() => act('The limit is being lifted; the person is told first.', 'lift')}>
            Lift the limit
          </button>
        </div>
      )}
    </section>
  );
}

function fulfilText(type: string): string {
  switch (type) {
    case 'access':
    case 'portability':
      return 'Makes a ZIP of the data and a download link that works once, for 24 hours.';
    case 'erasure':
      return 'Forgets the data, with a signed receipt (unless a legal hold applies).';
    case 'rectification':
      return 'Applies the corrections; the history keeps the before and after.';
    default:
      return 'Places the limit the request asks for, until it is lifted.';
  }
}

function Outcome({ r }: { r: PrivacyRequest }) {
  if (!r.outcome) return null;
  const entries = Object.entries(r.outcome).filter(([k]) => k !== 'type');
  return (
    <section aria-labelledby="outcome-heading">
      <h2 id="outcome-heading">Outcome</h2>
      <dl class="facts">
        {entries.map(([k, v]) => (
          <>
            <dt key={`${k}-t`}>{k.replace(/_/g, ' ')}</dt>
            <dd key={`${k}-d`}>{outcomeText(k, v)}</dd>
          </>
        ))}
      </dl>
    </section>
  );
}

function outcomeText(key: string, v: unknown) {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (key === 'download' && v && typeof v === 'object') {
    const d = v as { format?: string; expires_at?: string; single_use?: boolean };
    return `${d.format === 'application/zip' ? 'A ZIP file' : d.format ?? 'A file'}, ${d.single_use ? 'one download, ' : ''}until ${formatTime(d.expires_at)}`;
  }
  return <code>{JSON.stringify(v)}</code>;
}

// The step that asked to lift the request's limit: the API records it as a
// further step after the request completed (it shows no flag for it).
function liftStep(r: PrivacyRequest) {
  const steps = r.history ?? [];
  const done = steps.findIndex((s) => s.state === 'completed');
  return done >= 0 && done < steps.length - 1 ? steps[steps.length - 1] : undefined;
}
