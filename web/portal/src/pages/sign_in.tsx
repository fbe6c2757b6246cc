// Sign-in: email and password, then, when two-factor authentication is on,
// a code from the authenticator app (or a recovery code, or an SMS code).
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, call, explain, post, type Challenge, type PortalSession } from '../api';
import { ErrorMessage, Field, Notice, Page } from '../components/ui';
import { Link } from '../router';
import { explainWebAuthn, passkeysSupported, signInWithPasskey } from '../webauthn';

export function SignInPage({ onSignedIn }: { onSignedIn: (s: PortalSession) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [challenge, setChallenge] = useState<Challenge | null>(null);
  const [code, setCode] = useState('');
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');
  const [busy, setBusy] = useState(false);
  const codeField = useRef<HTMLInputElement>(null);
  // The second step's one task is typing the code: focus goes there.
  useEffect(() => {
    if (challenge) codeField.current?.focus();
  }, [challenge]);

  const submitPassword = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      const answer = await call<PortalSession | Challenge>('POST', '/v1/portal/sessions', { email, password });
      if (answer.status === 202) {
        setChallenge(answer.body as Challenge);
        setPassword('');
      } else {
        onSignedIn(answer.body as PortalSession);
      }
    } catch (err) {
      setError(explain(err));
    } finally {
      setBusy(false);
    }
  };

  const submitCode = async (e: Event) => {
    e.preventDefault();
    if (!challenge) return;
    setBusy(true);
    setError('');
    try {
      onSignedIn(await post<PortalSession>('/v1/portal/sessions/2fa', { challenge: challenge.challenge, code: code.trim() }));
    } catch (err) {
      setError(explain(err));
      if (err instanceof ApiError && err.reason.startsWith('challenge-')) setChallenge(null);
    } finally {
      setBusy(false);
    }
  };

  // A passkey is two factors by itself: it signs in with no code.
  const usePasskey = async () => {
    setBusy(true);
    setError('');
    try {
      onSignedIn(await signInWithPasskey());
    } catch (err) {
      setError(explainWebAuthn(err) ?? explain(err));
    } finally {
      setBusy(false);
    }
  };

  const sendSms = async () => {
    if (!challenge) return;
    setError('');
    try {
      await post('/v1/sessions/2fa/sms', { challenge: challenge.challenge });
      setNotice('A code is on its way to your phone.');
    } catch (err) {
      setError(explain(err));
    }
  };

  if (challenge) {
    return (
      <Page title="Two-step verification">
        <p>Enter the 6-digit code from your authenticator app. A recovery code works too.</p>
        <form onSubmit={submitCode} aria-describedby="signin-error">
          <Field
            label="Authentication code"
            value={code}
            onValue={setCode}
            required
            inputRef={codeField}
            autocomplete="one-time-code"
            inputMode="numeric"
            spellcheck={false}
          />
          <div id="signin-error">
            <ErrorMessage message={error} />
          </div>
          {notice && <Notice message={notice} />}
          <div class="actions">
            <button type="submit" disabled={busy}>
              Verify and sign in
            </button>
            {challenge.methods.includes('sms') && (
              <button type="button" class="secondary" onClick={sendSms}>
                Text me a code
              </button>
            )}
            <button type="button" class="link" onClick={() => setChallenge(null)}>
              Start again
            </button>
          </div>
        </form>
      </Page>
    );
  }

  return (
    <Page title="Sign in">
      <form onSubmit={submitPassword} aria-describedby="signin-error">
        <Field label="Email address" type="email" value={email} onValue={setEmail} required autocomplete="email" />
        <Field
          label="Password"
          type="password"
          value={password}
          onValue={setPassword}
          required
          autocomplete="current-password"
        />
        <div id="signin-error">
          <ErrorMessage message={error} />
        </div>
        <div class="actions">
          <button type="submit" disabled={busy}>
            Sign in
          </button>
          {passkeysSupported() && (
            <button type="button" class="secondary" disabled={busy} onClick={usePasskey}>
              Sign in with a passkey
            </button>
          )}
        </div>
      </form>
      <p>
        New to Lethe? <Link href="/signup">Create a customer account</Link>.
      </p>
    </Page>
  );
}
