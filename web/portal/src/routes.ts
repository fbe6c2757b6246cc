// The portal's pages and their paths. The server answers these paths with
// index.html (kPortalPages in src/http/portal_routes.h). It answers any
// /accounts/{id}/{section}[/{item}] and /staff/{section}, so a section
// added here needs nothing there; a page of another shape is added there
// too, and to docs/openapi.yaml.

export type Route =
  | { page: 'accounts' }
  | { page: 'signin' }
  | { page: 'signup' }
  | { page: 'security' }
  | { page: 'account'; id: string }
  | { page: 'privacy'; account: string }
  | { page: 'staff'; section: string }
  | { page: 'notfound' };

// Pages that need no session; every other page sends a visitor without
// one to the sign-in page.
export const PUBLIC_PAGES = new Set<Route['page']>(['signin', 'signup', 'notfound', 'privacy', 'staff']);

export function match(path: string): Route {
  if (path === '/') return { page: 'accounts' };
  if (path === '/signin') return { page: 'signin' };
  if (path === '/signup') return { page: 'signup' };
  if (path === '/security') return { page: 'security' };
  const account = /^\/accounts\/([^/]+)$/.exec(path);
  if (account) return { page: 'account', id: decodeURIComponent(account[1]) };
  // An account's privacy center, for its end users (no session).
  const privacy = /^\/privacy\/([^/]+)$/.exec(path);
  if (privacy) return { page: 'privacy', account: decodeURIComponent(privacy[1]) };
  // The staff console (its own sign-in and session); "" is its overview.
  const staff = /^\/staff(?:\/([^/]+))?$/.exec(path);
  if (staff) return { page: 'staff', section: decodeURIComponent(staff[1] ?? '') };
  return { page: 'notfound' };
}

export function accountPath(id: string): string {
  return `/accounts/${encodeURIComponent(id)}`;
}
