// The staff console, /staff and /staff/{section} (issue 15; USE-4, USE-6,
// ADM-1, SHR-4): staff sign in with their ID, password and authenticator
// code, and get their own cookie session (__Host-lethe_staff, with its
// CSRF token; never the customer's). The sections are the staff routes,
// shown only to the roles the server opens them to:
// - access grants (every role): list, grant, revoke;
// - legal holds (legal, admin): place and release, under a legal grant;
// - appeals (security): the review queue, decided with reasons;
// - legal requests (security, legal): record, decide, non-disclosure;
// - passkeys (every role): the staff member's own, which sign in to the
//   console alone ("Sign in with a passkey").
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { explain, post } from '../api';
import { useCookieSession } from '../session';
import { ErrorMessage, Field, Page } from '../components/ui';
import { Link, navigate } from '../router';
import { explainWebAuthn, passkeysSupported, signInWithPasskey, STAFF_PASSKEYS } from '../webauthn';
import { PasskeysSection } from './security_passkeys';
import { AppealsSection, LegalRequestsSection } from './staff_legal';
import { GrantsSection, LegalHoldsSection } from './staff_sections';

type Role = 'support' | 'security' | 'legal' | 'admin';
interface StaffSession {
  staff: { id: string; name: string; role: Role };
  csrf_token: string;
}

interface Section {
  path: string;
  title: string;
  roles: Role[];
  about: string;
}
export const STAFF_SECTIONS: Section[] = [
  { path: 'grants', title: 'Access grants', roles: ['support', 'security', 'legal', 'admin'],
    about: 'Your grants to reach one account’s data, for a purpose and a ticket, for hours.' },
  { path: 'legal-holds', title: 'Legal holds', roles: ['legal', 'admin'],
    about: 'Place and release holds that keep an account’s data from erasure.' },
  { path: 'appeals', title: 'Appeals', roles: ['security'],
    about: 'Suspended accounts asking for human review.' },
  { path: 'legal-requests', title: 'Legal requests', roles: ['security', 'legal'],
    about: 'Requests from authorities: record, decide, non-disclosure orders.' },
  { path: 'passkeys', title: 'Passkeys', roles: ['support', 'security', 'legal', 'admin'],
    about: 'Your passkeys, which sign you in here without a password or a code.' },
];

export function StaffConsole({ section }: { section: string }) {
  // undefined while the session is read, null when signed out.
  const held = useCookieSession<StaffSession>('/v1/staff/portal/session', '/v1/staff/sessions');
  const { session, signedIn } = held;
  const signOut = async () => {
    await held.signOut();
    navigate('/staff');
  };

  const open = session ? STAFF_SECTIONS.filter((s) => s.roles.includes(session.staff.role)) : [];
  let content: ComponentChildren = null;
  if (session === null) content = <StaffSignIn onSignedIn={signedIn} />;
  else if (session) {
    const current = STAFF_SECTIONS.find((s) => s.path === section);
    if (section === '') content = <Overview sections={open} who={session.staff} />;
    else if (!current) content = <Page title="Not found"><p>There is no such section of the staff console.</p></Page>;
    else if (!open.includes(current)) {
      content = (
        <Page title={current.title}>
          <p>This section is not open to the {session.staff.role} role.</p>
        </Page>
      );
    } else if (current.path === 'grants') content = <GrantsSection />;
    else if (current.path === 'legal-holds') content = <LegalHoldsSection />;
    else if (current.path === 'appeals') content = <AppealsSection />;
    else if (current.path === 'passkeys') {
      content = (
        <Page title="Your passkeys">
          <PasskeysSection base={STAFF_PASSKEYS} />
        </Page>
      );
    }
    else content = <LegalRequestsSection />;
  }

  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="top">
        <Link href="/staff" class="brand">
          Lethe staff
        </Link>
        {session && (
          <nav aria-label="Staff">
            <ul>
              {open.map((s) => (
                <li key={s.path}>
                  <Link href={`/staff/${s.path}`} aria-current={section === s.path ? 'page' : undefined}>
                    {s.title}
                  </Link>
                </li>
              ))}
            </ul>
            <span class="who">
              {session.staff.name} ({session.staff.role})
            </span>
            <button type="button" class="secondary" onClick={signOut}>
              Sign out
            </button>
          </nav>
        )}
      </header>
      <main id="main" tabIndex={-1}>
        {session === undefined ? <p aria-live="polite">Loading…</p> : content}
      </main>
    </>
  );
}

function StaffSignIn({ onSignedIn }: { onSignedIn: (s: StaffSession) => void }) {
  const [id, setId] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      onSignedIn(await post<StaffSession>('/v1/staff/portal/sessions', { staff_id: id.trim(), password, code: code.trim() }));
    } catch (err) {
      setError(explain(err));
    } finally {
      setBusy(false);
    }
  };
  // A passkey is two factors by itself: no password, no code.
  const usePasskey = async () => {
    setBusy(true);
    setError('');
    try {
      onSignedIn(await signInWithPasskey<StaffSession>('/v1/staff/portal/passkey-sessions'));
    } catch (err) {
      setError(explainWebAuthn(err) ?? explain(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Page title="Staff sign-in">
      <p>For Lethe staff. Every sign-in and every use of customer data is logged, and the customer sees it.</p>
      <ErrorMessage message={error} />
      <form onSubmit={submit}>
        <Field label="Staff ID" value={id} onValue={setId} required autocomplete="username" spellcheck={false} />
        <Field label="Password" type="password" value={password} onValue={setPassword} required autocomplete="current-password" />
        <Field label="Authentication code" value={code} onValue={setCode} required autocomplete="one-time-code" inputMode="numeric" spellcheck={false} />
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
    </Page>
  );
}

function Overview({ sections, who }: { sections: Section[]; who: StaffSession['staff'] }) {
  return (
    <Page title="Staff console">
      <p>
        Signed in as {who.name} ({who.id}), role {who.role}. Customer data opens only under an access grant you make, with a
        purpose and a ticket; the customer sees it in their access log.
      </p>
      <ul class="sections">
        {sections.map((s) => (
          <li key={s.path}>
            <Link href={`/staff/${s.path}`}>{s.title}</Link>: {s.about}
          </li>
        ))}
      </ul>
    </Page>
  );
}
