// One account: its region (fixed), API keys, upload tokens and the web
// origins whose pages may call its data plane.
import { useEffect, useState } from 'preact/hooks';
import { del, explain, get, patch, post, type Account, type ApiKey, type UploadToken } from '../api';
import { ErrorMessage, Field, formatTime, Notice, Page, Secret } from '../components/ui';
import { AccountNav, AccountUnavailable, useAccount } from '../components/account_nav';
import { regionName } from './accounts';
import { ComplianceLinks } from './compliance';

export function AccountPage({ id }: { id: string }) {
  const base = `/v1/accounts/${encodeURIComponent(id)}`;
  const { account, setAccount, error } = useAccount(id);

  if (error) return <AccountUnavailable title="Account" error={error} />;
  if (!account) return <p aria-live="polite">Loading…</p>;
  return (
    <Page title={account.name}>
      <AccountNav id={account.id} current="overview" />
      <dl class="facts">
        <dt>Id</dt>
        <dd>
          <code>{account.id}</code>
        </dd>
        <dt>Region</dt>
        <dd>{regionName(account.region)}, fixed for the account's life</dd>
        <dt>Created</dt>
        <dd>{formatTime(account.created_at)}</dd>
      </dl>
      <ApiKeys base={base} />
      <UploadTokens base={base} />
      <AllowedOrigins base={base} account={account} onChange={setAccount} />
      <ComplianceLinks id={account.id} />
    </Page>
  );
}

function ApiKeys({ base }: { base: string }) {
  const [keys, setKeys] = useState<ApiKey[]>([]);
  const [created, setCreated] = useState<ApiKey | null>(null);
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');

  const load = async () => setKeys((await get<{ keys: ApiKey[] }>(`${base}/keys`)).keys);
  useEffect(() => {
    load().catch((err) => setError(explain(err)));
  }, [base]);

  const create = async () => {
    setError('');
    setNotice('');
    try {
      setCreated(await post<ApiKey>(`${base}/keys`));
      await load();
    } catch (err) {
      setError(explain(err));
    }
  };
  const revoke = async (keyId: string) => {
    setError('');
    try {
      await del(`${base}/keys/${encodeURIComponent(keyId)}`);
      if (created?.key_id === keyId) setCreated(null);
      setNotice(`Key ${keyId} revoked.`);
      await load();
    } catch (err) {
      setError(explain(err));
    }
  };

  return (
    <section aria-labelledby="keys-heading">
      <h2 id="keys-heading">API keys</h2>
      <p>Servers use a key as HTTP Basic credentials (key id and secret).</p>
      {keys.length === 0 ? (
        <p>No API keys.</p>
      ) : (
        <table>
          <caption>API keys</caption>
          <thead>
            <tr>
              <th scope="col">Key id</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {keys.map((k) => (
              <tr key={k.key_id}>
                <th scope="row">
                  <code>{k.key_id}</code>
                </th>
                <td>{formatTime(k.created_at)}</td>
                <td>{formatTime(k.last_used_at)}</td>
                <td>
                  <button type="button" class="danger" onClick={() => revoke(k.key_id)} aria-label={`Revoke key ${k.key_id}`}>
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ErrorMessage message={error} />
      {notice && <Notice message={notice} />}
      <div class="actions">
        <button type="button" onClick={create}>
          Create API key
        </button>
      </div>
      {created?.secret && (
        <Secret label={`Secret of key ${created.key_id}`} value={created.secret} />
      )}
    </section>
  );
}

const KINDS = ['video', 'audio', 'image'];

function UploadTokens({ base }: { base: string }) {
  const [tokens, setTokens] = useState<UploadToken[]>([]);
  const [endUser, setEndUser] = useState('');
  const [kinds, setKinds] = useState<string[]>([...KINDS]);
  const [uses, setUses] = useState('1');
  const [minutes, setMinutes] = useState('15');
  const [issued, setIssued] = useState<UploadToken | null>(null);
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');

  const load = async () =>
    setTokens((await get<{ upload_tokens: UploadToken[] }>(`${base}/upload-tokens`)).upload_tokens);
  useEffect(() => {
    load().catch((err) => setError(explain(err)));
  }, [base]);

  const issue = async (e: Event) => {
    e.preventDefault();
    setError('');
    setNotice('');
    try {
      setIssued(
        await post<UploadToken>(`${base}/upload-tokens`, {
          end_user: endUser,
          kinds,
          uses: Number(uses),
          expires_in: Number(minutes) * 60,
        }),
      );
      setEndUser('');
      await load();
    } catch (err) {
      setError(explain(err));
    }
  };
  const revoke = async (tokenId: string) => {
    setError('');
    try {
      await del(`${base}/upload-tokens/${encodeURIComponent(tokenId)}`);
      if (issued?.id === tokenId) setIssued(null);
      setNotice(`Upload token ${tokenId} revoked.`);
      await load();
    } catch (err) {
      setError(explain(err));
    }
  };
  const toggle = (kind: string, on: boolean) =>
    setKinds((now) => KINDS.filter((k) => (k === kind ? on : now.includes(k))));

  return (
    <section aria-labelledby="tokens-heading">
      <h2 id="tokens-heading">Upload tokens</h2>
      <p>A browser uploads one end user's media with a token, without your API token. Tokens expire by themselves.</p>
      {tokens.length === 0 ? (
        <p>No live upload tokens.</p>
      ) : (
        <table>
          <caption>Live upload tokens</caption>
          <thead>
            <tr>
              <th scope="col">Token id</th>
              <th scope="col">End user</th>
              <th scope="col">Kinds</th>
              <th scope="col">Uses left</th>
              <th scope="col">Expires</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {tokens.map((t) => (
              <tr key={t.id}>
                <th scope="row">
                  <code>{t.id}</code>
                </th>
                <td>{t.end_user}</td>
                <td>{t.kinds.join(', ')}</td>
                <td>{t.uses}</td>
                <td>{formatTime(t.expires_at)}</td>
                <td>
                  <button type="button" class="danger" onClick={() => revoke(t.id)} aria-label={`Revoke upload token ${t.id}`}>
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form onSubmit={issue}>
        <Field label="End user" hint="Your app's id for the person who uploads." value={endUser} onValue={setEndUser} required maxLength={256} />
        <fieldset>
          <legend>Media it may upload</legend>
          {KINDS.map((kind) => (
            <label class="check" key={kind}>
              <input
                type="checkbox"
                checked={kinds.includes(kind)}
                onChange={(e) => toggle(kind, (e.currentTarget as HTMLInputElement).checked)}
              />{' '}
              {kind}
            </label>
          ))}
        </fieldset>
        <Field label="Uses" type="number" min={1} max={1000} value={uses} onValue={setUses} required />
        <Field label="Expires after (minutes)" type="number" min={1} max={1440} value={minutes} onValue={setMinutes} required />
        <ErrorMessage message={error} />
        {notice && <Notice message={notice} />}
        <div class="actions">
          <button type="submit" disabled={kinds.length === 0}>
            Issue upload token
          </button>
        </div>
      </form>
      {issued?.token && <Secret label={`Upload token for ${issued.end_user}`} value={issued.token} />}
    </section>
  );
}

function AllowedOrigins({
  base,
  account,
  onChange,
}: {
  base: string;
  account: Account;
  onChange: (a: Account) => void;
}) {
  const [origin, setOrigin] = useState('');
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');

  const save = async (origins: string[], message: string) => {
    setError('');
    setNotice('');
    try {
      onChange(await patch<Account>(base, { allowed_origins: origins }));
      setNotice(message);
      return true;
    } catch (err) {
      setError(explain(err));
      return false;
    }
  };
  const add = async (e: Event) => {
    e.preventDefault();
    if (await save([...account.allowed_origins, origin.trim()], `${origin.trim()} may now call the account.`)) setOrigin('');
  };

  return (
    <section aria-labelledby="origins-heading">
      <h2 id="origins-heading">Allowed origins</h2>
      <p>Web pages on these origins may call the account's API from the browser (CORS). Others are refused.</p>
      {account.allowed_origins.length === 0 ? (
        <p>No origins: browsers on other sites cannot call the account.</p>
      ) : (
        <ul class="origins">
          {account.allowed_origins.map((o) => (
            <li key={o}>
              <code>{o}</code>{' '}
              <button
                type="button"
                class="danger"
                aria-label={`Remove ${o}`}
                onClick={() => save(account.allowed_origins.filter((x) => x !== o), `${o} removed.`)}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      <form onSubmit={add}>
        <Field
          label="Origin"
          hint="scheme://host[:port], e.g. https://app.example.com"
          type="url"
          value={origin}
          onValue={setOrigin}
          required
          placeholder="https://app.example.com"
        />
        <ErrorMessage message={error} />
        {notice && <Notice message={notice} />}
        <div class="actions">
          <button type="submit">Add origin</button>
        </div>
      </form>
    </section>
  );
}
