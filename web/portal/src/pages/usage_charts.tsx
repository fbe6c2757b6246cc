// An account's usage (/accounts/{id}/usage): uploads and plays per day,
// counted from the account's usage events (GET /v1/usage), and where
// usage comes from (countries, browsers), from the k-anonymous aggregates
// (GET /v1/accounts/{id}/aggregates: cells with fewer than k events are
// folded into "other", so no chart singles out a person).
import { useEffect, useState } from 'preact/hooks';
import { explain, forAccount, get, type Account } from '../api';
import { AccountNav } from '../components/account_nav';
import { ErrorMessage, Page, Select } from '../components/ui';
import { BarChart, type Bar } from './usage_chart';

interface Cell {
  value: string;
  events: number;
}
interface Aggregate {
  from: string;
  to: string;
  k: number;
  events: number;
  by_country?: { cells: Cell[]; other: number };
  by_browser?: { cells: Cell[]; other: number };
  by_day?: Cell[];
}
interface UsageEvent {
  time: string;
  method: string;
  route: string;
  status: number;
}

// At most this many events are read for the daily counts (pages of 1000).
const MAX_EVENTS = 10000;

function day(iso: string): string {
  return iso.slice(0, 10);
}

function daysBack(n: number): string[] {
  const out: string[] = [];
  const now = Date.now();
  for (let i = n - 1; i >= 0; --i) out.push(new Date(now - i * 86400000).toISOString().slice(0, 10));
  return out;
}

function isUpload(e: UsageEvent): boolean {
  return e.method === 'POST' && (e.route === '/v1/media' || e.route === '/v1/uploads') && e.status < 300;
}
function isPlay(e: UsageEvent): boolean {
  return e.method === 'GET' && e.route === '/v1/media/{id}/content' && (e.status === 200 || e.status === 206);
}

function cellsToBars(d: { cells: Cell[]; other: number } | undefined): Bar[] {
  if (!d) return [];
  const bars = d.cells.map((c) => ({ label: c.value || 'unknown', value: c.events }));
  if (d.other > 0) bars.push({ label: 'other', value: d.other });
  return bars;
}

export function UsagePage({ id }: { id: string }) {
  const api = forAccount(id);
  const [account, setAccount] = useState<Account | null>(null);
  const [days, setDays] = useState('30');
  const [aggregate, setAggregate] = useState<Aggregate | null>(null);
  const [perDay, setPerDay] = useState<{ uploads: Bar[]; plays: Bar[]; truncated: boolean } | null>(null);
  const [error, setError] = useState('');

  useEffect(() => {
    get<Account>(`/v1/accounts/${encodeURIComponent(id)}`)
      .then(setAccount)
      .catch((err) => setError(explain(err)));
  }, [id]);

  useEffect(() => {
    const span = daysBack(Number(days));
    const from = span[0];
    const to = span[span.length - 1];
    setError('');
    get<Aggregate>(`/v1/accounts/${encodeURIComponent(id)}/aggregates?from=${from}&to=${to}`)
      .then(setAggregate)
      .catch((err) => setError(explain(err)));
    (async () => {
      const uploads = new Map(span.map((d) => [d, 0]));
      const plays = new Map(span.map((d) => [d, 0]));
      let cursor: string | null = null;
      let read = 0;
      do {
        const q = new URLSearchParams({ limit: '1000', since: `${from}T00:00:00Z` });
        if (cursor) q.set('cursor', cursor);
        const page: { events: UsageEvent[]; next_cursor: string | null } = await api.get(`/v1/usage?${q}`);
        for (const e of page.events) {
          const d = day(e.time);
          if (isUpload(e) && uploads.has(d)) uploads.set(d, uploads.get(d)! + 1);
          if (isPlay(e) && plays.has(d)) plays.set(d, plays.get(d)! + 1);
        }
        read += page.events.length;
        cursor = page.next_cursor;
      } while (cursor && read < MAX_EVENTS);
      const bars = (m: Map<string, number>) => [...m].map(([label, value]) => ({ label, value }));
      setPerDay({ uploads: bars(uploads), plays: bars(plays), truncated: Boolean(cursor) });
    })().catch((err) => setError(explain(err)));
  }, [id, days]);

  return (
    <Page title={account ? `Usage · ${account.name}` : 'Usage'}>
      <AccountNav id={id} current="usage" />
      <Select
        label="Period"
        value={days}
        onValue={setDays}
        options={[
          ['7', 'Last 7 days'],
          ['30', 'Last 30 days'],
          ['90', 'Last 90 days'],
        ]}
      />
      <ErrorMessage message={error} />
      <section aria-labelledby="per-day-heading">
        <h2 id="per-day-heading">Per day</h2>
        {!perDay && !error && <p aria-live="polite">Loading…</p>}
        {perDay && (
          <>
            <BarChart title="Uploads per day" unit="uploads" bars={perDay.uploads} />
            <BarChart title="Plays per day" unit="content requests" bars={perDay.plays} />
            <p class="hint">
              A play counts each request for media content: a player may make several for one viewing (seeking,
              ranges).
              {perDay.truncated ? ` Only the newest ${MAX_EVENTS} events were counted.` : ''}
            </p>
          </>
        )}
      </section>
      <section aria-labelledby="sources-heading">
        <h2 id="sources-heading">Where usage comes from</h2>
        {aggregate && (
          <>
            <p>
              {aggregate.events} requests from {aggregate.from} to {aggregate.to}, as k-anonymous aggregates: a group
              of fewer than {aggregate.k} people is pooled under "other", and a day with fewer is left out, so that no
              figure points at one person.
            </p>
            <BarChart title="Requests by country" unit="requests" bars={cellsToBars(aggregate.by_country)} />
            <BarChart title="Requests by browser" unit="requests" bars={cellsToBars(aggregate.by_browser)} />
            <BarChart
              title="Requests per day"
              unit="requests"
              bars={(aggregate.by_day ?? []).map((c) => ({ label: c.value, value: c.events }))}
            />
          </>
        )}
      </section>
    </Page>
  );
}
