#include "app/lethe_server.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>

#include "adapters/local/data_dir_lock.h"
#include "adapters/local/file_audit_anchor.h"
#include "adapters/local/file_backup_key_store.h"
#include "adapters/local/file_erasure_journal.h"
#include "adapters/local/file_space_reserve.h"
#include "adapters/local/instance_id.h"
#include "adapters/local/local_backup_vault.h"
#include "adapters/local/local_blob_store.h"
#include "adapters/local/process_media_worker.h"
#include "adapters/mail/file_mailer.h"
#include "adapters/mail/smtp_mailer.h"
#include "adapters/outbound/curl_outbound_http.h"
#include "adapters/sms/file_sms_sender.h"
#include "adapters/sms/http_sms_sender.h"
#include "adapters/sql/sql_key_store.h"
#include "adapters/sql/sql_metadata_store.h"
#include "adapters/sqlite/sqlite_snapshots.h"
#include "app/master_key.h"
#include "app/ops_channel.h"
#include "app/shutdown_signals.h"
#include "app/store_databases.h"
#include "common/encoding.h"
#include "common/time_format.h"
#include "crypto/keyed_id.h"
#include "crypto/signing_key.h"
#include "domain/abuse_signals.h"
#include "domain/access_grants.h"
#include "domain/accounts.h"
#include "domain/appeals.h"
#include "domain/audit_checkpoints.h"
#include "domain/audit_log.h"
#include "domain/backup_epochs.h"
#include "domain/backups.h"
#include "domain/consent_ledger.h"
#include "domain/customers.h"
#include "domain/disclosure_ledger.h"
#include "domain/erasure_receipts.h"
#include "domain/erasures.h"
#include "domain/export_links.h"
#include "domain/integrations.h"
#include "domain/job_queue.h"
#include "domain/job_runner.h"
#include "domain/key_ring.h"
#include "domain/legal_holds.h"
#include "domain/legal_requests.h"
#include "domain/marketing_mail.h"
#include "domain/media_artifacts.h"
#include "domain/media_library.h"
#include "domain/media_links.h"
#include "domain/outbox.h"
#include "domain/passkeys.h"
#include "domain/policy_versions.h"
#include "domain/privacy_metrics.h"
#include "domain/privacy_requests.h"
#include "domain/processing_gate.h"
#include "domain/processing_limits.h"
#include "domain/request_fulfilment.h"
#include "domain/resumable_uploads.h"
#include "domain/session_list.h"
#include "domain/staff.h"
#include "domain/sub_processors.h"
#include "domain/subject_export.h"
#include "domain/suspensions.h"
#include "domain/transfers.h"
#include "domain/transparency_report.h"
#include "domain/two_factor.h"
#include "domain/upload_tokens.h"
#include "domain/usage_aggregates.h"
#include "domain/usage_ledger.h"
#include "domain/webhooks.h"
#include "http/abuse_api.h"
#include "http/aggregate_api.h"
#include "http/browser_session.h"
#include "http/capture_api.h"
#include "http/checkpoint_api.h"
#include "http/closure_api.h"
#include "http/consent_api.h"
#include "http/customer_api.h"
#include "http/data_api.h"
#include "http/disclosure_api.h"
#include "http/embed_routes.h"
#include "http/erasure_api.h"
#include "http/export_api.h"
#include "http/gate.h"
#include "http/integration_api.h"
#include "http/legal_hold_api.h"
#include "http/legal_request_api.h"
#include "http/media_api.h"
#include "http/media_artifact_api.h"
#include "http/openapi_api.h"
#include "http/ops_backup_api.h"
#include "http/passkey_api.h"
#include "http/portal_api.h"
#include "http/portal_routes.h"
#include "http/privacy_center_api.h"
#include "http/privacy_request_api.h"
#include "http/privacy_signals.h"
#include "http/server.h"
#include "http/session_api.h"
#include "http/staff_account_api.h"
#include "http/staff_api.h"
#include "http/static_site.h"
#include "http/subprocessor_api.h"
#include "http/tus_api.h"
#include "http/two_factor_api.h"
#include "http/upload_token_api.h"
#include "http/webhook_api.h"

namespace lethe {

struct LetheServer::Parts {
  // First member, so it is released last, after every store has closed.
  std::optional<DataDirLock> lock;
  // What the signal callback touches, declared before the watcher so that
  // it outlives it even when Start fails half-way.
  std::atomic<bool> stop_requested{false};
  std::atomic<HttpServer*> live_server{nullptr};
  // Made before anything starts a thread: they all inherit its signal mask.
  // Stopped first in ~LetheServer, before what its callback touches.
  std::unique_ptr<ShutdownSignals> signals;
  // Early, so that anything wrapping the stores can be handed it and it
  // outlives them all.
  NetworkThreads network_threads;
  std::unique_ptr<MetadataStore> metadata;
  std::unique_ptr<KeyStore> keys;
  std::unique_ptr<BlobStore> blobs;
  std::unique_ptr<SpaceReserve> reserve;
  std::unique_ptr<AuditAnchor> anchor;
  std::unique_ptr<AuditLog> audit;
  std::unique_ptr<Mailer> mailer;
  std::unique_ptr<JobQueue> jobs;
  std::unique_ptr<Outbox> outbox;
  std::unique_ptr<Customers> customers;
  std::unique_ptr<SmsSender> sms;         // ACC-4: SMS codes
  std::unique_ptr<TwoFactor> two_factor;  // ACC-4
  std::unique_ptr<Passkeys> passkeys;     // issue 15
  std::unique_ptr<SessionList> sessions;
  std::unique_ptr<Accounts> accounts;
  std::unique_ptr<UsageLedger> usage;
  std::unique_ptr<KeyRing> key_ring;
  std::unique_ptr<SigningKey> signing;  // receipts and checkpoints
  std::unique_ptr<KeyedIds> keyed_ids;
  std::unique_ptr<ErasureJournal> journal;
  std::unique_ptr<MediaLibrary> media;
  std::unique_ptr<MediaLinks> links;
  std::unique_ptr<Staff> staff;
  std::unique_ptr<UploadTokens> upload_tokens;  // issue 9
  std::unique_ptr<ResumableUploads> uploads;    // issue 9: tus
  std::unique_ptr<AccessGrants> grants;         // USE-4: before the gate, which checks them
  std::unique_ptr<LegalHolds> holds;            // before erasures, which may consult it
  std::unique_ptr<Erasures> erasures;
  std::unique_ptr<Closures> closures;
  // Issue 12: consents (before the gate, which reads them), policy
  // versions, GPC/DNT, marketing mail.
  std::unique_ptr<ConsentLedger> consents;
  std::unique_ptr<PolicyVersions> policy;
  std::unique_ptr<PrivacySignals> signals_hook;
  std::unique_ptr<MarketingMail> marketing;
  std::unique_ptr<ProcessingGate> processing_gate;
  std::unique_ptr<MediaIntake> media_intake;
  std::unique_ptr<ProcessingLimits> processing_limits;
  std::unique_ptr<PrivacyRequests> privacy_requests;
  std::unique_ptr<PrivacyCenterLinks> privacy_links;
  std::unique_ptr<SignInLimiter> privacy_limiter;
  std::unique_ptr<RequestFulfilment> fulfilment;
  std::unique_ptr<SubjectExports> exports;
  std::unique_ptr<ExportLinks> export_links;
  std::unique_ptr<DisclosureLedger> disclosures;
  std::unique_ptr<SubProcessors> subprocessors;
  std::unique_ptr<Transfers> transfers;  // the only holder of the outbound HTTP client
  std::unique_ptr<Webhooks> webhooks;
  std::unique_ptr<LegalRequests> legal_requests;
  std::unique_ptr<TransparencyReport> transparency;
  std::unique_ptr<UsageAggregates> aggregates;
  std::unique_ptr<Integrations> integrations;
  std::unique_ptr<BackupKeyStore> backup_keys;
  std::unique_ptr<BackupEpochs> backup_epochs;
  std::unique_ptr<DataSnapshots> snapshots;
  std::unique_ptr<BackupVault> vault;
  std::unique_ptr<Backups> backups;
  int backup_every_hours = 0;
  std::string data_dir;
  std::unique_ptr<ErasureReceipts> receipts;
  std::unique_ptr<AuditCheckpoints> checkpoints;
  // ADM-1: signals, the content check, decisions and appeals; before the
  // gate, which consults the suspensions.
  std::unique_ptr<AbuseSignals> abuse_signals;
  std::unique_ptr<KnownBadHashes> known_bad;
  std::unique_ptr<Suspensions> suspensions;
  std::unique_ptr<Appeals> appeals;
  std::unique_ptr<MediaWorker> media_worker;  // issue 14: posters, transcripts
  std::unique_ptr<MediaArtifacts> artifacts;
  int media_workers = 0;
  std::unique_ptr<EventFanOut> media_events;
  std::unique_ptr<Gate> gate;
  std::unique_ptr<StaticSite> portal;  // the built portal (issue 15); null: none
  std::unique_ptr<StaticSite> embeds;  // the built embeds (issue 15); null: none
  std::unique_ptr<CaptureConsent> capture;
  Metrics metrics;
  std::unique_ptr<Router> router;
  std::unique_ptr<HttpServer> server;
  std::string endpoint;
  // Last: destroyed first, so no task outlives the stores it uses.
  std::unique_ptr<JobRunner> runner;
};

namespace {

// Room held back so deletions work on a full volume (SpaceReserve).
constexpr uint64_t kReserveBytes = 8 << 20;
// Several servers on one metadata store (issue 13): how long a credential
// or media record is served from memory (a revocation or deletion on
// another server takes effect here within it), and how old an interrupted
// upload or a blob intent must be before recovery treats it as abandoned
// rather than another server's work in flight.
constexpr std::chrono::milliseconds kSharedCacheLifetime{500};
constexpr std::chrono::milliseconds kSharedRecoveryAge = std::chrono::hours(1);
// Background work: threads, how often due jobs are looked for (enqueuing
// wakes the runner at once; this catches retries coming due), and how long
// shutdown waits for runs in progress.
constexpr int kRunnerThreads = 2;
constexpr std::chrono::milliseconds kJobPoll{250};
constexpr std::chrono::milliseconds kArtifactPoll{1000};
constexpr std::chrono::milliseconds kRunnerDrain{10'000};
// How often expired media is swept, and how much at a time (a run that
// fills its batch is simply followed by the next one a period later).
constexpr std::chrono::milliseconds kRetentionSweep{std::chrono::seconds(30)};
constexpr int kRetentionBatch = 500;
constexpr std::chrono::milliseconds kClosureSweep{std::chrono::hours(1)};
constexpr std::chrono::milliseconds kReminderSweep{std::chrono::hours(1)};
constexpr int kReminderBatch = 200;
// How often holds whose end date passed are released (USE-6), and how many
// at a time; until then Covering() already treats them as ended.
constexpr std::chrono::milliseconds kHoldSweep{std::chrono::seconds(30)};
constexpr int kHoldBatch = 100;
// How often the notices of legal requests whose non-disclosure order ended
// go out (SHR-4), and how many at a time.
constexpr std::chrono::milliseconds kLegalNoticeSweep{std::chrono::seconds(30)};
constexpr int kLegalNoticeBatch = 100;
// Backups: how often the runner asks whether one is due (each task first
// runs at start), and how often expired backup-epoch keys are destroyed.
constexpr std::chrono::milliseconds kBackupCheck{std::chrono::hours(1)};
constexpr std::chrono::milliseconds kEpochSweep{std::chrono::hours(1)};
// ADM-1: how often active accounts are measured and decided on (a content
// flag wakes it at once).
constexpr std::chrono::milliseconds kAbuseSweep{std::chrono::minutes(1)};

Result<ServerOptions> ParseListen(const std::string& listen) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return Status::InvalidArgument("bad-listen", "listen address must be HOST:PORT");
  }
  ServerOptions opts;
  opts.address = listen.substr(0, colon);
  if (opts.address.size() > 2 && opts.address.front() == '[') {
    opts.address = opts.address.substr(1, opts.address.size() - 2);
  }
  if (opts.address == "localhost") opts.address = "127.0.0.1";
  try {
    int port = std::stoi(listen.substr(colon + 1));
    if (port < 0 || port > 65535) throw std::out_of_range("port");
    opts.port = static_cast<uint16_t>(port);
  } catch (const std::exception&) {
    return Status::InvalidArgument("bad-listen", "port must be a number from 0 to 65535");
  }
  return opts;
}

// The metadata store: PostgreSQL at `url` (a libpq conninfo), or SQLite in
// data_dir when url is empty.
Result<std::unique_ptr<MetadataStore>> OpenMetadata(const std::string& data_dir, const Clock& clock,
                                                    const std::string& url = "") {
  LETHE_ASSIGN_OR_RETURN(auto db, OpenMetadataDatabase(data_dir, url));
  LETHE_ASSIGN_OR_RETURN(auto store, SqlMetadataStore::Open(std::move(db), clock));
  return std::unique_ptr<MetadataStore>(std::move(store));
}

Result<std::unique_ptr<Mailer>> OpenMailer(const ServeConfig& config, const Clock& clock) {
  if (config.smtp_url.empty()) {
    LETHE_ASSIGN_OR_RETURN(auto files, FileMailer::Open(config.data_dir + "/outbox-mail", clock));
    return std::unique_ptr<Mailer>(std::move(files));
  }
  SmtpOptions options;
  options.url = config.smtp_url;
  LETHE_ASSIGN_OR_RETURN(auto smtp, SmtpMailer::Create(options, clock));
  std::cerr << "lethe: mail goes through " << smtp->redacted_url() << "\n";
  return std::unique_ptr<Mailer>(std::move(smtp));
}

// The bearer token of the SMS provider: the file's first line.
Result<std::string> ReadSmsToken(const std::string& path) {
  std::ifstream in(path);
  std::string token;
  if (!in || !std::getline(in, token)) {
    return Status::InvalidArgument("sms-bad-token", "cannot read the SMS token file " + path);
  }
  while (!token.empty() && (token.back() == '\r' || token.back() == ' ')) token.pop_back();
  return token;
}

Result<std::unique_ptr<SmsSender>> OpenSmsSender(const ServeConfig& config) {
  if (config.sms_url.empty()) {
    const std::string dir =
        config.sms_outbox.empty() ? config.data_dir + "/outbox-sms" : config.sms_outbox;
    LETHE_ASSIGN_OR_RETURN(auto files, FileSmsSender::Open(dir));
    return std::unique_ptr<SmsSender>(std::move(files));
  }
  if (config.sms_token_file.empty()) {
    return Status::InvalidArgument("sms-bad-token", "--sms-url needs --sms-token-file");
  }
  HttpSmsOptions options;
  options.url = config.sms_url;
  LETHE_ASSIGN_OR_RETURN(options.token, ReadSmsToken(config.sms_token_file));
  LETHE_ASSIGN_OR_RETURN(auto http, HttpSmsSender::Create(options));
  std::fill(options.token.begin(), options.token.end(), '\0');
  return std::unique_ptr<SmsSender>(std::move(http));
}

std::string Absolute(const std::string& path) {
  std::error_code ec;
  auto abs = std::filesystem::absolute(path, ec);
  return ec ? path : abs.lexically_normal().string();
}

Status MakeDataDir(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return Status::Internal("cannot create data directory " + dir + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

}  // namespace

BackupPaths ResolveBackupPaths(const std::string& data_dir, const std::string& backup_dir,
                               const std::string& backup_keys, const std::string& erasure_journal) {
  return {Absolute(backup_dir.empty() ? data_dir + "/backups" : backup_dir),
          Absolute(backup_keys.empty() ? data_dir + "/backup-keys" : backup_keys),
          Absolute(erasure_journal.empty() ? data_dir + "/erasure.journal" : erasure_journal)};
}

LetheServer::LetheServer(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}
LetheServer::~LetheServer() {
  parts_->signals.reset();
  // The server's pools join here: a handler still running after the drain
  // may enqueue a job and wake the runner, so the runner (destroyed first
  // among the members) must outlive them.
  parts_->live_server = nullptr;
  parts_->server.reset();
  RemoveOpsChannel(parts_->data_dir);
}
const std::string& LetheServer::endpoint() const { return parts_->endpoint; }
void LetheServer::Run() {
  // A signal that came while starting: the post waits for the loop.
  if (parts_->stop_requested) parts_->server->Stop();
  parts_->server->Run();
  // Requests have drained: let background runs finish, then write what the
  // usage ledger still holds. Unfinished durable jobs resume at next start.
  Status stopped = parts_->runner->Stop(kRunnerDrain);
  if (!stopped.ok()) std::cerr << "lethe: " << stopped.ToString() << "\n";
  Status flushed = parts_->usage->WritePending();
  if (!flushed.ok()) std::cerr << "lethe: " << flushed.ToString() << "\n";
}

Status LetheServer::ScheduleBackgroundWork(Parts& p) {
  JobRunner& runner = *p.runner;
  LETHE_RETURN_IF_ERROR(runner.Every("usage-ledger", UsageLedger::kFlushInterval,
                                     [&usage = *p.usage] { return usage.WritePending(); }));
  // A finished purge may be all a closed customer's next retention class
  // waits for (an underage customer's CRM record goes once its accounts
  // are purged, SEC-4): the closures task looks at once.
  LETHE_RETURN_IF_ERROR(runner.Every("jobs", kJobPoll, [&jobs = *p.jobs, &runner] {
    Result<int> ran = jobs.RunDue();
    if (ran.ok() && *ran > 0) (void)runner.Wake("closures");
    return StatusOf(ran);
  }));
  p.jobs->OnEnqueued([&runner] { (void)runner.Wake("jobs"); });
  // Posters and transcripts: a bounded number at a time, each task making
  // one artifact per run and running again at once while there are more.
  for (int i = 0; i < p.media_workers; ++i) {
    std::string name = "media-artifacts-" + std::to_string(i);
    LETHE_RETURN_IF_ERROR(
        runner.Every(name, kArtifactPoll, [&artifacts = *p.artifacts, &runner, name] {
          Result<int> ran = artifacts.RunOne();
          if (ran.ok() && *ran > 0) (void)runner.Wake(name);
          return StatusOf(ran);
        }));
  }
  p.artifacts->OnQueued([&runner, n = p.media_workers] {
    for (int i = 0; i < n; ++i) (void)runner.Wake("media-artifacts-" + std::to_string(i));
  });
  // Retention (USE-5): expired media is already invisible; this removes it.
  LETHE_RETURN_IF_ERROR(runner.Every("retention", kRetentionSweep, [&erasures = *p.erasures] {
    return StatusOf(erasures.ExpireDue(kRetentionBatch));
  }));
  // ACC-10: the retention classes of closed customers.
  // RGT-2: a reminder goes out 7 days before a privacy request is due.
  LETHE_RETURN_IF_ERROR(
      runner.Every("privacy-reminders", kReminderSweep, [&requests = *p.privacy_requests] {
        return StatusOf(requests.SendReminders(kReminderBatch));
      }));
  // Export links a week past their expiry are deleted (storage limitation).
  LETHE_RETURN_IF_ERROR(runner.Every("export-links", kReminderSweep, [&links = *p.export_links] {
    return StatusOf(links.SweepExpired());
  }));
  // Expired upload tokens name an end user: they go (issue 9).
  LETHE_RETURN_IF_ERROR(runner.Every("upload-tokens", kReminderSweep, [&tokens = *p.upload_tokens] {
    return StatusOf(tokens.Sweep());
  }));
  // Abandoned tus uploads go, their sealed parts with them.
  LETHE_RETURN_IF_ERROR(runner.Every("tus-uploads", kRetentionSweep, [&uploads = *p.uploads] {
    return StatusOf(uploads.PurgeExpired());
  }));
  LETHE_RETURN_IF_ERROR(runner.Every("closures", kClosureSweep, [&closures = *p.closures] {
    return StatusOf(closures.EnforceRetention(kRetentionBatch));
  }));
  // Legal holds (USE-6): a hold past its end date is released, which runs
  // the release hooks (through a durable job) like a staff release.
  LETHE_RETURN_IF_ERROR(runner.Every("legal-holds", kHoldSweep, [&holds = *p.holds] {
    return StatusOf(holds.SweepLapsed(kHoldBatch));
  }));
  // Legal requests (SHR-4): the customer hears of a request once its
  // non-disclosure order ends.
  LETHE_RETURN_IF_ERROR(
      runner.Every("legal-request-notices", kLegalNoticeSweep, [&requests = *p.legal_requests] {
        return StatusOf(requests.SendDueNotices(kLegalNoticeBatch));
      }));
  // ADM-1: measure active accounts and suspend those past the threshold.
  LETHE_RETURN_IF_ERROR(runner.Every("abuse", kAbuseSweep, [&suspensions = *p.suspensions] {
    return StatusOf(suspensions.Sweep());
  }));
  // Backups (USE-5): expired epoch keys go daily whether or not backups run.
  LETHE_RETURN_IF_ERROR(runner.Every("backup-epochs", kEpochSweep, [&epochs = *p.backup_epochs] {
    return StatusOf(epochs.DestroyExpired());
  }));
  if (p.backup_every_hours > 0) {
    int64_t every_ms = int64_t{p.backup_every_hours} * 3'600'000;
    LETHE_RETURN_IF_ERROR(runner.Every("backup", kBackupCheck, [&backups = *p.backups, every_ms] {
      auto made = backups.CreateIfDue(every_ms);
      if (made.ok() && *made) std::cerr << "lethe: backup " << (*made)->path << "\n";
      return StatusOf(made);
    }));
  }
  return Status::Ok();
}
void LetheServer::Stop() { parts_->server->Stop(); }

Result<std::unique_ptr<LetheServer>> LetheServer::Start(const ServeConfig& config, Clock& clock,
                                                        Random& random, const PortSeams& seams) {
  LETHE_ASSIGN_OR_RETURN(ServerOptions options, ParseListen(config.listen));
  LETHE_RETURN_IF_ERROR(config.retention.Check());
  options.threads = config.threads;
  options.blocking_threads = config.blocking_threads;
  options.max_connections = static_cast<size_t>(config.max_connections);
  options.min_rate = config.min_rate;
  options.rate_grace = std::chrono::seconds(config.rate_grace_seconds);
  options.request_deadline = std::chrono::seconds(config.request_deadline_seconds);
  LETHE_RETURN_IF_ERROR(AuditCheckpoints::ValidOrigin(config.checkpoint_origin));
  if (!config.region.empty() && config.region != "us" && config.region != "eu") {
    return Status::InvalidArgument("bad-region", "a cell's region must be us or eu");
  }
  LETHE_RETURN_IF_ERROR(MakeDataDir(config.data_dir));
  // Before anything is read or written: recovery below removes blobs without
  // a record, which would destroy another live server's uploads in flight.
  auto p = std::make_unique<Parts>();
  if (config.handle_signals) {
    p->signals = std::make_unique<ShutdownSignals>([parts = p.get()](int) {
      parts->stop_requested = true;
      if (HttpServer* server = parts->live_server.load()) server->Stop();
    });
  }
  LETHE_ASSIGN_OR_RETURN(p->lock, DataDirLock::Acquire(config.data_dir));
  // Whose claims in a shared store are this server's (InstanceId).
  LETHE_ASSIGN_OR_RETURN(const std::string instance, LoadInstanceId(config.data_dir, random));
  bool default_key = config.master_key_file.empty();
  std::string key_file = default_key ? config.data_dir + "/master.key" : config.master_key_file;
  LETHE_ASSIGN_OR_RETURN(Key master,
                         LoadMasterKey(config.master_key_hex, key_file, default_key, random));
  KeyWiper wipe_master(master);  // the key ring keeps the only long-lived copy
  LETHE_ASSIGN_OR_RETURN(Key signing_seed,
                         LoadSigningSeed(config.data_dir + "/signing.key", random));
  p->signing = std::make_unique<SigningKey>(signing_seed);
  KeyWiper wipe_seed(signing_seed);

  LETHE_ASSIGN_OR_RETURN(auto key_db, OpenKeyDatabase(config.data_dir, config.keys_url));
  LETHE_ASSIGN_OR_RETURN(p->keys, SqlKeyStore::Open(std::move(key_db), clock));
  if (seams.network_threads) seams.network_threads(p->network_threads);
  if (seams.wrap_keys) p->keys = seams.wrap_keys(std::move(p->keys));
  p->key_ring = std::make_unique<KeyRing>(master, *p->keys, random);
  LETHE_RETURN_IF_ERROR(p->key_ring->CheckMasterKey());
  LETHE_ASSIGN_OR_RETURN(p->metadata, OpenMetadata(config.data_dir, clock, config.metadata_url));
  if (seams.wrap_metadata) p->metadata = seams.wrap_metadata(std::move(p->metadata));
  LETHE_ASSIGN_OR_RETURN(p->blobs, OpenBlobStore(config.blobs, config.data_dir));
  if (seams.wrap_blobs) p->blobs = seams.wrap_blobs(std::move(p->blobs));

  p->anchor = std::make_unique<FileAuditAnchor>(config.data_dir + "/audit.anchor");
  // A damaged anchor is refused, as `audit verify` refuses it: the next
  // state change would otherwise overwrite the evidence.
  LETHE_RETURN_IF_ERROR(p->anchor->Load());
  p->audit = std::make_unique<AuditLog>(*p->metadata, clock, random, p->anchor.get());
  LETHE_ASSIGN_OR_RETURN(p->mailer, OpenMailer(config, clock));
  JobQueueOptions job_options;
  job_options.instance = instance;
  p->jobs = std::make_unique<JobQueue>(*p->metadata, clock, random, job_options);
  p->outbox =
      std::make_unique<Outbox>(*p->metadata, *p->jobs, *p->mailer, clock, random, config.mail_from);
  CustomerOptions customer_options;
  customer_options.session_lifetime_ms = config.session_max_days * 24 * 3600 * 1000;
  customer_options.session_idle_ms = config.session_idle_minutes * 60 * 1000;
  p->customers = std::make_unique<Customers>(*p->metadata, *p->audit, clock, random,
                                             customer_options, p->outbox.get());
  LETHE_ASSIGN_OR_RETURN(p->sms, OpenSmsSender(config));
  p->two_factor = std::make_unique<TwoFactor>(*p->metadata, *p->key_ring, *p->audit, *p->outbox,
                                              *p->sms, clock, random);
  p->customers->SetTwoFactor(p->two_factor.get());
  p->sessions = std::make_unique<SessionList>(*p->metadata, *p->audit, clock, *p->customers);
  p->accounts = std::make_unique<Accounts>(*p->metadata, *p->audit, clock, random, p->outbox.get());
  if (!config.region.empty()) p->accounts->SetHomeRegion(config.region);
  p->usage = std::make_unique<UsageLedger>(*p->metadata, clock, random);
  p->links = std::make_unique<MediaLinks>(master, clock);
  p->keyed_ids = std::make_unique<KeyedIds>(master);
  p->journal = std::make_unique<FileErasureJournal>(config.erasure_journal.empty()
                                                        ? config.data_dir + "/erasure.journal"
                                                        : config.erasure_journal);
  p->reserve = std::make_unique<FileSpaceReserve>(config.data_dir + "/reserve", kReserveBytes);
  p->media = std::make_unique<MediaLibrary>(*p->metadata, *p->blobs, *p->key_ring, *p->audit,
                                            *p->keyed_ids, clock, random, config.max_media_bytes,
                                            p->reserve.get());
  p->accounts->OnRetentionChanged(
      [media = p->media.get()](const std::string&) { media->ForgetCached(); });
  // A metadata store on PostgreSQL may be shared by several servers (issue
  // 13): nothing here may be told of another's change, so what is cached in
  // memory is served for well under a second, and recovery leaves alone
  // what may be another server's work in flight.
  const bool shared_store = !config.metadata_url.empty();
  if (shared_store) {
    p->accounts->SetCacheLifetime(kSharedCacheLifetime);
    p->media->SetCacheLifetime(kSharedCacheLifetime);
  }
  p->media->SetInstance(instance);
  RecoveryScope recovery;
  if (shared_store) recovery.peer_age = kSharedRecoveryAge;
  // The default blob store is a directory in the locked data directory.
  recovery.own_blob_store = config.blobs.url.empty();
  LETHE_ASSIGN_OR_RETURN(int swept, p->media->Recover(recovery));
  if (swept > 0) std::cerr << "lethe: recovery removed " << swept << " incomplete blob(s)\n";

  p->staff =
      std::make_unique<Staff>(*p->metadata, *p->audit, *p->key_ring, clock, random,
                              customer_options.password_cost, customer_options.sign_in_limits);
  p->grants = std::make_unique<AccessGrants>(*p->metadata, *p->audit, clock, random);
  p->abuse_signals =
      std::make_unique<AbuseSignals>(*p->metadata, *p->audit, clock, random, config.abuse);
  if (!config.known_bad_hashes.empty()) {
    LETHE_ASSIGN_OR_RETURN(p->known_bad, KnownBadHashes::Load(config.known_bad_hashes));
    p->abuse_signals->AddCheck(p->known_bad.get());
    std::cerr << "lethe: " << p->known_bad->size() << " known-bad content hash(es) loaded\n";
  }
  p->accounts->OnFailedKey([signals = p->abuse_signals.get()](const std::string& account_id) {
    signals->NoteFailedKey(account_id);
  });
  p->abuse_signals->OnFlagged([parts = p.get()](const std::string&) {
    if (parts->runner) (void)parts->runner->Wake("abuse");
  });
  p->holds =
      std::make_unique<LegalHolds>(*p->metadata, *p->audit, *p->jobs, *p->keyed_ids, clock, random);
  p->upload_tokens = std::make_unique<UploadTokens>(*p->metadata, *p->audit, clock, random,
                                                    static_cast<int64_t>(config.max_media_bytes));
  p->uploads = std::make_unique<ResumableUploads>(*p->metadata, *p->blobs, *p->key_ring, *p->media,
                                                  clock, random, config.max_media_bytes);
  p->gate = std::make_unique<Gate>(*p->customers, *p->accounts, *p->usage, *p->links,
                                   p->staff.get(), p->upload_tokens.get(), p->grants.get());
  if (!config.public_url.empty()) {
    LETHE_ASSIGN_OR_RETURN(std::string public_origin, OriginOfUrl(config.public_url));
    p->gate->SetPublicOrigin(std::move(public_origin));
  }
  p->router = std::make_unique<Router>(p->gate.get());
  if (!config.portal_dir.empty()) {
    LETHE_ASSIGN_OR_RETURN(StaticSite site, StaticSite::Load(config.portal_dir));
    std::cerr << "lethe: portal " << config.portal_dir << " (" << site.file_count() << " files, "
              << site.total_bytes() << " bytes)\n";
    p->portal = std::make_unique<StaticSite>(std::move(site));
  }
  AddPortalRoutes(*p->router, p->portal.get());
  if (!config.embeds_dir.empty()) {
    LETHE_ASSIGN_OR_RETURN(StaticSite site, StaticSite::Load(config.embeds_dir));
    std::cerr << "lethe: embeds " << config.embeds_dir << " (" << site.file_count() << " files, "
              << site.total_bytes() << " bytes)\n";
    p->embeds = std::make_unique<StaticSite>(std::move(site));
  }
  AddEmbedRoutes(*p->router, p->embeds.get());
  AddPortalSessionRoutes(*p->router, *p->customers, *p->two_factor, *p->gate, clock,
                         config.max_json_body);
  AddOpsRoutes(*p->router, p->metrics);
  AddSigningKeyRoute(*p->router, Base64Encode(p->signing->public_key()));
  AddOpenApiRoute(*p->router);
  AddCustomerRoutes(*p->router, *p->customers, *p->accounts, config.max_json_body);
  AddTwoFactorRoutes(*p->router, *p->two_factor, *p->customers, config.max_json_body);
  AddSessionRoutes(*p->router, *p->customers, *p->sessions, config.max_json_body);
  AddAccountDataRoutes(*p->router, *p->usage, config.max_json_body);
  p->erasures =
      std::make_unique<Erasures>(*p->metadata, *p->media, *p->key_ring, *p->jobs, *p->audit,
                                 *p->keyed_ids, *p->journal, clock, random, p->holds.get());
  p->receipts = std::make_unique<ErasureReceipts>(*p->signing, clock);
  AddErasureRoutes(*p->router, *p->erasures, *p->receipts, config.max_json_body);
  p->checkpoints =
      std::make_unique<AuditCheckpoints>(*p->metadata, *p->signing, config.checkpoint_origin);
  AddCheckpointRoutes(*p->router, *p->checkpoints, config.max_json_body);
  p->closures = std::make_unique<Closures>(*p->metadata, *p->erasures, *p->accounts, *p->audit,
                                           clock, config.retention);
  AddClosureRoutes(*p->router, *p->closures, *p->receipts, config.max_json_body);
  p->exports = std::make_unique<SubjectExports>(*p->metadata, *p->media, clock, config.retention);
  p->export_links =
      std::make_unique<ExportLinks>(*p->metadata, *p->exports, *p->audit, clock, random);
  AddExportRoutes(*p->router, *p->export_links);
  AddStaffRoutes(*p->router, *p->staff, *p->grants, config.max_json_body);
  AddStaffPortalRoutes(*p->router, *p->staff, *p->gate, clock, config.max_json_body);
  p->passkeys = std::make_unique<Passkeys>(*p->metadata, *p->audit, *p->outbox, clock, random,
                                           customer_options.sign_in_limits);
  AddPasskeyRoutes(*p->router, *p->passkeys, *p->customers, *p->staff, *p->gate, clock,
                   config.max_json_body);
  AddLegalHoldRoutes(*p->router, *p->holds, config.max_json_body);
  p->disclosures = std::make_unique<DisclosureLedger>(*p->audit, *p->keyed_ids, clock, random);
  AddDisclosureRoutes(*p->router, *p->disclosures, *p->metadata, config.max_json_body);
  p->consents =
      std::make_unique<ConsentLedger>(*p->metadata, *p->audit, *p->keyed_ids, clock, random);
  p->policy = std::make_unique<PolicyVersions>(*p->metadata, *p->audit, *p->outbox, clock);
  // SEC-6: the compiled-in policy is version 1 of a new deployment.
  LETHE_RETURN_IF_ERROR(StatusOf(p->policy->Seed(BundledPolicyText(), BundledPolicyDate())));
  p->signals_hook = std::make_unique<PrivacySignals>(*p->consents);
  p->router->OnDataPlane(
      [hook = p->signals_hook.get()](const HttpRequest& req, const Principal& who) {
        return hook->Honour(req, who);
      });
  p->marketing =
      std::make_unique<MarketingMail>(*p->metadata, *p->jobs, *p->mailer, *p->consents, *p->audit,
                                      clock, random, config.mail_from, config.public_url);
  AddConsentRoutes(*p->router, *p->consents, *p->signals_hook, *p->policy, *p->marketing,
                   config.max_json_body);
  p->capture = std::make_unique<CaptureConsent>(*p->metadata, *p->consents, *p->policy);
  AddCaptureRoutes(*p->router, *p->capture, config.max_json_body);
  p->processing_gate = std::make_unique<ProcessingGate>(*p->metadata, *p->consents);
  // SHR-1..3: every transfer out goes through Transfers, which is handed
  // the process's only outbound HTTP client here and keeps it to itself.
  p->subprocessors =
      std::make_unique<SubProcessors>(*p->metadata, *p->outbox, *p->audit, clock, random);
  AddSubprocessorRoutes(*p->router, *p->subprocessors, config.max_json_body);
  p->transfers = std::make_unique<Transfers>(*p->metadata, *p->processing_gate, *p->subprocessors,
                                             *p->disclosures, MakeCurlOutboundHttp());
  p->webhooks = std::make_unique<Webhooks>(*p->metadata, *p->key_ring, *p->transfers, *p->jobs,
                                           *p->audit, clock, random);
  AddWebhookRoutes(*p->router, *p->webhooks, config.max_json_body);
  p->media_worker =
      std::make_unique<ProcessMediaWorker>(config.media_worker, config.media_worker_limits);
  MediaArtifactOptions artifact_options;
  artifact_options.max_duration = std::chrono::minutes(config.media_max_minutes);
  artifact_options.instance = instance;
  p->artifacts = std::make_unique<MediaArtifacts>(*p->metadata, *p->media, *p->blobs, *p->key_ring,
                                                  *p->processing_gate, *p->media_worker, clock,
                                                  artifact_options);
  p->media_workers = config.media_workers;
  p->media_events = std::make_unique<EventFanOut>(
      std::vector<DomainEvents*>{p->webhooks.get(), p->abuse_signals.get(), p->artifacts.get()});
  p->media->SetEvents(p->media_events.get());
  p->artifacts->SetEvents(p->media_events.get());  // media.rendition_ready
  IntakeLimits intake_limits;
  intake_limits.scrub.max_bytes = config.scrub_max_bytes;
  p->media_intake = std::make_unique<MediaIntake>(*p->processing_gate, intake_limits);
  p->media->SetIntake(p->media_intake.get());
  p->suspensions = std::make_unique<Suspensions>(*p->metadata, *p->abuse_signals, *p->audit,
                                                 *p->outbox, clock, random, p->webhooks.get());
  if (shared_store) p->suspensions->SetCacheLifetime(kSharedCacheLifetime);
  LETHE_RETURN_IF_ERROR(p->suspensions->Load());
  p->gate->SetSuspensions(p->suspensions.get());
  p->appeals = std::make_unique<Appeals>(*p->metadata, *p->suspensions, *p->audit, *p->outbox,
                                         clock, random);
  AddAbuseRoutes(*p->router, *p->suspensions, *p->appeals, config.max_json_body);
  p->erasures->SetEvents(p->webhooks.get());
  p->legal_requests = std::make_unique<LegalRequests>(
      *p->metadata, *p->audit, *p->outbox, *p->disclosures, *p->keyed_ids, clock, random);
  p->transparency = std::make_unique<TransparencyReport>(*p->metadata);
  AddLegalRequestRoutes(*p->router, *p->legal_requests, *p->transparency, config.max_json_body);
  p->aggregates = std::make_unique<UsageAggregates>(*p->metadata, *p->usage, clock);
  AddAggregateRoutes(*p->router, *p->aggregates, config.max_json_body);
  p->integrations =
      std::make_unique<Integrations>(*p->metadata, *p->key_ring, *p->audit, clock, random);
  AddIntegrationRoutes(*p->router, *p->integrations, config.max_json_body);
  p->processing_limits = std::make_unique<ProcessingLimits>(*p->metadata, *p->jobs, *p->outbox,
                                                            *p->audit, clock, random);
  p->privacy_requests = std::make_unique<PrivacyRequests>(
      *p->metadata, *p->audit, *p->outbox, *p->key_ring, *p->keyed_ids, clock, random);
  p->fulfilment = std::make_unique<RequestFulfilment>(
      *p->metadata, *p->privacy_requests, *p->media, *p->customers, *p->erasures, *p->closures,
      *p->receipts, *p->processing_limits, *p->export_links, clock);
  AddPrivacyRequestRoutes(*p->router, *p->privacy_requests, *p->fulfilment, config.max_json_body);
  p->privacy_requests->SetEvents(p->webhooks.get());
  p->privacy_links = std::make_unique<PrivacyCenterLinks>(master, clock);
  p->privacy_limiter = std::make_unique<SignInLimiter>(*p->metadata, clock, PrivacyCenterLimits());
  AddPrivacyCenterRoutes(*p->router,
                         {*p->accounts, *p->privacy_links, *p->consents, *p->privacy_requests,
                          *p->metadata, *p->privacy_limiter, config.public_url},
                         config.max_json_body);
  // SEC-4: nothing of an underage customer waits for the hourly sweep.
  // The runner exists before the server serves any request.
  AddStaffAccountRoutes(*p->router, *p->closures, *p->receipts, config.max_json_body,
                        [parts = p.get()] {
                          if (parts->runner) (void)parts->runner->Wake("closures");
                        });
  BackupPaths paths = ResolveBackupPaths(config.data_dir, config.backup_dir, config.backup_keys,
                                         config.erasure_journal);
  LETHE_ASSIGN_OR_RETURN(p->backup_keys, FileBackupKeyStore::Open(paths.backup_keys));
  p->backup_epochs = std::make_unique<BackupEpochs>(master, *p->backup_keys, clock, random,
                                                    config.backup_max_age_days);
  p->snapshots = std::make_unique<SqliteSnapshots>(config.data_dir);
  LETHE_ASSIGN_OR_RETURN(p->vault, LocalBackupVault::Open(paths.backup_dir));
  p->backups = std::make_unique<Backups>(
      *p->backup_epochs, *p->snapshots, *p->blobs, *p->vault, p->anchor.get(),
      BackupSource{Absolute(config.data_dir), paths.erasure_journal, paths.backup_keys}, clock,
      random);
  // Built-in backups copy the SQLite files; PostgreSQL databases are backed
  // up by the operator's own tools (pg_dump, base backups), so with either
  // store in PostgreSQL the scheduled backup is off.
  const bool sqlite_only = config.metadata_url.empty() && config.keys_url.empty();
  p->backup_every_hours = sqlite_only ? config.backup_every_hours : 0;
  p->data_dir = config.data_dir;
  std::string ops_token = RandomToken(random, "lops_");
  AddOpsBackupRoute(*p->router, *p->backups, TokenDigest(ops_token));
  AddMediaRoutes(*p->router, *p->media, *p->links, *p->processing_gate, config.max_json_body,
                 config.max_media_bytes, p->artifacts.get());
  AddUploadTokenRoutes(*p->router, *p->upload_tokens, *p->accounts, config.max_json_body);
  AddTusRoutes(*p->router, *p->uploads, config.max_json_body, config.max_media_bytes);
  AddMediaArtifactRoutes(*p->router, *p->media, *p->artifacts, *p->processing_gate,
                         config.max_json_body);
  if (seams.add_routes) seams.add_routes(*p->router);

  p->server =
      std::make_unique<HttpServer>(*p->router, p->metrics, random, p->network_threads, options);
  LETHE_ASSIGN_OR_RETURN(p->endpoint, p->server->Listen());
  if (config.public_url.empty()) p->marketing->SetPublicUrl("http://" + p->endpoint);
  // `lethe backup create` finds the running server here; the token file's
  // mode (0600) is the authorization.
  LETHE_RETURN_IF_ERROR(PublishOpsChannel(config.data_dir, p->endpoint, ops_token));
  ops_token.assign(ops_token.size(), '\0');
  // The data directory is locked to this process, so with SQLite every
  // lease left in it belongs to a crashed predecessor, and in a shared
  // store every lease in this instance's name does: resume that work now.
  // A peer's leases may be a live server's: its work waits for them to
  // expire.
  LETHE_ASSIGN_OR_RETURN(int64_t resumed, p->jobs->ResumeAbandoned(!shared_store));
  LETHE_ASSIGN_OR_RETURN(int64_t remade, p->artifacts->ResumeAbandoned(!shared_store));
  if (resumed + remade > 0) {
    std::cerr << "lethe: resuming " << resumed << " interrupted job(s) and " << remade
              << " interrupted artifact(s)\n";
  }
  // One more thread per media worker, so a long transcription never
  // holds up the purge, the outbox or the sweeps.
  p->runner = std::make_unique<JobRunner>(clock, kRunnerThreads + std::max(0, p->media_workers));
  LETHE_RETURN_IF_ERROR(ScheduleBackgroundWork(*p));
  LETHE_RETURN_IF_ERROR(p->runner->Start());
  p->live_server = p->server.get();
  return std::unique_ptr<LetheServer>(new LetheServer(std::move(p)));
}

int PrintPrivacyMetrics(const std::string& data_dir, int year, const std::string& metadata_url) {
  SystemClock clock;
  struct stat st;
  if (metadata_url.empty() && ::stat((data_dir + "/lethe.db").c_str(), &st) != 0) {
    std::cerr << "lethe: no database in " << data_dir << "\n";
    return 2;
  }
  // Read-only use, beside a live server too.
  auto store = OpenMetadata(data_dir, clock, metadata_url);
  if (!store.ok()) {
    std::cerr << "lethe: " << store.status().ToString() << "\n";
    return 2;
  }
  auto metrics = AnnualPrivacyMetrics(**store, year);
  if (!metrics.ok()) {
    std::cerr << "lethe: " << metrics.status().ToString() << "\n";
    return 2;
  }
  std::printf("privacy requests received in %d\n", year);
  std::printf("%-28s %9s %9s %7s %5s %12s %10s\n", "type", "received", "complied", "denied", "open",
              "median_days", "mean_days");
  for (const RequestTypeMetrics& m : *metrics) {
    std::printf("%-28s %9d %9d %7d %5d %12.1f %10.1f\n", m.type.c_str(), m.received, m.completed,
                m.denied, m.open, m.median_days, m.mean_days);
  }
  return 0;
}

int PrintRetentionPlan(const std::string& data_dir, const std::optional<std::string>& account_id,
                       const RetentionClasses& classes, const std::string& metadata_url) {
  SystemClock clock;
  struct stat st;
  if (metadata_url.empty() && ::stat((data_dir + "/lethe.db").c_str(), &st) != 0) {
    std::cerr << "lethe: no database in " << data_dir << "\n";
    return 2;
  }
  // Read-only: it runs beside a live server as well as on a stopped one.
  auto store = OpenMetadata(data_dir, clock, metadata_url);
  if (!store.ok()) {
    std::cerr << "lethe: " << store.status().ToString() << "\n";
    return 2;
  }
  auto plan = RetentionPlan(**store, classes, account_id);
  if (!plan.ok()) {
    std::cerr << "lethe: " << plan.status().ToString() << "\n";
    return 2;
  }
  std::cout << "retention classes (days after closure): other " << classes.other_days
            << ", support " << classes.support_days << ", crm " << classes.crm_days << ", invoices "
            << classes.invoice_days << "\n";
  std::string customer;
  for (const PlanEntry& e : *plan) {
    if (e.customer_id != customer) {
      customer = e.customer_id;
      std::cout << "customer " << customer << "\n";
    }
    std::string when = e.done     ? "done"
                       : e.due_ms ? FormatRfc3339(*e.due_ms)
                                  : "closure + " + std::to_string(e.days) + " days";
    std::cout << "  " << (e.account_id.empty() ? "" : e.account_id + " ") << e.retention_class
              << ": " << e.what << ": " << when << "\n";
  }
  if (plan->empty()) std::cout << "no closed customers\n";
  return 0;
}

int VerifyAuditChain(const std::string& data_dir, const std::string& metadata_url) {
  SystemClock clock;
  SystemRandom random;
  struct stat st;
  if (metadata_url.empty() && ::stat((data_dir + "/lethe.db").c_str(), &st) != 0) {
    std::cerr << "lethe: no database in " << data_dir << "\n";
    return 2;
  }
  auto lock = DataDirLock::Acquire(data_dir);
  if (!lock.ok()) {
    std::cerr << "lethe: " << lock.status().ToString() << "\n";
    return 2;
  }
  auto store = OpenMetadata(data_dir, clock, metadata_url);
  if (!store.ok()) {
    std::cerr << "lethe: " << store.status().ToString() << "\n";
    return 2;
  }
  FileAuditAnchor anchor(data_dir + "/audit.anchor");
  AuditLog audit(**store, clock, random, &anchor);
  auto verdict = audit.Verify();
  if (!verdict.ok()) {
    std::cerr << "lethe: " << verdict.status().ToString() << "\n";
    return 2;
  }
  if (!verdict->intact) {
    std::cout << "audit chain broken at seq " << verdict->first_bad_seq << ": " << verdict->problem
              << " (" << verdict->events << " events before it are intact)\n";
    return 1;
  }
  std::cout << "ok: " << verdict->events << " events\n";
  return 0;
}

}  // namespace lethe
