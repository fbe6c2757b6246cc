// The shapes of the compliance routes the portal's session reads (privacy
// requests, consents, disclosures, sub-processors, webhooks, the audit
// chain and the staff access log), and the small helpers their pages share.

export interface PrivacyRequest {
  id: string;
  type: string;
  jurisdiction: 'gdpr' | 'ccpa';
  subject: { kind: 'customer'; customer_id: string } | { kind: 'end_user'; account_id: string; end_user: string };
  state: string;
  received_at: string;
  acknowledge_by: string | null;
  due: string; // YYYY-MM-DD
  latest_due: string;
  extended: boolean;
  reason: string | null;
  locked: boolean;
  agent: { name: string; permission_document: boolean; subject_confirmed: boolean } | null;
  outcome: Record<string, unknown> | null;
  history?: Array<{ state: string; at: string; actor: string; reason: string | null }>;
}

export const REQUEST_TYPES: Array<[string, string]> = [
  ['access', 'Access (a copy of the data)'],
  ['portability', 'Portability (the data in a machine-readable file)'],
  ['rectification', 'Rectification (correct the data)'],
  ['erasure', 'Erasure (forget the data)'],
  ['restriction', 'Restriction (stop using the data)'],
  ['objection', 'Objection'],
  ['opt_out_of_sale_or_sharing', 'Opt out of sale or sharing'],
  ['limit_sensitive', 'Limit the use of sensitive data'],
];

export function typeName(type: string): string {
  const found = REQUEST_TYPES.find(([t]) => t === type);
  return found ? found[1].replace(/ \(.*\)$/, '') : type;
}

export const STATE_NAMES: Record<string, string> = {
  received: 'Received',
  identity_unverified: 'Waiting for identity verification',
  verified: 'Verified',
  in_progress: 'In progress',
  extended: 'Extended',
  completed: 'Completed',
  denied: 'Denied',
};
export const stateName = (s: string) => STATE_NAMES[s] ?? s;

export const OPEN_STATES = new Set(['received', 'identity_unverified', 'verified', 'in_progress', 'extended']);

// Whole days from today (UTC, the browser's clock) to the end of `due`
// (YYYY-MM-DD, UTC): 0 when due today, negative once past.
export function daysLeft(due: string, now: Date = new Date()): number {
  const [y, m, d] = due.split('-').map(Number);
  const dueDay = Date.UTC(y, m - 1, d);
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return Math.round((dueDay - today) / 86_400_000);
}

export interface Clock {
  text: string; // for a person (and a screen reader): never colour alone
  overdue: boolean;
}

// The legal clock of a request as the page shows it.
export function requestClock(r: PrivacyRequest, now: Date = new Date()): Clock {
  if (!OPEN_STATES.has(r.state)) return { text: `Closed (${stateName(r.state).toLowerCase()})`, overdue: false };
  const left = daysLeft(r.due, now);
  const extended = r.extended ? ', extended' : '';
  if (left < 0) {
    const by = -left;
    return { text: `Overdue by ${by} day${by === 1 ? '' : 's'} (due ${r.due}${extended})`, overdue: true };
  }
  if (left === 0) return { text: `Due today (${r.due}${extended})`, overdue: false };
  return { text: `${left} day${left === 1 ? '' : 's'} left (due ${r.due}${extended})`, overdue: false };
}

// A time to the second, in UTC (retries are seconds apart).
export function formatInstant(iso: string | null | undefined): string {
  if (!iso) return 'never';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'UTC' }) + ' UTC';
}

export interface Webhook {
  id: string;
  account_id: string;
  url: string;
  events: string[];
  created_at: string;
  secret?: string;
}

export interface WebhookDelivery {
  id: string;
  event_type: string;
  state: string;
  attempts: number;
  created_at: string;
  next_attempt_at: string | null;
  attempts_log: Array<{ attempt: number; at: string; status_code: number | null; error: string | null; duration_ms: number }>;
}

export const WEBHOOK_EVENTS = [
  'media.created',
  'media.deleted',
  'media.rendition_ready',
  'erasure.completed',
  'privacy_request.due_soon',
  'account.suspended',
];

export interface Purpose {
  name: string;
  legal_basis: string;
  optional: boolean;
  default: 'on' | 'off';
  description: string;
}

export interface ConsentStatus {
  subject: { kind: string; customer_id?: string; account_id?: string; end_user?: string };
  policy_version: number;
  purposes: Array<{
    purpose: string;
    legal_basis: string;
    optional: boolean;
    state: string;
    allowed: boolean;
    renewal_required: boolean;
    since: string | null;
    source: string | null;
    policy_version: number | null;
  }>;
  history: Array<{ id: string; purpose: string; decision: string; source: string; at: string; policy_version: number }>;
}

export interface Policy {
  version: number;
  effective: string;
  material: boolean;
  published_at: string;
  text?: string;
}

export interface Disclosure {
  id: string;
  recipient: string;
  recipient_kind: string;
  purpose: string;
  legal_basis: string;
  categories: string;
  subject: string;
  what: string;
  reference: string;
  at: string;
}

export interface SubProcessor {
  id: string;
  version: number;
  name: string;
  purpose: string;
  region: string;
  categories: string[];
  retired: boolean;
  announced_at: string;
  effective_at: string;
  status: 'in_force' | 'announced';
  upcoming: SubProcessor | null;
}

export interface AccessLogEntry {
  id: string;
  at: string;
  kind: string;
  staff_id: string;
  grant_id: string;
  purpose: string;
  ticket: string;
  method: string | null;
  route: string | null;
  path: string | null;
}

export interface AuditEventView {
  seq: number;
  id: string;
  time: string;
  actor: string;
  actor_kind: string;
  action: string;
  target: string;
  ip: string;
  request_id: string;
  prev_hash: string;
  hash: string;
}
