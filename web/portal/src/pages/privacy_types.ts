// What the privacy and erasure pages read from the API.

// A signed erasure receipt (GET /v1/erasures/{id}, DELETE /v1/end-users/{ref}).
export interface Receipt {
  receipt: string;
  id: string;
  account_id: string;
  scope: 'end_user' | 'media' | string;
  target: string;
  cause: string;
  state: 'pending' | 'held' | 'keys-destroyed' | 'done' | string;
  media_erased: number;
  usage_events_deidentified: number;
  requested_at: string;
  keys_destroyed_at: string | null;
  purged_at: string | null;
  issued_at?: string; // sealed receipts only (not in lists)
  signature?: string;
  signing_key?: string;
  [more: string]: unknown;
}

export interface Hold {
  id: string;
  account_id: string;
  scope: string;
  subject: string | null;
  state: string;
  placed_at: string;
  ends_at: string | null;
  released_at: string | null;
}

// How long to wait between looks at an erasure that is not finished.
export const POLL_MS = 1000;

// True once the erasure will change no more by itself.
export function settled(r: Receipt): boolean {
  return r.state === 'done' || r.state === 'held';
}

export function erasurePath(accountId: string, erasureId: string): string {
  return `/accounts/${encodeURIComponent(accountId)}/erasures/${encodeURIComponent(erasureId)}`;
}
