// The staff console's appeals (security; ADM-1) and legal requests
// (security, legal; SHR-4) sections.
import { useEffect, useState } from 'preact/hooks';
import { get, post } from '../api';
import { Field, Page, Select, TextArea, formatTime, useId } from '../components/ui';
import { Link } from '../router';
import { useAccountRecords, useOutcome } from './staff_parts';

interface Appeal {
  id: string;
  decision_id: string;
  account_id: string;
  state: string;
  created_at: string;
}

export function AppealsSection() {
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

export function LegalRequestsSection() {
  const [authority, setAuthority] = useState('');
  const [authorityType, setAuthorityType] = useState('law_enforcement');
  const [basis, setBasis] = useState('');
  const [categories, setCategories] = useState('');
  const [gagUntil, setGagUntil] = useState('');
  const { run, view } = useOutcome();
  const { account, setAccount, shown, records: requests, load, show } =
    useAccountRecords<LegalRequest>('/v1/staff/legal-requests', 'requests', run);
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
