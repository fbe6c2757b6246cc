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
  | { page: 'media'; id: string }
  | { page: 'mediaItem'; id: string; item: string }
  | { page: 'privacy'; id: string }
  | { page: 'erasure'; id: string; item: string }
  | { page: 'usage'; id: string }
  | { page: 'account-section'; id: string; section: string; item?: string }
  | { page: 'privacyCenter'; account: string }
  | { page: 'staff'; section: string }
  | { page: 'notfound' };

// Pages that need no session; every other page sends a visitor without
// one to the sign-in page.
export const PUBLIC_PAGES = new Set<Route['page']>(['signin', 'signup', 'notfound', 'privacyCenter', 'staff']);

export function match(path: string): Route {
  if (path === '/') return { page: 'accounts' };
  if (path === '/signin') return { page: 'signin' };
  if (path === '/signup') return { page: 'signup' };
  if (path === '/security') return { page: 'security' };
  const account = /^\/accounts\/([^/]+)$/.exec(path);
  if (account) return { page: 'account', id: decodeURIComponent(account[1]) };
  const section = /^\/accounts\/([^/]+)\/(media|privacy|usage|erasures)(?:\/([^/]+))?$/.exec(path);
  if (section) {
    const id = decodeURIComponent(section[1]);
    const item = section[3] === undefined ? undefined : decodeURIComponent(section[3]);
    switch (section[2]) {
      case 'media':
        return item ? { page: 'mediaItem', id, item } : { page: 'media', id };
      case 'privacy':
        if (!item) return { page: 'privacy', id };
        break;
      case 'erasures':
        if (item) return { page: 'erasure', id, item };
        break;
      case 'usage':
        if (!item) return { page: 'usage', id };
        break;
    }
  }
  const other = /^\/accounts\/([^/]+)\/([^/]+)(?:\/([^/]+))?$/.exec(path);
  if (other) {
    const item = other[3] === undefined ? undefined : decodeURIComponent(other[3]);
    return { page: 'account-section', id: decodeURIComponent(other[1]), section: other[2], item };
  }
  // An account's privacy center, for its end users (no session).
  const privacy = /^\/privacy\/([^/]+)$/.exec(path);
  if (privacy) return { page: 'privacyCenter', account: decodeURIComponent(privacy[1]) };
  // The staff console (its own sign-in and session); "" is its overview.
  const staff = /^\/staff(?:\/([^/]+))?$/.exec(path);
  if (staff) return { page: 'staff', section: decodeURIComponent(staff[1] ?? '') };
  return { page: 'notfound' };
}

export function accountPath(id: string): string {
  return `/accounts/${encodeURIComponent(id)}`;
}
