// Webhooks (issue 12): the account's endpoints, a form to add one (its
// signing secret shown once), and per webhook its deliveries with every
// attempt: when, the receiver's status code or the error, and the next retry.
import { useEffect, useState } from 'preact/hooks';
import { del, explain, get, post } from '../api';
import { formatInstant, WEBHOOK_EVENTS, type Webhook, type WebhookDelivery } from '../compliance_api';
import { ErrorMessage, Field, formatTime, Notice, Page, Secret } from '../components/ui';
import { Link } from '../router';
import { sectionPath, SectionTrail } from './compliance';

export function WebhooksPage({ accountId, webhookId }: { accountId: string; webhookId?: string }) {
  return webhookId ? <Deliveries accountId={accountId} webhookId={webhookId} /> : <WebhookList accountId={accountId} />;
}

function WebhookList({ accountId }: { accountId: string }) {
  const base = `/v1/accounts/${encodeURIComponent(accountId)}/webhooks`;
  const [hooks, setHooks] = useState<Webhook[] | null>(null);
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<string[]>([]);
  const [made, setMade] = useState<Webhook | null>(null);
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');

  const load = async () => setHooks((await get<{ webhooks: Webhook[] }>(base)).webhooks);
  useEffect(() => {
    load().catch((err) => setError(explain(err)));
  }, [base]);

  const create = async (e: Event) => {
    e.preventDefault();
    setError('');
    setNotice('');
    try {
      setMade(await post<Webhook>(base, { url: url.trim(), events }));
      setUrl('');
      await load();
    } catch (err) {
      setError(explain(err));
    }
  };
  const remove = async (w: Webhook) => {
    setError('');
    try {
      await del(`${base}/${encodeURIComponent(w.id)}`);
      if (made?.id === w.id) setMade(null);
      await load();
      setNotice(`Webhook ${w.url} deleted.`);
    } catch (err) {
      setError(explain(err));
    }
  };
  const toggle = (event: string, on: boolean) =>
    setEvents((now) => WEBHOOK_EVENTS.filter((x) => (x === event ? on : now.includes(x))));

  return (
    <Page title="Webhooks">
      <SectionTrail id={accountId} />
      <p>
        Lethe tells your server of events in this account by HTTPS POST, signed as Standard Webhooks specify. A receiver
        that does not answer 2xx is tried again after 30 seconds, then 1, 2, 4… minutes (at most 4 hours apart) for 24
        hours.
      </p>
      {hooks === null ? (
        !error && <p aria-live="polite">Loading…</p>
      ) : hooks.length === 0 ? (
        <p>No webhooks.</p>
      ) : (
        <table>
          <caption>Webhooks</caption>
          <thead>
            <tr>
              <th scope="col">Endpoint</th>
              <th scope="col">Events</th>
              <th scope="col">Created</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {hooks.map((w) => (
              <tr key={w.id}>
                <th scope="row">
                  <Link href={sectionPath(accountId, 'webhooks', w.id)}>
                    <code>{w.url}</code>
                  </Link>
                </th>
                <td>{w.events.join(', ')}</td>
                <td>{formatTime(w.created_at)}</td>
                <td>
                  <button type="button" class="danger" aria-label={`Delete webhook ${w.url}`} onClick={() => remove(w)}>
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {hooks && hooks.length > 0 && <p>Open an endpoint to see its deliveries and their attempts.</p>}
      <ErrorMessage message={error} />
      {notice && <Notice message={notice} />}
      <section aria-labelledby="new-webhook-heading">
        <h2 id="new-webhook-heading">Add a webhook</h2>
        <form onSubmit={create}>
          <Field
            label="Endpoint URL"
            hint="https://, or http:// to a loopback host (127.0.0.1, localhost) for testing."
            type="url"
            value={url}
            onValue={setUrl}
            required
            placeholder="https://app.example.com/hooks/lethe"
          />
          <fieldset>
            <legend>Events</legend>
            {WEBHOOK_EVENTS.map((event) => (
              <label class="check" key={event}>
                <input type="checkbox" checked={events.includes(event)} onChange={(e) => toggle(event, (e.currentTarget as HTMLInputElement).checked)} />{' '}
                {event}
              </label>
            ))}
          </fieldset>
          <div class="actions">
            <button type="submit" disabled={events.length === 0}>
              Add webhook
            </button>
          </div>
        </form>
        {made?.secret && (
          <Secret label={`Signing secret of ${made.url}`} value={made.secret}>
            <p>Your server checks each delivery's signature with it.</p>
          </Secret>
        )}
      </section>
    </Page>
  );
}

function Deliveries({ accountId, webhookId }: { accountId: string; webhookId: string }) {
  const base = `/v1/accounts/${encodeURIComponent(accountId)}/webhooks`;
  const [hook, setHook] = useState<Webhook | null>(null);
  const [deliveries, setDeliveries] = useState<WebhookDelivery[] | null>(null);
  const [error, setError] = useState('');

  const load = async () => {
    const hooks = (await get<{ webhooks: Webhook[] }>(base)).webhooks;
    setHook(hooks.find((w) => w.id === webhookId) ?? null);
    setDeliveries((await get<{ deliveries: WebhookDelivery[] }>(`${base}/${encodeURIComponent(webhookId)}/deliveries`)).deliveries);
  };
  useEffect(() => {
    load().catch((err) => setError(explain(err)));
  }, [base, webhookId]);

  return (
    <Page title={hook ? `Deliveries to ${hook.url}` : 'Webhook deliveries'}>
      <nav aria-label="Breadcrumb" class="trail">
        <Link href={sectionPath(accountId, 'webhooks')}>Webhooks</Link>
      </nav>
      {hook && (
        <p>
          Events: {hook.events.join(', ')}. Created {formatTime(hook.created_at)}.
        </p>
      )}
      <ErrorMessage message={error} />
      <div class="actions">
        <button type="button" class="secondary" onClick={() => load().catch((err) => setError(explain(err)))}>
          Refresh
        </button>
      </div>
      {deliveries === null ? (
        !error && <p aria-live="polite">Loading…</p>
      ) : deliveries.length === 0 ? (
        <p>No deliveries yet.</p>
      ) : (
        <table>
          <caption>Deliveries, newest first, with each attempt</caption>
          <thead>
            <tr>
              <th scope="col">Delivery</th>
              <th scope="col">State</th>
              <th scope="col">Attempts</th>
              <th scope="col">Next retry</th>
            </tr>
          </thead>
          <tbody>
            {deliveries.map((d) => (
              <tr key={d.id}>
                <th scope="row">
                  {d.event_type} <code>{d.id}</code>
                  <br />
                  {formatInstant(d.created_at)}
                </th>
                <td>{deliveryState(d.state)}</td>
                <td>
                  <ol class="attempts" aria-label={`Attempts of ${d.id}`}>
                    {d.attempts_log.map((a) => (
                      <li key={a.attempt}>
                        {formatInstant(a.at)}:{' '}
                        {a.status_code !== null ? `HTTP ${a.status_code}` : 'no answer'}
                        {a.error && a.error !== `HTTP ${a.status_code}` ? ` (${a.error})` : ''}, {a.duration_ms} ms
                      </li>
                    ))}
                  </ol>
                </td>
                <td>{d.next_attempt_at ? formatInstant(d.next_attempt_at) : 'none'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}

function deliveryState(state: string): string {
  switch (state) {
    case 'pending':
      return 'Pending (will retry)';
    case 'delivered':
      return 'Delivered';
    case 'failed':
      return 'Failed (gave up)';
    default:
      return state;
  }
}
