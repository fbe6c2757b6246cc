// LetheServer: one `lethe serve` process, assembled. Opens the stores in the
// data directory, builds the domain services on them, registers the routes
// and runs the HTTP server. Every dependency is made here and passed down
// through constructors: there are no globals.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "app/blob_config.h"
#include "common/network_threads.h"
#include "common/status.h"
#include "domain/abuse_signals.h"
#include "domain/audit_checkpoints.h"
#include "domain/closures.h"
#include "ports/blob_store.h"
#include "ports/clock.h"
#include "ports/key_store.h"
#include "ports/media_worker.h"
#include "ports/metadata_store.h"
#include "ports/random.h"

namespace lethe {

class Router;

struct ServeConfig {
  std::string listen = "127.0.0.1:8080";
  std::string data_dir = "./data";
  std::string master_key_file;  // default: <data_dir>/master.key
  std::string master_key_hex;   // from LETHE_MASTER_KEY; wins over files
  uint64_t max_json_body = 1 << 20;
  uint64_t max_media_bytes = 8ULL << 30;
  // The largest file scrubbed of metadata, held in memory while it is
  // rewritten (domain/media_intake.h).
  uint64_t scrub_max_bytes = 512ULL << 20;
  int threads = 4;
  int blocking_threads = 16;     // handlers, uploads and downloads (see ServerOptions)
  uint64_t max_connections = 0;  // 0: sized from RLIMIT_NOFILE
  uint64_t min_rate = 1024;      // bytes per second, see ServerOptions
  uint64_t rate_grace_seconds = 30;
  uint64_t request_deadline_seconds = 24 * 3600;
  // SIGTERM and SIGINT stop the server gracefully. Off for a server running
  // inside another program (tests), which keeps its own signals.
  bool handle_signals = true;
  // Mail: through this SMTP relay (smtp://, smtps://; may hold a password,
  // so it is never logged), or, when empty, as .eml files under
  // <data_dir>/outbox-mail for an operator's MTA or a developer to read.
  std::string smtp_url;
  std::string mail_from = "noreply@localhost";
  // SMS codes (ACC-4): to this provider's HTTP API (http(s) URL; POST of
  // {"to","body"} with the bearer token read from sms_token_file, which
  // keeps it out of ps), or, when sms_url is empty, as JSON files in
  // sms_outbox (default <data_dir>/outbox-sms, for development; tests pass
  // a directory outside the data directory: it stands in for the phone).
  std::string sms_url;
  std::string sms_token_file;
  std::string sms_outbox;
  // Where customers reach this server (e.g. https://lethe.example): the base
  // of links in mail (RFC 8058 unsubscribe). Empty: http://<listen address>.
  std::string public_url;
  // The built portal (web/portal, `vite build`) served at / (issue 15),
  // read into memory at start; empty: none (its pages answer 404
  // portal-not-built). Cookie sessions must come from public_url's
  // origin when it is set, else from the request's Host.
  std::string portal_dir;
  // The built embeds (web/embeds: <lethe-recorder>, <lethe-player> and
  // their examples page) served at /embed/ (issue 15); empty: none
  // (404 embeds-not-built).
  std::string embeds_dir;
  // Metadata and keys in PostgreSQL: libpq conninfos (postgres://... or
  // key=value; may hold a password, so never logged). Empty: SQLite files
  // in data_dir (lethe.db, keys.db). Keys belong in a database of their own
  // (sql_key_store.h says why).
  std::string metadata_url;
  std::string keys_url;
  // The erasure journal (keyed hashes of what was erased; replayed after a
  // restore). Default <data_dir>/erasure.journal; never part of a backup.
  std::string erasure_journal;
  // How long each class of a closed customer's records is kept (ACC-10).
  RetentionClasses retention;
  // Backups (USE-5): where they go (default <data_dir>/backups), where the
  // epoch keys live (default <data_dir>/backup-keys; production keeps it
  // on another volume), how often one is taken (0: never) and when an
  // epoch's key is destroyed.
  std::string backup_dir;
  std::string backup_keys;
  int backup_every_hours = 24;
  int backup_max_age_days = 30;
  // Posters and transcripts (issue 14): how many media workers run at
  // once (0: none is made), each a child process running `media_worker
  // worker ...` within these limits (main sets its own binary; empty:
  // every poster and transcript fails with media-worker-missing).
  int media_workers = 2;
  std::string media_worker;
  MediaWorkerLimits media_worker_limits;
  int media_max_minutes = 240;  // longer media get no transcript or rendition
  // The origin line (and signed-note key name) of the audit chain's signed
  // checkpoints. Keep it fixed for the deployment's life: checkpoints under
  // another origin do not chain to the old ones.
  std::string checkpoint_origin = kDefaultAuditOrigin;
  // Customer sessions (SEC-2): they end this long after sign-in, or after
  // this long unused, whichever comes first.
  int64_t session_max_days = 30;
  int64_t session_idle_minutes = 7 * 24 * 60;
  // Where media blobs live: the data directory, or an S3 bucket (--blobs).
  BlobStoreConfig blobs;
  // The region this server is the cell of ("us" or "eu", XFR-1): its stores
  // hold that region's accounts only, and creating an account of another
  // region is refused (region_cells.h). Empty, the embedded default: one
  // implicit cell holding accounts of both regions.
  std::string region;
  // Automated abuse decisions (ADM-1): what the signals count and the
  // score that suspends, and a file of known-bad SHA-256 digests for the
  // built-in content check (none when empty).
  AbuseRules abuse;
  std::string known_bad_hashes;
};

// The backup-related paths of a data directory, defaults filled in.
struct BackupPaths {
  std::string backup_dir;
  std::string backup_keys;
  std::string erasure_journal;
};
BackupPaths ResolveBackupPaths(const std::string& data_dir, const std::string& backup_dir,
                               const std::string& backup_keys, const std::string& erasure_journal);

// Test seams: set by tests (and by `lethe_testing`) only; `lethe` passes
// none. Each wrap_* gets a port just after it is opened and returns what the
// server uses instead, typically a fault-injecting wrapper that owns it
// (src/testing/). The metadata store's wrapper will join them here.
struct PortSeams {
  std::function<std::unique_ptr<BlobStore>(std::unique_ptr<BlobStore>)> wrap_blobs;
  std::function<std::unique_ptr<KeyStore>(std::unique_ptr<KeyStore>)> wrap_keys;
  std::function<std::unique_ptr<MetadataStore>(std::unique_ptr<MetadataStore>)> wrap_metadata;
  // Told the server's network threads before any port is wrapped, so a
  // wrapper can refuse calls made on them (ThreadCheckedPorts).
  std::function<void(const NetworkThreads&)> network_threads;
  // Extra routes, registered after the API's (lethe_testing's /_test/...).
  std::function<void(Router&)> add_routes;
};

class LetheServer {
 public:
  // Opens everything and binds the listening socket. Returns the error that
  // stopped it: a bad config, an unreadable store, an address in use.
  static Result<std::unique_ptr<LetheServer>> Start(const ServeConfig& config, Clock& clock,
                                                    Random& random, const PortSeams& seams = {});
  ~LetheServer();

  // The bound "address:port".
  const std::string& endpoint() const;
  // Serves until SIGTERM/SIGINT (with config.handle_signals) or Stop(),
  // then drains requests, stops background work and returns.
  void Run();
  void Stop();

 private:
  struct Parts;
  // Registers the background work of a running server on its runner.
  static Status ScheduleBackgroundWork(Parts& p);
  explicit LetheServer(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

// `lethe privacy metrics --year N`: the CCPA-style yearly report of
// data-subject requests (privacy_metrics.h) as a table on stdout, read
// from PostgreSQL at `metadata_url` or, when empty, from <data_dir>/lethe.db.
// Returns the exit code: 0, or 2 with the reason on stderr.
int PrintPrivacyMetrics(const std::string& data_dir, int year,
                        const std::string& metadata_url = "");

// `lethe retention plan`: prints what will be deleted when, per retention
// class, for the customer owning `account_id` or every closed customer,
// from PostgreSQL at `metadata_url` or, when empty, <data_dir>/lethe.db.
// Returns 0, or 2 on error.
int PrintRetentionPlan(const std::string& data_dir, const std::optional<std::string>& account_id,
                       const RetentionClasses& classes, const std::string& metadata_url = "");

// `lethe audit verify`: checks the audit chain in `data_dir`. Prints a
// verdict to stdout and returns 0 when intact, 1 when broken, 2 on error.
// With `metadata_url` (a PostgreSQL conninfo) the chain is read there; the
// anchor stays in data_dir.
int VerifyAuditChain(const std::string& data_dir, const std::string& metadata_url = "");

}  // namespace lethe
