// Calls to Lethe's API from the portal. The session is the HttpOnly cookie
// the server set (the page never sees the token); every unsafe request
// carries the session's CSRF token in X-CSRF-Token, and the browser adds
// the Origin header the server also checks. Errors are the API's
// application/problem+json, turned into ApiError with the stable reason.

export interface Customer {
  id: string;
  name: string;
  email: string;
  country: string;
  birth_date: string;
  created_at: string;
}

export interface Account {
  id: string;
  name: string;
  region: 'us' | 'eu';
  retention_days: number | null;
  closed_at: string | null;
  created_at: string;
  allowed_origins: string[];
  scrub_metadata: boolean;
  // The notice <lethe-recorder> shows before recording, and the purposes it
  // asks consent for; null and [] when none is set.
  capture_notice: string | null;
  capture_purposes: string[];
  api_token?: string; // only in the answer that creates the account
}

export interface ApiKey {
  key_id: string;
  created_at: string;
  last_used_at: string | null;
  last_used_ip: string | null;
  secret?: string; // only in the answer that creates the key
}

export interface UploadToken {
  id: string;
  end_user: string;
  max_bytes: number;
  kinds: string[];
  uses: number;
  created_at: string;
  expires_at: string;
  token?: string; // only in the answer that issues the token
}

export interface PortalSession {
  customer: Customer;
  csrf_token: string;
  expires_at?: string;
}

export interface Challenge {
  challenge: string;
  methods: string[];
  expires_at: string;
}

const PROBLEM_BASE = 'https://lethe.dev/problems/';

// Dispatched on window when a call finds the session gone (401).
export const SESSION_EXPIRED = 'lethe:expired';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    readonly detail: string,
  ) {
    super(detail || reason);
  }
}

let csrfToken = '';

// Set when the server hands out the session's CSRF token (sign-in, or
// GET /v1/portal/session after a reload); cleared at sign-out.
export function setCsrfToken(token: string): void {
  csrfToken = token;
}

export interface Answer<T> {
  status: number;
  body: T;
}

// The session's CSRF token, for requests not made by call() (tus uploads).
export function currentCsrfToken(): string {
  return csrfToken;
}

// The header with which the signed-in customer acts for one of its own
// accounts on the data plane (media, erasures, usage): the server admits
// it only with this session, from this origin.
export const ACTING_ACCOUNT = 'Lethe-Account';

export async function call<T>(
  method: string,
  path: string,
  body?: unknown,
  extraHeaders: Record<string, string> = {},
): Promise<Answer<T>> {
  const headers: Record<string, string> = { Accept: 'application/json', ...extraHeaders };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, 'network', 'Lethe could not be reached. Check your connection and try again.');
  }
  const text = await res.text();
  let parsed: unknown = null;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = null;
    }
  }
  if (res.status === 401 && !path.startsWith('/v1/portal/') && !path.startsWith('/v1/privacy-center/')) {
    // The session ended (idle, expired, or signed out elsewhere). The
    // privacy center has no session: its 401 is about its link.
    window.dispatchEvent(new Event(SESSION_EXPIRED));
  }
  if (!res.ok) {
    const problem = (parsed ?? {}) as { type?: string; title?: string; detail?: string };
    const reason = (problem.type ?? '').startsWith(PROBLEM_BASE)
      ? problem.type!.slice(PROBLEM_BASE.length)
      : `http-${res.status}`;
    throw new ApiError(res.status, reason, problem.detail ?? problem.title ?? res.statusText);
  }
  return { status: res.status, body: parsed as T };
}

export async function get<T>(path: string): Promise<T> {
  return (await call<T>('GET', path)).body;
}
export async function post<T>(path: string, body?: unknown): Promise<T> {
  return (await call<T>('POST', path, body)).body;
}
export async function patch<T>(path: string, body: unknown): Promise<T> {
  return (await call<T>('PATCH', path, body)).body;
}
export async function del(path: string): Promise<void> {
  await call<unknown>('DELETE', path);
}

// Calls to the data plane as the account `accountId` (Lethe-Account).
export function forAccount(accountId: string) {
  const h = { [ACTING_ACCOUNT]: accountId };
  return {
    get: async <T>(path: string) => (await call<T>('GET', path, undefined, h)).body,
    post: async <T>(path: string, body?: unknown) => (await call<T>('POST', path, body, h)).body,
    patch: async <T>(path: string, body: unknown) => (await call<T>('PATCH', path, body, h)).body,
    del: async <T>(path: string) => (await call<T>('DELETE', path, undefined, h)).body,
  };
}
export type AccountApi = ReturnType<typeof forAccount>;

// A sentence for a person, from the problem's reason; the server's own
// detail where no better one is known.
export function explain(error: unknown): string {
  if (!(error instanceof ApiError)) return 'Something went wrong. Please try again.';
  switch (error.reason) {
    case 'age-gate':
      return 'You are too young to open a Lethe account: you must be at least 16 in the EEA, and at least 13 elsewhere.';
    case 'weak-password':
      return `That password is too weak: ${error.detail}`;
    case 'email-taken':
      return 'An account with this email address exists already. Sign in instead.';
    case 'unauthenticated':
      return 'The email address or password is wrong.';
    case 'too-many-attempts':
      return 'Too many failed attempts. Wait a few minutes, then try again.';
    case 'code-invalid':
    case 'code-used':
      return 'That code is not valid. Enter the current code from your authenticator app, or a recovery code.';
    case 'challenge-expired':
    case 'challenge-used':
    case 'challenge-invalid':
      return 'The sign-in took too long. Start again with your email address and password.';
    case 'passkey-unknown':
      return 'That passkey is not registered with Lethe. Sign in with your email address and password.';
    case 'passkey-challenge-expired':
    case 'passkey-challenge-used':
    case 'passkey-challenge-invalid':
      return 'The passkey request took too long. Try again.';
    case 'passkey-taken':
      return 'That passkey is registered already.';
    case 'csrf-refused':
      return 'The request was refused because it did not come from this page. Reload the page and try again.';
    default:
      return error.detail || 'Something went wrong. Please try again.';
  }
}
