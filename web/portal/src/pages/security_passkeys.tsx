// Passkeys on the Security page (issue 15): name one and add it (the
// browser asks the authenticator to make it), see them with when each was
// made and last used, and remove one. A passkey signs in alone: it is a
// device you hold, unlocked by your fingerprint, face or PIN.
import { useEffect, useState } from 'preact/hooks';
import { del, explain, get } from '../api';
import { ErrorMessage, Field, formatTime, Notice } from '../components/ui';
import { addPasskey, CUSTOMER_PASSKEYS, explainWebAuthn, passkeysSupported, type Passkey } from '../webauthn';

// `base`: whose passkeys (webauthn.ts); the staff console passes STAFF_PASSKEYS.
export function PasskeysSection({ base = CUSTOMER_PASSKEYS }: { base?: string }) {
  const [passkeys, setPasskeys] = useState<Passkey[]>([]);
  const [name, setName] = useState('');
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');
  const [busy, setBusy] = useState(false);

  const load = async () => {
    try {
      setPasskeys((await get<{ passkeys: Passkey[] }>(base)).passkeys);
    } catch (err) {
      setError(explain(err));
    }
  };
  useEffect(() => {
    void load();
  }, []);

  const add = async (e: Event) => {
    e.preventDefault();
    setError('');
    setNotice('');
    setBusy(true);
    try {
      const made = await addPasskey(name.trim(), base);
      setName('');
      setNotice(`Passkey “${made.name}” added.`);
      await load();
    } catch (err) {
      setError(explainWebAuthn(err) ?? explain(err));
    } finally {
      setBusy(false);
    }
  };

  const remove = async (p: Passkey) => {
    setError('');
    setNotice('');
    try {
      await del(`${base}/${encodeURIComponent(p.id)}`);
      setNotice(`Passkey “${p.name}” removed.`);
      await load();
    } catch (err) {
      setError(explain(err));
    }
  };

  return (
    <section aria-labelledby="passkeys-heading">
      <h2 id="passkeys-heading">Passkeys</h2>
      <p>
        A passkey signs you in without a password or a code: your device keeps it, and unlocks it with your fingerprint,
        face or PIN.
      </p>
      {notice && <Notice message={notice} />}
      {passkeysSupported() ? (
        <form onSubmit={add}>
          <Field label="Passkey name" value={name} onValue={setName} required maxLength={64} hint="For example, the device that keeps it." />
          <div class="actions">
            <button type="submit" disabled={busy}>
              Add a passkey
            </button>
          </div>
        </form>
      ) : (
        <p>This browser cannot make passkeys.</p>
      )}
      {passkeys.length === 0 ? (
        <p>No passkeys.</p>
      ) : (
        <table>
          <caption>Your passkeys</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {passkeys.map((p) => (
              <tr key={p.id}>
                <th scope="row" id={`passkey-${p.id}`}>
                  {p.name}
                </th>
                <td>{formatTime(p.created_at)}</td>
                <td>{p.last_used_at ? formatTime(p.last_used_at) : 'Never'}</td>
                <td>
                  <button type="button" class="danger" onClick={() => remove(p)} aria-describedby={`passkey-${p.id}`}>
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ErrorMessage message={error} />
    </section>
  );
}
