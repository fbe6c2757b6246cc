// The portal's shell: the session, the header, and the page for the path.
import { useEffect } from 'preact/hooks';
import { type PortalSession } from './api';
import { useCookieSession } from './session';
import { Link, navigate, usePath } from './router';
import { match, PUBLIC_PAGES } from './routes';
import { AccountPage } from './pages/account';
import { AccountsPage } from './pages/accounts';
import { complianceSection } from './pages/compliance';
import { NotFoundPage } from './pages/not_found';
import { PrivacyCenterShell } from './pages/privacy_center';
import { StaffConsole } from './pages/staff_console';
import { SecurityPage } from './pages/security';
import { SignInPage } from './pages/sign_in';
import { SignUpPage } from './pages/sign_up';
import { MediaItemPage } from './pages/media_item';
import { MediaLibraryPage } from './pages/media_library';
import { ErasurePage } from './pages/privacy_erasure';
import { PrivacyPage } from './pages/privacy_settings';
import { UsagePage } from './pages/usage_charts';

// The customer's portal, an account's privacy center for its end users,
// or the staff console: each with its own session (or none) and header.
export function App() {
  const route = match(usePath());
  if (route.page === 'privacyCenter') return <PrivacyCenterShell account={route.account} />;
  if (route.page === 'staff') return <StaffConsole section={route.section} />;
  return <CustomerApp />;
}

function CustomerApp() {
  const route = match(usePath());
  // undefined while the session is being read, null when signed out.
  const held = useCookieSession<PortalSession>('/v1/portal/session', '/v1/portal/session');
  const { session } = held;

  useEffect(() => {
    if (session === undefined) return;
    if (!session && !PUBLIC_PAGES.has(route.page)) navigate('/signin', true);
    if (session && (route.page === 'signin' || route.page === 'signup')) navigate('/', true);
  }, [session, route.page]);

  const signedIn = (s: PortalSession) => {
    held.signedIn(s);
    navigate('/');
  };
  const signOut = async () => {
    await held.signOut();
    navigate('/signin');
  };

  let content = null;
  if (session !== undefined) {
    switch (route.page) {
      case 'signin':
        content = session ? null : <SignInPage onSignedIn={signedIn} />;
        break;
      case 'signup':
        content = session ? null : <SignUpPage onSignedIn={signedIn} />;
        break;
      case 'accounts':
        content = session && <AccountsPage />;
        break;
      case 'account':
        content = session && <AccountPage id={route.id} />;
        break;
      case 'account-section':
        content = session && (complianceSection(route.id, route.section, route.item) ?? <NotFoundPage />);
        break;
      case 'security':
        content = session && <SecurityPage />;
        break;
      case 'media':
        content = session && <MediaLibraryPage key={route.id} id={route.id} />;
        break;
      case 'mediaItem':
        content = session && <MediaItemPage key={route.item} id={route.id} media={route.item} />;
        break;
      case 'privacy':
        content = session && <PrivacyPage key={route.id} id={route.id} />;
        break;
      case 'erasure':
        content = session && <ErasurePage key={route.item} id={route.id} erasure={route.item} />;
        break;
      case 'usage':
        content = session && <UsagePage key={route.id} id={route.id} />;
        break;
      case 'notfound':
        content = <NotFoundPage />;
        break;
    }
  }

  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="top">
        <Link href="/" class="brand">
          Lethe
        </Link>
        {session && (
          <nav aria-label="Main">
            <ul>
              <li>
                <Link href="/" aria-current={route.page === 'accounts' ? 'page' : undefined}>
                  Accounts
                </Link>
              </li>
              <li>
                <Link href="/security" aria-current={route.page === 'security' ? 'page' : undefined}>
                  Security
                </Link>
              </li>
            </ul>
            <span class="who">{session.customer.email}</span>
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
