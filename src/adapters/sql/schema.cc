#include "adapters/sql/schema.h"

namespace lethe {
namespace {

// Each version is written twice, side by side: kVnSqlite, then kVnPostgres.
// PostgreSQL spells SQLite's 64-bit INTEGER as BIGINT and INTEGER PRIMARY KEY
// AUTOINCREMENT as BIGSERIAL PRIMARY KEY; the rest is the same SQL. A new
// version needs both texts and an entry in both lists of
// MetadataMigrations (schema_test.cc fails when PostgreSQL lacks one).

// Version 1: customers, accounts, credentials, events, audit chain, media.
// Integer sequence columns order listings and give stable cursors. Usage
// event ids are random (100 bits) and not indexed: one index fewer to
// maintain on the hottest insert.
constexpr const char* kV1Sqlite = R"sql(
CREATE TABLE customers (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  email TEXT NOT NULL,
  email_key TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  country TEXT NOT NULL,
  birth_date TEXT NOT NULL,
  company TEXT, job_title TEXT, use_case TEXT, phone TEXT,
  created_ms INTEGER NOT NULL
);
CREATE TABLE sessions (
  token_digest TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  created_ms INTEGER NOT NULL,
  expires_ms INTEGER NOT NULL
);
CREATE TABLE accounts (
  id TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL REFERENCES customers(id),
  name TEXT NOT NULL,
  region TEXT NOT NULL CHECK (region IN ('us', 'eu')),
  token_digest TEXT NOT NULL UNIQUE,
  created_ms INTEGER NOT NULL
);
CREATE INDEX accounts_by_customer ON accounts(customer_id, created_ms);
CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  secret_digest TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  last_used_ms INTEGER
);
CREATE INDEX api_keys_by_account ON api_keys(account_id);
CREATE TABLE login_events (
  id TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL,
  time_ms INTEGER NOT NULL,
  ip TEXT NOT NULL, browser TEXT NOT NULL, browser_version TEXT NOT NULL,
  language TEXT NOT NULL, country TEXT NOT NULL
);
CREATE TABLE usage_events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL,
  time_ms INTEGER NOT NULL,
  account_id TEXT NOT NULL,
  credential_id TEXT NOT NULL,
  end_user TEXT NOT NULL,
  ip TEXT NOT NULL, device_type TEXT NOT NULL, browser TEXT NOT NULL,
  browser_version TEXT NOT NULL, language TEXT NOT NULL, country TEXT NOT NULL,
  method TEXT NOT NULL, route TEXT NOT NULL, status INTEGER NOT NULL
);
CREATE INDEX usage_by_account ON usage_events(account_id, seq);
CREATE TABLE audit_events (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL,
  time_ms INTEGER NOT NULL,
  actor TEXT NOT NULL, action TEXT NOT NULL, target TEXT NOT NULL,
  account_id TEXT NOT NULL, ip TEXT NOT NULL, request_id TEXT NOT NULL,
  prev_hash TEXT NOT NULL, hash TEXT NOT NULL
);
CREATE INDEX audit_by_account ON audit_events(account_id, seq);
CREATE TABLE media (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  end_user TEXT NOT NULL,
  kind TEXT NOT NULL, content_type TEXT NOT NULL,
  bytes INTEGER NOT NULL, sha256 TEXT NOT NULL,
  title TEXT NOT NULL,
  created_ms INTEGER NOT NULL, expires_ms INTEGER,
  blob_id TEXT NOT NULL UNIQUE,
  wrapped_key TEXT NOT NULL
);
CREATE INDEX media_by_account ON media(account_id, seq);
CREATE TABLE media_tags (
  media_id TEXT NOT NULL REFERENCES media(id) ON DELETE CASCADE,
  tag TEXT NOT NULL,
  position INTEGER NOT NULL,
  PRIMARY KEY (media_id, position)
);
CREATE INDEX media_tags_by_tag ON media_tags(tag);
)sql";
constexpr const char* kV1Postgres = R"sql(
CREATE TABLE customers (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  email TEXT NOT NULL,
  email_key TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  country TEXT NOT NULL,
  birth_date TEXT NOT NULL,
  company TEXT, job_title TEXT, use_case TEXT, phone TEXT,
  created_ms BIGINT NOT NULL
);
CREATE TABLE sessions (
  token_digest TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  created_ms BIGINT NOT NULL,
  expires_ms BIGINT NOT NULL
);
CREATE TABLE accounts (
  id TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL REFERENCES customers(id),
  name TEXT NOT NULL,
  region TEXT NOT NULL CHECK (region IN ('us', 'eu')),
  token_digest TEXT NOT NULL UNIQUE,
  created_ms BIGINT NOT NULL
);
CREATE INDEX accounts_by_customer ON accounts(customer_id, created_ms);
CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  secret_digest TEXT NOT NULL,
  created_ms BIGINT NOT NULL,
  last_used_ms BIGINT
);
CREATE INDEX api_keys_by_account ON api_keys(account_id);
CREATE TABLE login_events (
  id TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL,
  time_ms BIGINT NOT NULL,
  ip TEXT NOT NULL, browser TEXT NOT NULL, browser_version TEXT NOT NULL,
  language TEXT NOT NULL, country TEXT NOT NULL
);
CREATE TABLE usage_events (
  seq BIGSERIAL PRIMARY KEY,
  id TEXT NOT NULL,
  time_ms BIGINT NOT NULL,
  account_id TEXT NOT NULL,
  credential_id TEXT NOT NULL,
  end_user TEXT NOT NULL,
  ip TEXT NOT NULL, device_type TEXT NOT NULL, browser TEXT NOT NULL,
  browser_version TEXT NOT NULL, language TEXT NOT NULL, country TEXT NOT NULL,
  method TEXT NOT NULL, route TEXT NOT NULL, status BIGINT NOT NULL
);
CREATE INDEX usage_by_account ON usage_events(account_id, seq);
CREATE TABLE audit_events (
  seq BIGINT PRIMARY KEY,
  id TEXT NOT NULL,
  time_ms BIGINT NOT NULL,
  actor TEXT NOT NULL, action TEXT NOT NULL, target TEXT NOT NULL,
  account_id TEXT NOT NULL, ip TEXT NOT NULL, request_id TEXT NOT NULL,
  prev_hash TEXT NOT NULL, hash TEXT NOT NULL
);
CREATE INDEX audit_by_account ON audit_events(account_id, seq);
CREATE TABLE media (
  seq BIGSERIAL PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  end_user TEXT NOT NULL,
  kind TEXT NOT NULL, content_type TEXT NOT NULL,
  bytes BIGINT NOT NULL, sha256 TEXT NOT NULL,
  title TEXT NOT NULL,
  created_ms BIGINT NOT NULL, expires_ms BIGINT,
  blob_id TEXT NOT NULL UNIQUE,
  wrapped_key TEXT NOT NULL
);
CREATE INDEX media_by_account ON media(account_id, seq);
CREATE TABLE media_tags (
  media_id TEXT NOT NULL REFERENCES media(id) ON DELETE CASCADE,
  tag TEXT NOT NULL,
  position BIGINT NOT NULL,
  PRIMARY KEY (media_id, position)
);
CREATE INDEX media_tags_by_tag ON media_tags(tag);
)sql";

// Version 2: durable background jobs and the mail outbox. A job is claimed
// by setting a lease; a worker that dies leaves the lease to run out, and
// the job is claimed again.
constexpr const char* kV2Sqlite = R"sql(
CREATE TABLE jobs (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  run_after_ms INTEGER NOT NULL,
  lease_until_ms INTEGER,
  last_error TEXT NOT NULL,
  created_ms INTEGER NOT NULL
);
CREATE INDEX jobs_due ON jobs(state, run_after_ms);
CREATE TABLE outbox (
  id TEXT PRIMARY KEY,
  recipient TEXT NOT NULL,
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  sent_ms INTEGER
);
)sql";
constexpr const char* kV2Postgres = R"sql(
CREATE TABLE jobs (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL,
  state TEXT NOT NULL,
  attempts BIGINT NOT NULL,
  run_after_ms BIGINT NOT NULL,
  lease_until_ms BIGINT,
  last_error TEXT NOT NULL,
  created_ms BIGINT NOT NULL
);
CREATE INDEX jobs_due ON jobs(state, run_after_ms);
CREATE TABLE outbox (
  id TEXT PRIMARY KEY,
  recipient TEXT NOT NULL,
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  created_ms BIGINT NOT NULL,
  sent_ms BIGINT
);
)sql";

// Version 3: the retention sweep finds expired media by index.
constexpr const char* kV3Sqlite = R"sql(
CREATE INDEX media_by_expiry ON media(expires_ms) WHERE expires_ms IS NOT NULL;
)sql";
constexpr const char* kV3Postgres = R"sql(
CREATE INDEX media_by_expiry ON media(expires_ms) WHERE expires_ms IS NOT NULL;
)sql";

// Version 4: end-user erasure. Media and usage are found by end user
// through an index, not a scan.
constexpr const char* kV4Sqlite = R"sql(
CREATE INDEX media_by_end_user ON media(account_id, end_user);
CREATE INDEX usage_by_end_user ON usage_events(account_id, end_user);
CREATE TABLE erasures (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL,
  subject TEXT NOT NULL,
  state TEXT NOT NULL,
  media_erased INTEGER NOT NULL,
  usage_deidentified INTEGER NOT NULL,
  created_ms INTEGER NOT NULL,
  keys_destroyed_ms INTEGER,
  purged_ms INTEGER
);
)sql";
constexpr const char* kV4Postgres = R"sql(
CREATE INDEX media_by_end_user ON media(account_id, end_user);
CREATE INDEX usage_by_end_user ON usage_events(account_id, end_user);
CREATE TABLE erasures (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL,
  subject TEXT NOT NULL,
  state TEXT NOT NULL,
  media_erased BIGINT NOT NULL,
  usage_deidentified BIGINT NOT NULL,
  created_ms BIGINT NOT NULL,
  keys_destroyed_ms BIGINT,
  purged_ms BIGINT
);
)sql";

// Version 5: every erasure has a scope (an end user, one media, an
// account), a keyed name that outlives it, and a cause; media may follow
// its account's default retention.
constexpr const char* kV5Sqlite = R"sql(
ALTER TABLE erasures ADD COLUMN scope TEXT NOT NULL DEFAULT 'end_user';
ALTER TABLE erasures ADD COLUMN target TEXT NOT NULL DEFAULT '';
ALTER TABLE erasures ADD COLUMN cause TEXT NOT NULL DEFAULT 'request';
ALTER TABLE erasures ADD COLUMN blob_id TEXT NOT NULL DEFAULT '';
CREATE INDEX erasures_by_account ON erasures(account_id, created_ms);
CREATE INDEX erasures_held ON erasures(state) WHERE state = 'held';
ALTER TABLE accounts ADD COLUMN retention_days INTEGER;
ALTER TABLE media ADD COLUMN expiry_from_account INTEGER NOT NULL DEFAULT 0;
)sql";
constexpr const char* kV5Postgres = R"sql(
ALTER TABLE erasures ADD COLUMN scope TEXT NOT NULL DEFAULT 'end_user';
ALTER TABLE erasures ADD COLUMN target TEXT NOT NULL DEFAULT '';
ALTER TABLE erasures ADD COLUMN cause TEXT NOT NULL DEFAULT 'request';
ALTER TABLE erasures ADD COLUMN blob_id TEXT NOT NULL DEFAULT '';
CREATE INDEX erasures_by_account ON erasures(account_id, created_ms);
CREATE INDEX erasures_held ON erasures(state) WHERE state = 'held';
ALTER TABLE accounts ADD COLUMN retention_days BIGINT;
ALTER TABLE media ADD COLUMN expiry_from_account BIGINT NOT NULL DEFAULT 0;
)sql";

// Version 7: closing accounts and customers (ACC-9, ACC-10). closure_stage
// counts the retention classes already enforced since closed_ms.
constexpr const char* kV7Sqlite = R"sql(
ALTER TABLE accounts ADD COLUMN closed_ms INTEGER;
ALTER TABLE customers ADD COLUMN closed_ms INTEGER;
ALTER TABLE customers ADD COLUMN closure_stage INTEGER NOT NULL DEFAULT 0;
ALTER TABLE customers ADD COLUMN closure_cause TEXT NOT NULL DEFAULT '';
CREATE INDEX customers_closed ON customers(closed_ms) WHERE closed_ms IS NOT NULL;
CREATE INDEX login_events_by_customer ON login_events(customer_id);
)sql";
constexpr const char* kV7Postgres = R"sql(
ALTER TABLE accounts ADD COLUMN closed_ms BIGINT;
ALTER TABLE customers ADD COLUMN closed_ms BIGINT;
ALTER TABLE customers ADD COLUMN closure_stage BIGINT NOT NULL DEFAULT 0;
ALTER TABLE customers ADD COLUMN closure_cause TEXT NOT NULL DEFAULT '';
CREATE INDEX customers_closed ON customers(closed_ms) WHERE closed_ms IS NOT NULL;
CREATE INDEX login_events_by_customer ON login_events(customer_id);
)sql";

// Version 6: staff principals and legal holds (USE-6). Self-contained: it
// touches no table of another version, so it applies in any order beside
// them. A hold keeps no end-user reference in clear (records.h).
constexpr const char* kV6Sqlite = R"sql(
CREATE TABLE staff (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('support', 'security', 'legal', 'admin')),
  token_digest TEXT NOT NULL UNIQUE,
  created_ms INTEGER NOT NULL,
  disabled_ms INTEGER
);
CREATE TABLE legal_holds (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL,
  scope TEXT NOT NULL CHECK (scope IN ('account', 'end_user', 'media')),
  subject TEXT NOT NULL,
  reason TEXT NOT NULL,
  matter TEXT NOT NULL,
  ends_ms INTEGER,
  non_disclosure INTEGER NOT NULL,
  placed_by TEXT NOT NULL,
  placed_ms INTEGER NOT NULL,
  released_by TEXT NOT NULL,
  released_ms INTEGER
);
CREATE INDEX legal_holds_by_account ON legal_holds(account_id, placed_ms);
CREATE INDEX legal_holds_lapsing ON legal_holds(ends_ms)
  WHERE released_ms IS NULL AND ends_ms IS NOT NULL;
)sql";
constexpr const char* kV6Postgres = R"sql(
CREATE TABLE staff (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('support', 'security', 'legal', 'admin')),
  token_digest TEXT NOT NULL UNIQUE,
  created_ms BIGINT NOT NULL,
  disabled_ms BIGINT
);
CREATE TABLE legal_holds (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL,
  scope TEXT NOT NULL CHECK (scope IN ('account', 'end_user', 'media')),
  subject TEXT NOT NULL,
  reason TEXT NOT NULL,
  matter TEXT NOT NULL,
  ends_ms BIGINT,
  non_disclosure BIGINT NOT NULL,
  placed_by TEXT NOT NULL,
  placed_ms BIGINT NOT NULL,
  released_by TEXT NOT NULL,
  released_ms BIGINT
);
CREATE INDEX legal_holds_by_account ON legal_holds(account_id, placed_ms);
CREATE INDEX legal_holds_lapsing ON legal_holds(ends_ms)
  WHERE released_ms IS NULL AND ends_ms IS NOT NULL;
)sql";

// Version 8: an erasure remembers where the audit chain stood when it was
// made (its own end_user.erase event), for its signed receipt. (Versions
// 5 to 7 belong to other features; each version applies on its own.)
constexpr const char* kV8Sqlite = R"sql(
ALTER TABLE erasures ADD COLUMN audit_seq INTEGER;
ALTER TABLE erasures ADD COLUMN audit_hash TEXT NOT NULL DEFAULT '';
)sql";
constexpr const char* kV8Postgres = R"sql(
ALTER TABLE erasures ADD COLUMN audit_seq BIGINT;
ALTER TABLE erasures ADD COLUMN audit_hash TEXT NOT NULL DEFAULT '';
)sql";

// Version 9: data-subject requests (RGT-1..4) and their history.
constexpr const char* kV9Sqlite = R"sql(
CREATE TABLE privacy_requests (
  id TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL,
  account_id TEXT NOT NULL,
  subject_kind TEXT NOT NULL CHECK (subject_kind IN ('end_user', 'customer')),
  subject TEXT NOT NULL,
  type TEXT NOT NULL,
  jurisdiction TEXT NOT NULL CHECK (jurisdiction IN ('gdpr', 'ccpa')),
  state TEXT NOT NULL,
  received_ms INTEGER NOT NULL,
  acknowledge_by TEXT NOT NULL,
  due TEXT NOT NULL,
  latest_due TEXT NOT NULL,
  extended INTEGER NOT NULL,
  reason TEXT NOT NULL
);
CREATE INDEX privacy_requests_by_customer ON privacy_requests(customer_id, due);
CREATE TABLE privacy_request_steps (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  request_id TEXT NOT NULL REFERENCES privacy_requests(id) ON DELETE CASCADE,
  state TEXT NOT NULL,
  at_ms INTEGER NOT NULL,
  actor TEXT NOT NULL,
  reason TEXT NOT NULL
);
CREATE INDEX privacy_request_steps_by_request ON privacy_request_steps(request_id, seq);
)sql";
constexpr const char* kV9Postgres = R"sql(
CREATE TABLE privacy_requests (
  id TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL,
  account_id TEXT NOT NULL,
  subject_kind TEXT NOT NULL CHECK (subject_kind IN ('end_user', 'customer')),
  subject TEXT NOT NULL,
  type TEXT NOT NULL,
  jurisdiction TEXT NOT NULL CHECK (jurisdiction IN ('gdpr', 'ccpa')),
  state TEXT NOT NULL,
  received_ms BIGINT NOT NULL,
  acknowledge_by TEXT NOT NULL,
  due TEXT NOT NULL,
  latest_due TEXT NOT NULL,
  extended BIGINT NOT NULL,
  reason TEXT NOT NULL
);
CREATE INDEX privacy_requests_by_customer ON privacy_requests(customer_id, due);
CREATE TABLE privacy_request_steps (
  seq BIGSERIAL PRIMARY KEY,
  request_id TEXT NOT NULL REFERENCES privacy_requests(id) ON DELETE CASCADE,
  state TEXT NOT NULL,
  at_ms BIGINT NOT NULL,
  actor TEXT NOT NULL,
  reason TEXT NOT NULL
);
CREATE INDEX privacy_request_steps_by_request ON privacy_request_steps(request_id, seq);
)sql";

// Version 11: verification, agents and fulfilment of data-subject requests,
// and the processing limits (restriction, objection, opt-outs) they place.
// A code is kept as its digest only; an agent's permission document only
// sealed under the subject's key chain.
constexpr const char* kV11Sqlite = R"sql(
ALTER TABLE privacy_requests ADD COLUMN code_digest TEXT NOT NULL DEFAULT '';
ALTER TABLE privacy_requests ADD COLUMN code_expires_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE privacy_requests ADD COLUMN code_failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE privacy_requests ADD COLUMN agent_name TEXT NOT NULL DEFAULT '';
ALTER TABLE privacy_requests ADD COLUMN agent_document TEXT NOT NULL DEFAULT '';
ALTER TABLE privacy_requests ADD COLUMN subject_confirmed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE privacy_requests ADD COLUMN reminded INTEGER NOT NULL DEFAULT 0;
ALTER TABLE privacy_requests ADD COLUMN outcome TEXT NOT NULL DEFAULT '';
CREATE INDEX privacy_requests_by_due ON privacy_requests(due);
CREATE INDEX privacy_requests_by_received ON privacy_requests(received_ms);
CREATE TABLE processing_limits (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL,
  subject TEXT NOT NULL,
  kind TEXT NOT NULL,
  request_id TEXT NOT NULL UNIQUE,
  since_ms INTEGER NOT NULL,
  lift_notice TEXT NOT NULL DEFAULT ''
);
CREATE INDEX processing_limits_by_subject ON processing_limits(account_id, subject);
)sql";

constexpr const char* kV11Postgres = R"sql(
ALTER TABLE privacy_requests ADD COLUMN code_digest TEXT NOT NULL DEFAULT '';
ALTER TABLE privacy_requests ADD COLUMN code_expires_ms BIGINT NOT NULL DEFAULT 0;
ALTER TABLE privacy_requests ADD COLUMN code_failures BIGINT NOT NULL DEFAULT 0;
ALTER TABLE privacy_requests ADD COLUMN agent_name TEXT NOT NULL DEFAULT '';
ALTER TABLE privacy_requests ADD COLUMN agent_document TEXT NOT NULL DEFAULT '';
ALTER TABLE privacy_requests ADD COLUMN subject_confirmed BIGINT NOT NULL DEFAULT 0;
ALTER TABLE privacy_requests ADD COLUMN reminded BIGINT NOT NULL DEFAULT 0;
ALTER TABLE privacy_requests ADD COLUMN outcome TEXT NOT NULL DEFAULT '';
CREATE INDEX privacy_requests_by_due ON privacy_requests(due);
CREATE INDEX privacy_requests_by_received ON privacy_requests(received_ms);
CREATE TABLE processing_limits (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL,
  subject TEXT NOT NULL,
  kind TEXT NOT NULL,
  request_id TEXT NOT NULL UNIQUE,
  since_ms BIGINT NOT NULL,
  lift_notice TEXT NOT NULL DEFAULT ''
);
CREATE INDEX processing_limits_by_subject ON processing_limits(account_id, subject);
)sql";

// Blob intents (issue 13): the blobs that may exist without a record, so
// startup recovery looks at those instead of listing the whole blob store.
// The '*' row asks the first start after this migration for one full sweep,
// for the orphans an older version may have left. (Numbered 12 to follow
// 10 and 11 of other features; each version applies on its own.)
constexpr const char* kV12Sqlite = R"sql(
CREATE TABLE blob_intents (
  blob_id TEXT PRIMARY KEY,
  created_ms INTEGER NOT NULL
);
INSERT INTO blob_intents (blob_id, created_ms) VALUES ('*', 0);
)sql";

constexpr const char* kV12Postgres = R"sql(
CREATE TABLE blob_intents (
  blob_id TEXT PRIMARY KEY,
  created_ms BIGINT NOT NULL
);
INSERT INTO blob_intents (blob_id, created_ms) VALUES ('*', 0);
)sql";

// Version 10: single-use links to subject exports (RGT-1), looked up by the
// digest of their token, which is never stored.
constexpr const char* kV10Sqlite = R"sql(
CREATE TABLE export_links (
  token_digest TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL,
  request_id TEXT NOT NULL,
  account_id TEXT NOT NULL,
  end_user TEXT NOT NULL,
  jurisdiction TEXT NOT NULL CHECK (jurisdiction IN ('gdpr', 'ccpa')),
  created_ms INTEGER NOT NULL,
  expires_ms INTEGER NOT NULL,
  used_ms INTEGER
);
CREATE INDEX export_links_by_request ON export_links(request_id);
)sql";

constexpr const char* kV10Postgres = R"sql(
CREATE TABLE export_links (
  token_digest TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL,
  request_id TEXT NOT NULL,
  account_id TEXT NOT NULL,
  end_user TEXT NOT NULL,
  jurisdiction TEXT NOT NULL CHECK (jurisdiction IN ('gdpr', 'ccpa')),
  created_ms BIGINT NOT NULL,
  expires_ms BIGINT NOT NULL,
  used_ms BIGINT
);
CREATE INDEX export_links_by_request ON export_links(request_id);
)sql";

// Version 13: the disclosure ledger (SHR-1, SHR-3, SHR-4): one row per
// transfer of an account's personal data out of Lethe. Rows are only added.
constexpr const char* kV13Sqlite = R"sql(
CREATE TABLE disclosures (
  id TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL,
  account_id TEXT NOT NULL,
  recipient TEXT NOT NULL,
  recipient_kind TEXT NOT NULL,
  purpose TEXT NOT NULL,
  legal_basis TEXT NOT NULL,
  categories TEXT NOT NULL,
  subject TEXT NOT NULL,
  what TEXT NOT NULL,
  reference TEXT NOT NULL,
  at_ms INTEGER NOT NULL
);
CREATE INDEX disclosures_by_account ON disclosures(account_id, at_ms, id);
)sql";

constexpr const char* kV13Postgres = R"sql(
CREATE TABLE disclosures (
  id TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL,
  account_id TEXT NOT NULL,
  recipient TEXT NOT NULL,
  recipient_kind TEXT NOT NULL,
  purpose TEXT NOT NULL,
  legal_basis TEXT NOT NULL,
  categories TEXT NOT NULL,
  subject TEXT NOT NULL,
  what TEXT NOT NULL,
  reference TEXT NOT NULL,
  at_ms BIGINT NOT NULL
);
CREATE INDEX disclosures_by_account ON disclosures(account_id, at_ms, id);
)sql";

// Version 14 (issue 12): the consent ledger (append-only; end users named
// by their keyed name, so an erasure leaves nothing in clear here), the
// policy versions, and the digests of marketing mails' unsubscribe tokens.
constexpr const char* kV14Sqlite = R"sql(
CREATE TABLE consents (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  customer_id TEXT NOT NULL,
  account_id TEXT NOT NULL,
  subject TEXT NOT NULL,
  purpose TEXT NOT NULL,
  decision TEXT NOT NULL CHECK (decision IN ('opt_in', 'opt_out')),
  source TEXT NOT NULL CHECK (source IN ('api', 'portal', 'gpc', 'dnt', 'mail')),
  at_ms INTEGER NOT NULL,
  policy_version INTEGER NOT NULL,
  request_id TEXT NOT NULL
);
CREATE INDEX consents_by_subject ON consents(account_id, subject, seq);
CREATE TABLE policy_versions (
  version INTEGER PRIMARY KEY,
  text TEXT NOT NULL,
  effective_ms INTEGER NOT NULL,
  material INTEGER NOT NULL,
  published_ms INTEGER NOT NULL
);
CREATE TABLE unsubscribe_tokens (
  token_digest TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL,
  message_id TEXT NOT NULL,
  created_ms INTEGER NOT NULL
);
)sql";

constexpr const char* kV14Postgres = R"sql(
CREATE TABLE consents (
  seq BIGSERIAL PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  customer_id TEXT NOT NULL,
  account_id TEXT NOT NULL,
  subject TEXT NOT NULL,
  purpose TEXT NOT NULL,
  decision TEXT NOT NULL CHECK (decision IN ('opt_in', 'opt_out')),
  source TEXT NOT NULL CHECK (source IN ('api', 'portal', 'gpc', 'dnt', 'mail')),
  at_ms BIGINT NOT NULL,
  policy_version BIGINT NOT NULL,
  request_id TEXT NOT NULL
);
CREATE INDEX consents_by_subject ON consents(account_id, subject, seq);
CREATE TABLE policy_versions (
  version BIGINT PRIMARY KEY,
  text TEXT NOT NULL,
  effective_ms BIGINT NOT NULL,
  material BIGINT NOT NULL,
  published_ms BIGINT NOT NULL
);
CREATE TABLE unsubscribe_tokens (
  token_digest TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL,
  message_id TEXT NOT NULL,
  created_ms BIGINT NOT NULL
);
)sql";

// Version 15: the sub-processor registry (SHR-2, SHR-3), one row per
// version of an entry; customers' webhooks, their deliveries and each
// attempt. Version 14 is the consent ledger's (issue 12, another branch):
// migrations apply by version, so either may land first.
constexpr const char* kV15Sqlite = R"sql(
CREATE TABLE subprocessors (
  id TEXT NOT NULL,
  version INTEGER NOT NULL,
  name TEXT NOT NULL,
  purpose TEXT NOT NULL,
  region TEXT NOT NULL CHECK (region IN ('eu', 'us', 'global')),
  categories TEXT NOT NULL,
  endpoint TEXT NOT NULL,
  retired INTEGER NOT NULL,
  changed_by TEXT NOT NULL,
  announced_ms INTEGER NOT NULL,
  effective_ms INTEGER NOT NULL,
  PRIMARY KEY (id, version)
);
CREATE TABLE webhooks (
  id TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL,
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  url TEXT NOT NULL,
  events TEXT NOT NULL,
  wrapped_secret TEXT NOT NULL,
  created_ms INTEGER NOT NULL
);
CREATE INDEX webhooks_by_account ON webhooks(account_id, created_ms);
CREATE TABLE webhook_deliveries (
  id TEXT PRIMARY KEY,
  webhook_id TEXT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
  account_id TEXT NOT NULL,
  event_type TEXT NOT NULL,
  payload TEXT NOT NULL,
  end_user TEXT NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  created_ms INTEGER NOT NULL,
  next_ms INTEGER
);
CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries(webhook_id, created_ms);
CREATE INDEX webhook_deliveries_by_end_user ON webhook_deliveries(account_id, end_user);
CREATE TABLE webhook_attempts (
  delivery_id TEXT NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
  attempt INTEGER NOT NULL,
  at_ms INTEGER NOT NULL,
  status_code INTEGER NOT NULL,
  error TEXT NOT NULL,
  duration_ms INTEGER NOT NULL,
  PRIMARY KEY (delivery_id, attempt)
);
)sql";

constexpr const char* kV15Postgres = R"sql(
CREATE TABLE subprocessors (
  id TEXT NOT NULL,
  version BIGINT NOT NULL,
  name TEXT NOT NULL,
  purpose TEXT NOT NULL,
  region TEXT NOT NULL CHECK (region IN ('eu', 'us', 'global')),
  categories TEXT NOT NULL,
  endpoint TEXT NOT NULL,
  retired BIGINT NOT NULL,
  changed_by TEXT NOT NULL,
  announced_ms BIGINT NOT NULL,
  effective_ms BIGINT NOT NULL,
  PRIMARY KEY (id, version)
);
CREATE TABLE webhooks (
  id TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL,
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  url TEXT NOT NULL,
  events TEXT NOT NULL,
  wrapped_secret TEXT NOT NULL,
  created_ms BIGINT NOT NULL
);
CREATE INDEX webhooks_by_account ON webhooks(account_id, created_ms);
CREATE TABLE webhook_deliveries (
  id TEXT PRIMARY KEY,
  webhook_id TEXT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
  account_id TEXT NOT NULL,
  event_type TEXT NOT NULL,
  payload TEXT NOT NULL,
  end_user TEXT NOT NULL,
  state TEXT NOT NULL,
  attempts BIGINT NOT NULL,
  created_ms BIGINT NOT NULL,
  next_ms BIGINT
);
CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries(webhook_id, created_ms);
CREATE INDEX webhook_deliveries_by_end_user ON webhook_deliveries(account_id, end_user);
CREATE TABLE webhook_attempts (
  delivery_id TEXT NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
  attempt BIGINT NOT NULL,
  at_ms BIGINT NOT NULL,
  status_code BIGINT NOT NULL,
  error TEXT NOT NULL,
  duration_ms BIGINT NOT NULL,
  PRIMARY KEY (delivery_id, attempt)
);
)sql";

// Version 16: legal requests (SHR-4), integrations' sealed tokens (SEC-3),
// and disclosure rows withheld from the customer while a non-disclosure
// order runs. A legal request names an end user only by keyed reference.
// (Versions 14 and 15 are the other parts of issue 12, built beside this.)
constexpr const char* kV16Sqlite = R"sql(
CREATE TABLE legal_requests (
  id TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL,
  account_id TEXT NOT NULL,
  subject TEXT NOT NULL,
  authority TEXT NOT NULL,
  authority_type TEXT NOT NULL,
  legal_basis TEXT NOT NULL,
  reference TEXT NOT NULL,
  categories TEXT NOT NULL,
  received_ms INTEGER NOT NULL,
  recorded_by TEXT NOT NULL,
  nondisclosure_until_ms INTEGER,
  decision TEXT NOT NULL,
  decision_note TEXT NOT NULL,
  disclosed TEXT NOT NULL,
  disclosed_ms INTEGER,
  decided_by TEXT NOT NULL,
  decided_ms INTEGER,
  notified_ms INTEGER
);
CREATE INDEX legal_requests_by_account ON legal_requests(account_id, received_ms);
CREATE INDEX legal_requests_by_received ON legal_requests(received_ms);
CREATE INDEX legal_requests_unnotified ON legal_requests(nondisclosure_until_ms)
  WHERE notified_ms IS NULL;
CREATE TABLE integrations (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL,
  provider TEXT NOT NULL,
  label TEXT NOT NULL,
  sealed_token TEXT NOT NULL,
  created_ms INTEGER NOT NULL
);
CREATE INDEX integrations_by_account ON integrations(account_id, created_ms);
ALTER TABLE disclosures ADD COLUMN withheld INTEGER NOT NULL DEFAULT 0;
CREATE INDEX disclosures_withheld ON disclosures(reference) WHERE withheld = 1;
)sql";

constexpr const char* kV16Postgres = R"sql(
CREATE TABLE legal_requests (
  id TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL,
  account_id TEXT NOT NULL,
  subject TEXT NOT NULL,
  authority TEXT NOT NULL,
  authority_type TEXT NOT NULL,
  legal_basis TEXT NOT NULL,
  reference TEXT NOT NULL,
  categories TEXT NOT NULL,
  received_ms BIGINT NOT NULL,
  recorded_by TEXT NOT NULL,
  nondisclosure_until_ms BIGINT,
  decision TEXT NOT NULL,
  decision_note TEXT NOT NULL,
  disclosed TEXT NOT NULL,
  disclosed_ms BIGINT,
  decided_by TEXT NOT NULL,
  decided_ms BIGINT,
  notified_ms BIGINT
);
CREATE INDEX legal_requests_by_account ON legal_requests(account_id, received_ms);
CREATE INDEX legal_requests_by_received ON legal_requests(received_ms);
CREATE INDEX legal_requests_unnotified ON legal_requests(nondisclosure_until_ms)
  WHERE notified_ms IS NULL;
CREATE TABLE integrations (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL,
  provider TEXT NOT NULL,
  label TEXT NOT NULL,
  sealed_token TEXT NOT NULL,
  created_ms BIGINT NOT NULL
);
CREATE INDEX integrations_by_account ON integrations(account_id, created_ms);
ALTER TABLE disclosures ADD COLUMN withheld BIGINT NOT NULL DEFAULT 0;
CREATE INDEX disclosures_withheld ON disclosures(reference) WHERE withheld = 1;
)sql";

// Version 17: two-factor authentication (ACC-4). The TOTP seed is sealed
// under the customer's key before it gets here; recovery codes and
// challenge tokens are kept only as digests.
constexpr const char* kV17Sqlite = R"sql(
CREATE TABLE totp_factors (
  customer_id TEXT PRIMARY KEY REFERENCES customers(id) ON DELETE CASCADE,
  sealed_seed TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  confirmed_ms INTEGER,
  last_step INTEGER NOT NULL
);
CREATE TABLE recovery_codes (
  customer_id TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  code_digest TEXT NOT NULL,
  used_ms INTEGER,
  PRIMARY KEY (customer_id, code_digest)
);
CREATE TABLE sign_in_challenges (
  token_digest TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  created_ms INTEGER NOT NULL,
  expires_ms INTEGER NOT NULL,
  failures INTEGER NOT NULL,
  used_ms INTEGER
);
CREATE INDEX sign_in_challenges_by_customer ON sign_in_challenges(customer_id);
)sql";

constexpr const char* kV17Postgres = R"sql(
CREATE TABLE totp_factors (
  customer_id TEXT PRIMARY KEY REFERENCES customers(id) ON DELETE CASCADE,
  sealed_seed TEXT NOT NULL,
  created_ms BIGINT NOT NULL,
  confirmed_ms BIGINT,
  last_step BIGINT NOT NULL
);
CREATE TABLE recovery_codes (
  customer_id TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  code_digest TEXT NOT NULL,
  used_ms BIGINT,
  PRIMARY KEY (customer_id, code_digest)
);
CREATE TABLE sign_in_challenges (
  token_digest TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  created_ms BIGINT NOT NULL,
  expires_ms BIGINT NOT NULL,
  failures BIGINT NOT NULL,
  used_ms BIGINT
);
CREATE INDEX sign_in_challenges_by_customer ON sign_in_challenges(customer_id);
)sql";

// Version 18 (issue 10, SEC-2): sessions get a public id, last use, IP,
// browser and country; sessions that predate it take an id from their
// digest's first characters (the digest of a random token reveals nothing)
// and their creation as last use. API keys record the IP of their last
// use. sign_in_throttles holds the sign-in limiter's state, keyed by
// digests of email and IP addresses, so several servers share it.
constexpr const char* kV18Sqlite = R"sql(
ALTER TABLE sessions ADD COLUMN id TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN last_used_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN ip TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN browser TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN country TEXT NOT NULL DEFAULT '';
UPDATE sessions SET id = 'sid_' || substr(token_digest, 1, 20), last_used_ms = created_ms;
CREATE UNIQUE INDEX sessions_by_id ON sessions(id);
CREATE INDEX sessions_by_customer ON sessions(customer_id, created_ms);
ALTER TABLE api_keys ADD COLUMN last_used_ip TEXT NOT NULL DEFAULT '';
CREATE INDEX login_events_by_customer_time ON login_events(customer_id, time_ms);
CREATE TABLE sign_in_throttles (
  throttle_key TEXT PRIMARY KEY,
  failures INTEGER NOT NULL,
  last_failure_ms INTEGER NOT NULL,
  blocked_until_ms INTEGER NOT NULL
);
CREATE INDEX sign_in_throttles_by_time ON sign_in_throttles(last_failure_ms);
)sql";

constexpr const char* kV18Postgres = R"sql(
ALTER TABLE sessions ADD COLUMN id TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN last_used_ms BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN ip TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN browser TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN country TEXT NOT NULL DEFAULT '';
UPDATE sessions SET id = 'sid_' || substr(token_digest, 1, 20), last_used_ms = created_ms;
CREATE UNIQUE INDEX sessions_by_id ON sessions(id);
CREATE INDEX sessions_by_customer ON sessions(customer_id, created_ms);
ALTER TABLE api_keys ADD COLUMN last_used_ip TEXT NOT NULL DEFAULT '';
CREATE INDEX login_events_by_customer_time ON login_events(customer_id, time_ms);
CREATE TABLE sign_in_throttles (
  throttle_key TEXT PRIMARY KEY,
  failures BIGINT NOT NULL,
  last_failure_ms BIGINT NOT NULL,
  blocked_until_ms BIGINT NOT NULL
);
CREATE INDEX sign_in_throttles_by_time ON sign_in_throttles(last_failure_ms);
)sql";

// Version 21 (issue 10, ACC-4): SMS as a second factor. The phone number
// is sealed under the customer's key before it gets here; SMS codes are
// kept only as keyed digests, one row per purpose (scope).
constexpr const char* kV21Sqlite = R"sql(
CREATE TABLE sms_factors (
  customer_id TEXT PRIMARY KEY REFERENCES customers(id) ON DELETE CASCADE,
  sealed_phone TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  confirmed_ms INTEGER
);
CREATE TABLE sms_codes (
  scope TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  code_digest TEXT NOT NULL,
  sent_ms INTEGER NOT NULL,
  expires_ms INTEGER NOT NULL,
  window_start_ms INTEGER NOT NULL,
  sends INTEGER NOT NULL,
  failures INTEGER NOT NULL
);
CREATE INDEX sms_codes_by_customer ON sms_codes(customer_id);
)sql";

constexpr const char* kV21Postgres = R"sql(
CREATE TABLE sms_factors (
  customer_id TEXT PRIMARY KEY REFERENCES customers(id) ON DELETE CASCADE,
  sealed_phone TEXT NOT NULL,
  created_ms BIGINT NOT NULL,
  confirmed_ms BIGINT
);
CREATE TABLE sms_codes (
  scope TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  code_digest TEXT NOT NULL,
  sent_ms BIGINT NOT NULL,
  expires_ms BIGINT NOT NULL,
  window_start_ms BIGINT NOT NULL,
  sends BIGINT NOT NULL,
  failures BIGINT NOT NULL
);
CREATE INDEX sms_codes_by_customer ON sms_codes(customer_id);
)sql";

// v22 (issue 9): the origins an account lets read its data plane from a
// browser (CORS), and delegated upload tokens. A token row names an end
// user (personal data): rows go when spent, revoked or expired
// (DeleteUploadTokensBefore), and with the end user's or account's
// erasure.
constexpr const char* kV22Sqlite = R"sql(
CREATE TABLE account_origins (
  account_id TEXT PRIMARY KEY,
  origins TEXT NOT NULL
);
CREATE TABLE upload_tokens (
  id TEXT PRIMARY KEY,
  digest TEXT NOT NULL UNIQUE,
  account_id TEXT NOT NULL,
  end_user TEXT NOT NULL,
  max_bytes INTEGER NOT NULL,
  kinds TEXT NOT NULL,
  title TEXT,
  tags TEXT,
  uses_left INTEGER NOT NULL,
  created_ms INTEGER NOT NULL,
  expires_ms INTEGER NOT NULL
);
CREATE INDEX upload_tokens_by_account ON upload_tokens(account_id, end_user);
CREATE INDEX upload_tokens_by_expiry ON upload_tokens(expires_ms);
)sql";

constexpr const char* kV22Postgres = R"sql(
CREATE TABLE account_origins (
  account_id TEXT PRIMARY KEY,
  origins TEXT NOT NULL
);
CREATE TABLE upload_tokens (
  id TEXT PRIMARY KEY,
  digest TEXT NOT NULL UNIQUE,
  account_id TEXT NOT NULL,
  end_user TEXT NOT NULL,
  max_bytes BIGINT NOT NULL,
  kinds TEXT NOT NULL,
  title TEXT,
  tags TEXT,
  uses_left BIGINT NOT NULL,
  created_ms BIGINT NOT NULL,
  expires_ms BIGINT NOT NULL
);
CREATE INDEX upload_tokens_by_account ON upload_tokens(account_id, end_user);
CREATE INDEX upload_tokens_by_expiry ON upload_tokens(expires_ms);
)sql";

// v23 (issue 9): tus uploads in progress. A row holds the upload's state
// and its sealed parts (blob ids and wrapped data keys, never a plaintext
// key or byte); it names an end user, so it goes with their erasure, and
// the job runner purges it (blobs included) once it expires.
constexpr const char* kV23Sqlite = R"sql(
CREATE TABLE uploads (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL,
  end_user TEXT NOT NULL,
  creator TEXT NOT NULL,
  token_digest TEXT,
  length INTEGER NOT NULL,
  upload_offset INTEGER NOT NULL,
  content_type TEXT NOT NULL,
  title TEXT,
  tags TEXT,
  max_bytes INTEGER,
  kinds TEXT NOT NULL,
  metadata TEXT NOT NULL,
  parts TEXT NOT NULL,
  media_id TEXT,
  created_ms INTEGER NOT NULL,
  expires_ms INTEGER NOT NULL
);
CREATE INDEX uploads_by_expiry ON uploads(expires_ms);
CREATE INDEX uploads_by_token ON uploads(token_digest);
CREATE INDEX uploads_by_account ON uploads(account_id, end_user);
)sql";

constexpr const char* kV23Postgres = R"sql(
CREATE TABLE uploads (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL,
  end_user TEXT NOT NULL,
  creator TEXT NOT NULL,
  token_digest TEXT,
  length BIGINT NOT NULL,
  upload_offset BIGINT NOT NULL,
  content_type TEXT NOT NULL,
  title TEXT,
  tags TEXT,
  max_bytes BIGINT,
  kinds TEXT NOT NULL,
  metadata TEXT NOT NULL,
  parts TEXT NOT NULL,
  media_id TEXT,
  created_ms BIGINT NOT NULL,
  expires_ms BIGINT NOT NULL
);
CREATE INDEX uploads_by_expiry ON uploads(expires_ms);
CREATE INDEX uploads_by_token ON uploads(token_digest);
CREATE INDEX uploads_by_account ON uploads(account_id, end_user);
)sql";

// Version 25: derived artifacts of media (posters, transcripts), each a
// durable task until it is ready, and the account's transcription opt-in.
constexpr const char* kV25Sqlite = R"sql(
CREATE TABLE media_artifacts (
  media_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  account_id TEXT NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  run_after_ms INTEGER NOT NULL,
  lease_until_ms INTEGER,
  bytes INTEGER NOT NULL,
  detail TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL,
  PRIMARY KEY (media_id, kind)
);
CREATE INDEX media_artifacts_due ON media_artifacts(state, run_after_ms);
CREATE TABLE media_processing_settings (
  account_id TEXT PRIMARY KEY,
  transcription INTEGER NOT NULL
);
)sql";

constexpr const char* kV25Postgres = R"sql(
CREATE TABLE media_artifacts (
  media_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  account_id TEXT NOT NULL,
  state TEXT NOT NULL,
  attempts BIGINT NOT NULL,
  run_after_ms BIGINT NOT NULL,
  lease_until_ms BIGINT,
  bytes BIGINT NOT NULL,
  detail TEXT NOT NULL,
  created_ms BIGINT NOT NULL,
  updated_ms BIGINT NOT NULL,
  PRIMARY KEY (media_id, kind)
);
CREATE INDEX media_artifacts_due ON media_artifacts(state, run_after_ms);
CREATE TABLE media_processing_settings (
  account_id TEXT PRIMARY KEY,
  transcription BIGINT NOT NULL
);
)sql";

// Version 26: web renditions (issue 14): the worker's progress on an
// artifact, the account's web rendition setting, and the wish of a tus
// upload for one, kept until the upload completes.
constexpr const char* kV26Sqlite = R"sql(
ALTER TABLE media_artifacts ADD COLUMN progress_milli INTEGER NOT NULL DEFAULT 0;
ALTER TABLE media_processing_settings ADD COLUMN web_rendition INTEGER NOT NULL DEFAULT 0;
ALTER TABLE uploads ADD COLUMN web_rendition INTEGER NOT NULL DEFAULT 0;
)sql";

constexpr const char* kV26Postgres = R"sql(
ALTER TABLE media_artifacts ADD COLUMN progress_milli BIGINT NOT NULL DEFAULT 0;
ALTER TABLE media_processing_settings ADD COLUMN web_rendition BIGINT NOT NULL DEFAULT 0;
ALTER TABLE uploads ADD COLUMN web_rendition BIGINT NOT NULL DEFAULT 0;
)sql";

// Version 27: claims name their instance (issue 13). A job's or an
// artifact's lease and a blob intent carry the id of the server that made
// them (InstanceId), so a server restarted on its data directory takes
// back its own dead predecessor's claims at once and leaves a live peer's
// alone.
constexpr const char* kV27Sqlite = R"sql(
ALTER TABLE jobs ADD COLUMN lease_owner TEXT NOT NULL DEFAULT '';
ALTER TABLE media_artifacts ADD COLUMN lease_owner TEXT NOT NULL DEFAULT '';
ALTER TABLE blob_intents ADD COLUMN owner TEXT NOT NULL DEFAULT '';
)sql";

constexpr const char* kV27Postgres = R"sql(
ALTER TABLE jobs ADD COLUMN lease_owner TEXT NOT NULL DEFAULT '';
ALTER TABLE media_artifacts ADD COLUMN lease_owner TEXT NOT NULL DEFAULT '';
ALTER TABLE blob_intents ADD COLUMN owner TEXT NOT NULL DEFAULT '';
)sql";

// Version 20: automated abuse decisions (ADM-1): signals with their inputs,
// decisions that suspend an account, appeals for human review; usage events
// indexed by time for the signals that count them.
constexpr const char* kV20Sqlite = R"sql(
CREATE TABLE abuse_signals (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  observed INTEGER NOT NULL,
  baseline_milli INTEGER NOT NULL,
  trigger_level INTEGER NOT NULL,
  score INTEGER NOT NULL,
  window_ms INTEGER NOT NULL,
  detail TEXT NOT NULL,
  observed_ms INTEGER NOT NULL,
  decision_id TEXT NOT NULL DEFAULT ''
);
CREATE INDEX abuse_signals_by_account ON abuse_signals(account_id, observed_ms);
CREATE INDEX abuse_signals_by_decision ON abuse_signals(decision_id);
CREATE TABLE abuse_decisions (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL,
  customer_id TEXT NOT NULL,
  score INTEGER NOT NULL,
  threshold INTEGER NOT NULL,
  state TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  lifted_ms INTEGER,
  lifted_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX abuse_decisions_by_account ON abuse_decisions(account_id, created_ms);
CREATE INDEX abuse_decisions_by_state ON abuse_decisions(state);
CREATE TABLE appeals (
  id TEXT PRIMARY KEY,
  decision_id TEXT NOT NULL,
  account_id TEXT NOT NULL,
  customer_id TEXT NOT NULL,
  statement TEXT NOT NULL,
  state TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  decided_ms INTEGER,
  decided_by TEXT NOT NULL DEFAULT '',
  reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX appeals_by_decision ON appeals(decision_id, created_ms);
CREATE INDEX appeals_by_state ON appeals(state, created_ms);
CREATE INDEX usage_by_account_time ON usage_events(account_id, time_ms);
CREATE INDEX usage_by_time ON usage_events(time_ms);
)sql";

constexpr const char* kV20Postgres = R"sql(
CREATE TABLE abuse_signals (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  observed BIGINT NOT NULL,
  baseline_milli BIGINT NOT NULL,
  trigger_level BIGINT NOT NULL,
  score BIGINT NOT NULL,
  window_ms BIGINT NOT NULL,
  detail TEXT NOT NULL,
  observed_ms BIGINT NOT NULL,
  decision_id TEXT NOT NULL DEFAULT ''
);
CREATE INDEX abuse_signals_by_account ON abuse_signals(account_id, observed_ms);
CREATE INDEX abuse_signals_by_decision ON abuse_signals(decision_id);
CREATE TABLE abuse_decisions (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL,
  customer_id TEXT NOT NULL,
  score BIGINT NOT NULL,
  threshold BIGINT NOT NULL,
  state TEXT NOT NULL,
  created_ms BIGINT NOT NULL,
  lifted_ms BIGINT,
  lifted_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX abuse_decisions_by_account ON abuse_decisions(account_id, created_ms);
CREATE INDEX abuse_decisions_by_state ON abuse_decisions(state);
CREATE TABLE appeals (
  id TEXT PRIMARY KEY,
  decision_id TEXT NOT NULL,
  account_id TEXT NOT NULL,
  customer_id TEXT NOT NULL,
  statement TEXT NOT NULL,
  state TEXT NOT NULL,
  created_ms BIGINT NOT NULL,
  decided_ms BIGINT,
  decided_by TEXT NOT NULL DEFAULT '',
  reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX appeals_by_decision ON appeals(decision_id, created_ms);
CREATE INDEX appeals_by_state ON appeals(state, created_ms);
CREATE INDEX usage_by_account_time ON usage_events(account_id, time_ms);
CREATE INDEX usage_by_time ON usage_events(time_ms);
)sql";

// Version 19: staff sign in with a password and TOTP (SEC-2), and read a
// customer's data only under an access grant, every use logged for the
// customer (USE-4, SEC-1). The permanent staff tokens of version 6 are
// retired: their digests are replaced by values no token hashes to.
constexpr const char* kV19Sqlite = R"sql(
ALTER TABLE staff ADD COLUMN password_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE staff ADD COLUMN totp_seed TEXT NOT NULL DEFAULT '';
ALTER TABLE staff ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT -1;
UPDATE staff SET token_digest = 'retired:' || id;
CREATE TABLE staff_sessions (
  token_digest TEXT PRIMARY KEY,
  staff_id TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  expires_ms INTEGER NOT NULL,
  revoked_ms INTEGER
);
CREATE INDEX staff_sessions_by_staff ON staff_sessions(staff_id);
CREATE TABLE access_grants (
  id TEXT PRIMARY KEY,
  staff_id TEXT NOT NULL,
  account_id TEXT NOT NULL,
  purpose TEXT NOT NULL
    CHECK (purpose IN ('debugging', 'security_investigation', 'abuse_review', 'legal')),
  ticket TEXT NOT NULL,
  scopes TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  expires_ms INTEGER NOT NULL,
  revoked_ms INTEGER,
  revoked_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX access_grants_by_staff ON access_grants(staff_id, created_ms);
CREATE INDEX access_grants_by_holder ON access_grants(staff_id, account_id, expires_ms);
CREATE TABLE access_log (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL,
  at_ms INTEGER NOT NULL,
  staff_id TEXT NOT NULL,
  grant_id TEXT NOT NULL,
  purpose TEXT NOT NULL,
  ticket TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('grant.create', 'grant.revoke', 'request')),
  method TEXT NOT NULL,
  route TEXT NOT NULL,
  path TEXT NOT NULL
);
CREATE INDEX access_log_by_account ON access_log(account_id, at_ms, id);
)sql";

constexpr const char* kV19Postgres = R"sql(
ALTER TABLE staff ADD COLUMN password_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE staff ADD COLUMN totp_seed TEXT NOT NULL DEFAULT '';
ALTER TABLE staff ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT -1;
UPDATE staff SET token_digest = 'retired:' || id;
CREATE TABLE staff_sessions (
  token_digest TEXT PRIMARY KEY,
  staff_id TEXT NOT NULL,
  created_ms BIGINT NOT NULL,
  expires_ms BIGINT NOT NULL,
  revoked_ms BIGINT
);
CREATE INDEX staff_sessions_by_staff ON staff_sessions(staff_id);
CREATE TABLE access_grants (
  id TEXT PRIMARY KEY,
  staff_id TEXT NOT NULL,
  account_id TEXT NOT NULL,
  purpose TEXT NOT NULL
    CHECK (purpose IN ('debugging', 'security_investigation', 'abuse_review', 'legal')),
  ticket TEXT NOT NULL,
  scopes TEXT NOT NULL,
  created_ms BIGINT NOT NULL,
  expires_ms BIGINT NOT NULL,
  revoked_ms BIGINT,
  revoked_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX access_grants_by_staff ON access_grants(staff_id, created_ms);
CREATE INDEX access_grants_by_holder ON access_grants(staff_id, account_id, expires_ms);
CREATE TABLE access_log (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL,
  at_ms BIGINT NOT NULL,
  staff_id TEXT NOT NULL,
  grant_id TEXT NOT NULL,
  purpose TEXT NOT NULL,
  ticket TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('grant.create', 'grant.revoke', 'request')),
  method TEXT NOT NULL,
  route TEXT NOT NULL,
  path TEXT NOT NULL
);
CREATE INDEX access_log_by_account ON access_log(account_id, at_ms, id);
)sql";

// v24 (issue 14): what the probe read from each media at ingest (absent for
// media from before, and where it does not apply), and whether an account
// scrubs location and device metadata from uploads. Accounts from before
// keep what they had (no scrubbing); new accounts are created with it on.
constexpr const char* kV24Sqlite = R"sql(
ALTER TABLE accounts ADD COLUMN scrub_metadata INTEGER NOT NULL DEFAULT 0;
ALTER TABLE media ADD COLUMN duration_ms INTEGER;
ALTER TABLE media ADD COLUMN width INTEGER;
ALTER TABLE media ADD COLUMN height INTEGER;
ALTER TABLE media ADD COLUMN codecs TEXT;
ALTER TABLE media ADD COLUMN frame_rate TEXT;
ALTER TABLE media ADD COLUMN rotation INTEGER;
)sql";

constexpr const char* kV24Postgres = R"sql(
ALTER TABLE accounts ADD COLUMN scrub_metadata BIGINT NOT NULL DEFAULT 0;
ALTER TABLE media ADD COLUMN duration_ms BIGINT;
ALTER TABLE media ADD COLUMN width BIGINT;
ALTER TABLE media ADD COLUMN height BIGINT;
ALTER TABLE media ADD COLUMN codecs TEXT;
ALTER TABLE media ADD COLUMN frame_rate TEXT;
ALTER TABLE media ADD COLUMN rotation BIGINT;
)sql";

// Version 28 (issue 13): listings stay O(page) however many media there
// are. A tag's media are listed in media order through media_tags itself:
// each tag row gets its media's account and seq (neither ever changes),
// indexed (account_id, tag, media_seq); that index replaces the one on the
// tag alone, which ordered nothing. Tag rows of media that no longer exist
// (unreachable, and personal data) go. PostgreSQL also gets seq into the
// end-user indexes of media and usage events, so a listing by end user
// reads a page instead of sorting all of that end user's rows; SQLite's
// already end with it (seq is the rowid, the last column of every index).
// (Version 27 is another feature's; each version applies on its own.)
constexpr const char* kV28Sqlite = R"sql(
DELETE FROM media_tags WHERE NOT EXISTS (SELECT 1 FROM media m WHERE m.id = media_tags.media_id);
ALTER TABLE media_tags ADD COLUMN account_id TEXT NOT NULL DEFAULT '';
ALTER TABLE media_tags ADD COLUMN media_seq INTEGER NOT NULL DEFAULT 0;
UPDATE media_tags SET
  account_id = (SELECT m.account_id FROM media m WHERE m.id = media_tags.media_id),
  media_seq = (SELECT m.seq FROM media m WHERE m.id = media_tags.media_id);
CREATE INDEX media_tags_by_account_tag ON media_tags(account_id, tag, media_seq);
DROP INDEX media_tags_by_tag;
)sql";

constexpr const char* kV28Postgres = R"sql(
DELETE FROM media_tags t WHERE NOT EXISTS (SELECT 1 FROM media m WHERE m.id = t.media_id);
ALTER TABLE media_tags ADD COLUMN account_id TEXT NOT NULL DEFAULT '';
ALTER TABLE media_tags ADD COLUMN media_seq BIGINT NOT NULL DEFAULT 0;
UPDATE media_tags t SET account_id = m.account_id, media_seq = m.seq
  FROM media m WHERE m.id = t.media_id;
CREATE INDEX media_tags_by_account_tag ON media_tags(account_id, tag, media_seq);
DROP INDEX media_tags_by_tag;
CREATE INDEX media_by_end_user_seq ON media(account_id, end_user, seq);
DROP INDEX media_by_end_user;
CREATE INDEX usage_by_end_user_seq ON usage_events(account_id, end_user, seq);
DROP INDEX usage_by_end_user;
)sql";

// Version 29 (issue 15): passkeys (WebAuthn credentials) of customers and
// staff members, and the challenges of their ceremonies, kept as digests.
// A credential id is unique across owners: the sign-in looks it up alone.
constexpr const char* kV29Sqlite = R"sql(
CREATE TABLE passkeys (
  id TEXT PRIMARY KEY,
  owner_kind TEXT NOT NULL CHECK (owner_kind IN ('customer', 'staff')),
  owner_id TEXT NOT NULL,
  credential_id TEXT NOT NULL UNIQUE,
  cose_alg INTEGER NOT NULL,
  public_key TEXT NOT NULL,
  sign_count INTEGER NOT NULL,
  name TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  last_used_ms INTEGER
);
CREATE INDEX passkeys_by_owner ON passkeys(owner_kind, owner_id, created_ms);
CREATE TABLE passkey_challenges (
  challenge_digest TEXT PRIMARY KEY,
  purpose TEXT NOT NULL CHECK (purpose IN ('register', 'sign-in')),
  owner_kind TEXT NOT NULL,
  owner_id TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  expires_ms INTEGER NOT NULL,
  used_ms INTEGER
);
CREATE INDEX passkey_challenges_by_expiry ON passkey_challenges(expires_ms);
)sql";

constexpr const char* kV29Postgres = R"sql(
CREATE TABLE passkeys (
  id TEXT PRIMARY KEY,
  owner_kind TEXT NOT NULL CHECK (owner_kind IN ('customer', 'staff')),
  owner_id TEXT NOT NULL,
  credential_id TEXT NOT NULL UNIQUE,
  cose_alg BIGINT NOT NULL,
  public_key TEXT NOT NULL,
  sign_count BIGINT NOT NULL,
  name TEXT NOT NULL,
  created_ms BIGINT NOT NULL,
  last_used_ms BIGINT
);
CREATE INDEX passkeys_by_owner ON passkeys(owner_kind, owner_id, created_ms);
CREATE TABLE passkey_challenges (
  challenge_digest TEXT PRIMARY KEY,
  purpose TEXT NOT NULL CHECK (purpose IN ('register', 'sign-in')),
  owner_kind TEXT NOT NULL,
  owner_id TEXT NOT NULL,
  created_ms BIGINT NOT NULL,
  expires_ms BIGINT NOT NULL,
  used_ms BIGINT
);
CREATE INDEX passkey_challenges_by_expiry ON passkey_challenges(expires_ms);
)sql";

// Version 30 (issue 15, the recorder embed): an account may set the notice
// its end users see before <lethe-recorder> records them, and the consent
// purposes the recorder asks for (comma-separated names, purposes.h); ''
// when none is set. The consent ledger takes the source "recorder" (an
// upload token recording its end user's consent): SQLite cannot widen a
// CHECK in place, so its consents table is rebuilt with the same rows and
// sequence; PostgreSQL replaces the constraint.
constexpr const char* kV30Sqlite = R"sql(
ALTER TABLE accounts ADD COLUMN capture_notice TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN capture_purposes TEXT NOT NULL DEFAULT '';
CREATE TABLE consents_v30 (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  customer_id TEXT NOT NULL,
  account_id TEXT NOT NULL,
  subject TEXT NOT NULL,
  purpose TEXT NOT NULL,
  decision TEXT NOT NULL CHECK (decision IN ('opt_in', 'opt_out')),
  source TEXT NOT NULL CHECK (source IN ('api', 'portal', 'gpc', 'dnt', 'mail', 'recorder')),
  at_ms INTEGER NOT NULL,
  policy_version INTEGER NOT NULL,
  request_id TEXT NOT NULL
);
INSERT INTO consents_v30 (seq, id, customer_id, account_id, subject, purpose, decision, source,
                          at_ms, policy_version, request_id)
  SELECT seq, id, customer_id, account_id, subject, purpose, decision, source, at_ms,
         policy_version, request_id FROM consents;
DROP TABLE consents;
ALTER TABLE consents_v30 RENAME TO consents;
CREATE INDEX consents_by_subject ON consents(account_id, subject, seq);
)sql";

constexpr const char* kV30Postgres = R"sql(
ALTER TABLE accounts ADD COLUMN capture_notice TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN capture_purposes TEXT NOT NULL DEFAULT '';
ALTER TABLE consents DROP CONSTRAINT consents_source_check;
ALTER TABLE consents ADD CONSTRAINT consents_source_check
  CHECK (source IN ('api', 'portal', 'gpc', 'dnt', 'mail', 'recorder'));
)sql";

}  // namespace

const std::vector<Migration>& MetadataMigrations(SqlDialect dialect) {
  static const std::vector<Migration> kSqlite = {
      {1, kV1Sqlite},   {2, kV2Sqlite},   {3, kV3Sqlite},   {4, kV4Sqlite},   {5, kV5Sqlite},
      {6, kV6Sqlite},   {7, kV7Sqlite},   {8, kV8Sqlite},   {9, kV9Sqlite},   {10, kV10Sqlite},
      {11, kV11Sqlite}, {12, kV12Sqlite}, {13, kV13Sqlite}, {14, kV14Sqlite}, {15, kV15Sqlite},
      {16, kV16Sqlite}, {17, kV17Sqlite}, {18, kV18Sqlite}, {19, kV19Sqlite}, {20, kV20Sqlite},
      {21, kV21Sqlite}, {22, kV22Sqlite}, {23, kV23Sqlite}, {24, kV24Sqlite}, {25, kV25Sqlite},
      {26, kV26Sqlite}, {27, kV27Sqlite}, {28, kV28Sqlite}, {29, kV29Sqlite}, {30, kV30Sqlite}};
  static const std::vector<Migration> kPostgres = {
      {1, kV1Postgres},   {2, kV2Postgres},   {3, kV3Postgres},   {4, kV4Postgres},
      {5, kV5Postgres},   {6, kV6Postgres},   {7, kV7Postgres},   {8, kV8Postgres},
      {9, kV9Postgres},   {10, kV10Postgres}, {11, kV11Postgres}, {12, kV12Postgres},
      {13, kV13Postgres}, {14, kV14Postgres}, {15, kV15Postgres}, {16, kV16Postgres},
      {17, kV17Postgres}, {18, kV18Postgres}, {19, kV19Postgres}, {20, kV20Postgres},
      {21, kV21Postgres}, {22, kV22Postgres}, {23, kV23Postgres}, {24, kV24Postgres},
      {25, kV25Postgres}, {26, kV26Postgres}, {27, kV27Postgres}, {28, kV28Postgres},
      {29, kV29Postgres}, {30, kV30Postgres}};
  return dialect == SqlDialect::kPostgres ? kPostgres : kSqlite;
}

Status ApplyMigrations(SqlDatabase& db, const std::vector<Migration>& migrations, int64_t now_ms) {
  const bool pg = db.dialect() == SqlDialect::kPostgres;
  LETHE_RETURN_IF_ERROR(db.Write(Durability::kPowerLoss, [pg](SqlConnection& conn) {
    // Several servers may start at once: PostgreSQL serializes the creation.
    if (pg) LETHE_RETURN_IF_ERROR(conn.ExecScript("SELECT pg_advisory_xact_lock(7265746865)"));
    return conn.ExecScript(pg ? "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT "
                                "PRIMARY KEY, applied_ms BIGINT NOT NULL)"
                              : "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER "
                                "PRIMARY KEY, applied_ms INTEGER NOT NULL)");
  }));
  for (const Migration& m : migrations) {
    // One transaction per version: a failure leaves the last good version.
    Status st = db.Write(Durability::kPowerLoss, [&](SqlConnection& conn) -> Status {
      if (m.sql.empty()) return Status::Internal("no SQL for this database engine");
      // One migrator at a time, reading the versions others applied.
      LETHE_RETURN_IF_ERROR(conn.LockTableForWrite("schema_migrations"));
      LETHE_ASSIGN_OR_RETURN(auto rows,
                             conn.Query("SELECT COUNT(*) FROM schema_migrations WHERE version = $1",
                                        {int64_t{m.version}}));
      if (!rows.empty() && SqlInt(rows[0][0]) > 0) return Status::Ok();
      LETHE_RETURN_IF_ERROR(conn.ExecScript(m.sql));
      return StatusOf(
          conn.Query("INSERT INTO schema_migrations (version, applied_ms) VALUES ($1, $2)",
                     {int64_t{m.version}, now_ms}));
    });
    if (!st.ok())
      return Status::Internal("migration " + std::to_string(m.version) + ": " + st.message());
  }
  return Status::Ok();
}

}  // namespace lethe
