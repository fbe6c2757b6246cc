// Two-factor authentication (ACC-4) with an authenticator app: scan the QR
// code (or type the key), confirm with a code, keep the recovery codes.
// Turning it off takes a current code.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, call, explain, post } from '../api';
import { ErrorMessage, Field, Notice, Page } from '../components/ui';
import { PasskeysSection } from './security_passkeys';

interface Enrolment {
  uri: string;
  secret: string;
  qr_svg: string;
}

// The QR code as an image from a blob: URL (allowed by the CSP, unlike
// inline markup): an SVG in an <img> runs no script.
function QrImage({ svg }: { svg: string }) {
  const [url, setUrl] = useState('');
  useEffect(() => {
    const made = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
    setUrl(made);
    return () => URL.revokeObjectURL(made);
  }, [svg]);
  return url ? <img class="qr" src={url} alt="QR code to scan with your authenticator app" width={200} height={200} /> : null;
}

export function SecurityPage() {
  const [state, setState] = useState<'unknown' | 'pending' | 'on' | 'off'>('unknown');
  const [enrolment, setEnrolment] = useState<Enrolment | null>(null);
  const [code, setCode] = useState('');
  const [recovery, setRecovery] = useState<string[]>([]);
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');

  const start = async () => {
    setError('');
    setNotice('');
    try {
      setEnrolment(await post<Enrolment>('/v1/me/2fa/totp'));
      setState('pending');
    } catch (err) {
      if (err instanceof ApiError && err.reason === '2fa-already-on') {
        setState('on');
      } else {
        setError(explain(err));
      }
    }
  };
  const confirm = async (e: Event) => {
    e.preventDefault();
    setError('');
    try {
      const done = await post<{ recovery_codes: string[] }>('/v1/me/2fa/totp/confirm', { code: code.trim() });
      setRecovery(done.recovery_codes);
      setEnrolment(null);
      setCode('');
      setState('on');
      setNotice('Two-factor authentication is on.');
    } catch (err) {
      setError(explain(err));
    }
  };
  const turnOff = async (e: Event) => {
    e.preventDefault();
    setError('');
    try {
      await call('DELETE', '/v1/me/2fa', { code: code.trim() });
      setCode('');
      setRecovery([]);
      setState('off');
      setNotice('Two-factor authentication is off.');
    } catch (err) {
      setError(explain(err));
    }
  };

  return (
    <Page title="Security">
      <section aria-labelledby="twofa-heading">
        <h2 id="twofa-heading">Two-factor authentication</h2>
        <p>With it on, signing in takes a code from an authenticator app as well as your password.</p>
        {notice && <Notice message={notice} />}
        {(state === 'unknown' || state === 'off') && (
          <div class="actions">
            <button type="button" onClick={start}>
              Turn on two-factor authentication
            </button>
          </div>
        )}
        {state === 'pending' && enrolment && (
          <form onSubmit={confirm}>
            <ol class="steps">
              <li>
                Scan this code with your authenticator app:
                <QrImage svg={enrolment.qr_svg} />
              </li>
              <li>
                Or enter this key by hand: <code class="totp-secret">{enrolment.secret}</code>
              </li>
              <li>Enter the 6-digit code the app shows:</li>
            </ol>
            <Field
              label="Code from the app"
              value={code}
              onValue={setCode}
              required
              autocomplete="one-time-code"
              inputMode="numeric"
              pattern="[0-9]{6}"
              spellcheck={false}
            />
            <div class="actions">
              <button type="submit">Confirm</button>
            </div>
          </form>
        )}
        {recovery.length > 0 && (
          <section class="secret" aria-labelledby="recovery-heading">
            <h3 id="recovery-heading">Recovery codes</h3>
            <p>Each signs you in once if you lose your phone. Keep them somewhere safe: they are not shown again.</p>
            <ul class="recovery-codes">
              {recovery.map((c) => (
                <li key={c}>
                  <code>{c}</code>
                </li>
              ))}
            </ul>
          </section>
        )}
        {state === 'on' && recovery.length === 0 && (
          <form onSubmit={turnOff}>
            <p>Two-factor authentication is on. To turn it off, enter a current code.</p>
            <Field label="Current code" value={code} onValue={setCode} required autocomplete="one-time-code" inputMode="numeric" />
            <div class="actions">
              <button type="submit" class="danger">
                Turn off two-factor authentication
              </button>
            </div>
          </form>
        )}
        <ErrorMessage message={error} />
      </section>
      <PasskeysSection />
    </Page>
  );
}

