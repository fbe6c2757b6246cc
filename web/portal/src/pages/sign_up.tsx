// Sign-up, with the age gate the API enforces: under 16 in the EEA, or
// under 13 elsewhere, is refused (SEC-4). The birth date and country are
// asked for that reason only.
import { useMemo, useState } from 'preact/hooks';
import { explain, post, type PortalSession } from '../api';
import { ErrorMessage, Field, Page, Select } from '../components/ui';
import { countryOptions } from '../countries';
import { Link } from '../router';

export function SignUpPage({ onSignedIn }: { onSignedIn: (s: PortalSession) => void }) {
  const countries = useMemo(() => [['', 'Choose a country'] as [string, string], ...countryOptions()], []);
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [country, setCountry] = useState('');
  const [birthDate, setBirthDate] = useState('');
  const [company, setCompany] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    const form: Record<string, string> = { name, email, password, country, birth_date: birthDate };
    if (company.trim()) form.company = company.trim();
    try {
      onSignedIn(await post<PortalSession>('/v1/portal/signup', form));
    } catch (err) {
      setError(explain(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Page title="Create a customer account">
      <form onSubmit={submit} aria-describedby="signup-error">
        <Field label="Full name" value={name} onValue={setName} required autocomplete="name" />
        <Field label="Email address" type="email" value={email} onValue={setEmail} required autocomplete="email" />
        <Field
          label="Password"
          hint="At least 12 characters. A few unrelated words make a strong one."
          type="password"
          value={password}
          onValue={setPassword}
          required
          minLength={12}
          autocomplete="new-password"
        />
        <Select
          label="Country"
          hint="Where you live. With your birth date it decides whether you may sign up: at least 16 in the EEA, 13 elsewhere."
          value={country}
          onValue={setCountry}
          options={countries}
          required
          autocomplete="country"
        />
        <Field
          label="Birth date"
          type="date"
          value={birthDate}
          onValue={setBirthDate}
          required
          autocomplete="bday"
          max={new Date().toISOString().slice(0, 10)}
        />
        <Field label="Company (optional)" value={company} onValue={setCompany} autocomplete="organization" />
        <div id="signup-error">
          <ErrorMessage message={error} />
        </div>
        <div class="actions">
          <button type="submit" disabled={busy}>
            Create account
          </button>
        </div>
      </form>
      <p>
        Have an account already? <Link href="/signin">Sign in</Link>.
      </p>
    </Page>
  );
}
