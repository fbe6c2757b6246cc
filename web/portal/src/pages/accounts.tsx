// The customer's accounts (one per app), and a form to create one. An
// account's region (where its data is stored) is chosen once and fixed.
import { useEffect, useState } from 'preact/hooks';
import { explain, get, post, type Account } from '../api';
import { ErrorMessage, Field, formatTime, Page, Secret, Select } from '../components/ui';
import { Link } from '../router';
import { accountPath } from '../routes';

export const REGIONS: Array<[string, string]> = [
  ['eu', 'European Union (eu)'],
  ['us', 'United States (us)'],
];

export function regionName(region: string): string {
  return REGIONS.find(([code]) => code === region)?.[1] ?? region;
}

export function AccountsPage() {
  const [accounts, setAccounts] = useState<Account[] | null>(null);
  const [loadError, setLoadError] = useState('');
  const [name, setName] = useState('');
  const [region, setRegion] = useState('eu');
  const [created, setCreated] = useState<Account | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const load = async () => {
    try {
      setAccounts((await get<{ accounts: Account[] }>('/v1/accounts')).accounts);
    } catch (err) {
      setLoadError(explain(err));
    }
  };
  useEffect(() => {
    void load();
  }, []);

  const create = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      const account = await post<Account>('/v1/accounts', { name, region });
      setCreated(account);
      setName('');
      await load();
    } catch (err) {
      setError(explain(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Page title="Accounts">
      <p>Each app of yours has an account: its own media, credentials and settings.</p>
      <ErrorMessage message={loadError} />
      {accounts && accounts.length === 0 && <p>You have no accounts yet. Create one below.</p>}
      {accounts && accounts.length > 0 && (
        <table>
          <caption>Your accounts</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Region</th>
              <th scope="col">Id</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {accounts.map((a) => (
              <tr key={a.id}>
                <th scope="row">
                  <Link href={accountPath(a.id)}>{a.name}</Link>
                </th>
                <td>{regionName(a.region)}</td>
                <td>
                  <code>{a.id}</code>
                </td>
                <td>{formatTime(a.created_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <section aria-labelledby="create-account">
        <h2 id="create-account">Create an account</h2>
        <form onSubmit={create}>
          <Field label="Account name" hint="Usually your app's name." value={name} onValue={setName} required maxLength={200} />
          <Select
            label="Region"
            hint="Where the account's media and metadata are stored. It is fixed for the account's life."
            value={region}
            onValue={setRegion}
            options={REGIONS}
            required
          />
          <ErrorMessage message={error} />
          <div class="actions">
            <button type="submit" disabled={busy}>
              Create account
            </button>
          </div>
        </form>
        {created?.api_token && (
          <Secret label={`API token of ${created.name}`} value={created.api_token}>
            <p>
              Your app uses it as a Bearer token. Manage the account on <Link href={accountPath(created.id)}>its page</Link>.
            </p>
          </Secret>
        )}
      </section>
    </Page>
  );
}
