// A cookie session as a page holds it: read once from the server (which
// also hands back its CSRF token after a reload), dropped when any call
// finds it expired, and ended at the server on sign-out. The customer
// portal and the staff console each keep one, with their own routes.
import { useEffect, useState } from 'preact/hooks';
import { del, get, SESSION_EXPIRED, setCsrfToken } from './api';

export interface CookieSession {
  csrf_token: string;
}

// `readPath` answers the session (GET), `endPath` ends it (DELETE).
// Returns the session (undefined while it is read, null when signed out),
// signedIn(s) to hold a new one, and signOut() to end it.
export function useCookieSession<T extends CookieSession>(readPath: string, endPath: string) {
  const [session, setSession] = useState<T | null | undefined>(undefined);

  useEffect(() => {
    get<T>(readPath)
      .then((s) => {
        setCsrfToken(s.csrf_token);
        setSession(s);
      })
      .catch(() => setSession(null));
    const expired = () => {
      setCsrfToken('');
      setSession(null);
    };
    window.addEventListener(SESSION_EXPIRED, expired);
    return () => window.removeEventListener(SESSION_EXPIRED, expired);
  }, [readPath]);

  const signedIn = (s: T) => {
    setCsrfToken(s.csrf_token);
    setSession(s);
  };
  const signOut = async () => {
    try {
      await del(endPath);
    } catch {
      // Ended already (expired, or elsewhere): the same outcome.
    }
    setCsrfToken('');
    setSession(null);
  };
  return { session, signedIn, signOut };
}
