#include "app/lethe_server.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <optional>

#include "adapters/local/data_dir_lock.h"
#include "adapters/local/file_audit_anchor.h"
#include "adapters/local/file_space_reserve.h"
#include "adapters/local/local_blob_store.h"
#include "adapters/mail/file_mailer.h"
#include "adapters/mail/smtp_mailer.h"
#include "adapters/sql/sql_key_store.h"
#include "adapters/sql/sql_metadata_store.h"
#include "adapters/sqlite/sqlite_database.h"
#include "app/master_key.h"
#include "app/shutdown_signals.h"
#include "common/encoding.h"
#include "crypto/signing_key.h"
#include "domain/accounts.h"
#include "domain/audit_checkpoints.h"
#include "domain/audit_log.h"
#include "domain/customers.h"
#include "domain/erasure_receipts.h"
#include "domain/erasures.h"
#include "domain/job_queue.h"
#include "domain/job_runner.h"
#include "domain/key_ring.h"
#include "domain/media_library.h"
#include "domain/media_links.h"
#include "domain/outbox.h"
#include "domain/usage_ledger.h"
#include "http/checkpoint_api.h"
#include "http/customer_api.h"
#include "http/data_api.h"
#include "http/erasure_api.h"
#include "http/gate.h"
#include "http/media_api.h"
#include "http/server.h"

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
  std::unique_ptr<Accounts> accounts;
  std::unique_ptr<UsageLedger> usage;
  std::unique_ptr<KeyRing> key_ring;
  std::unique_ptr<SigningKey> signing;  // receipts and checkpoints
  std::unique_ptr<MediaLibrary> media;
  std::unique_ptr<MediaLinks> links;
  std::unique_ptr<Erasures> erasures;
  std::unique_ptr<ErasureReceipts> receipts;
  std::unique_ptr<AuditCheckpoints> checkpoints;
  std::unique_ptr<Gate> gate;
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
// Background work: threads, how often due jobs are looked for (enqueuing
// wakes the runner at once; this catches retries coming due), and how long
// shutdown waits for runs in progress.
constexpr int kRunnerThreads = 2;
constexpr std::chrono::milliseconds kJobPoll{250};
constexpr std::chrono::milliseconds kRunnerDrain{10'000};
// How often expired media is swept, and how much at a time (a run that
// fills its batch is simply followed by the next one a period later).
constexpr std::chrono::milliseconds kRetentionSweep{std::chrono::seconds(30)};
constexpr int kRetentionBatch = 500;

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

Result<std::unique_ptr<MetadataStore>> OpenMetadata(const std::string& data_dir,
                                                    const Clock& clock) {
  LETHE_ASSIGN_OR_RETURN(auto conn, SqliteDatabase::Open(data_dir + "/lethe.db"));
  LETHE_ASSIGN_OR_RETURN(auto store, SqlMetadataStore::Open(std::move(conn), clock));
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

Status MakeDataDir(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return Status::Internal("cannot create data directory " + dir + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

}  // namespace

LetheServer::LetheServer(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}
LetheServer::~LetheServer() {
  parts_->signals.reset();
  // The server's pools join here: a handler still running after the drain
  // may enqueue a job and wake the runner, so the runner (destroyed first
  // among the members) must outlive them.
  parts_->live_server = nullptr;
  parts_->server.reset();
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
  LETHE_RETURN_IF_ERROR(
      runner.Every("jobs", kJobPoll, [&jobs = *p.jobs] { return StatusOf(jobs.RunDue()); }));
  p.jobs->OnEnqueued([&runner] { (void)runner.Wake("jobs"); });
  // Retention (USE-5): expired media is already invisible; this removes it.
  LETHE_RETURN_IF_ERROR(runner.Every("retention", kRetentionSweep, [&media = *p.media] {
    return StatusOf(media.ExpireDue(kRetentionBatch));
  }));
  return Status::Ok();
}
void LetheServer::Stop() { parts_->server->Stop(); }

Result<std::unique_ptr<LetheServer>> LetheServer::Start(const ServeConfig& config, Clock& clock,
                                                        Random& random, const PortSeams& seams) {
  LETHE_ASSIGN_OR_RETURN(ServerOptions options, ParseListen(config.listen));
  options.threads = config.threads;
  options.blocking_threads = config.blocking_threads;
  options.max_connections = static_cast<size_t>(config.max_connections);
  options.min_rate = config.min_rate;
  options.rate_grace = std::chrono::seconds(config.rate_grace_seconds);
  options.request_deadline = std::chrono::seconds(config.request_deadline_seconds);
  LETHE_RETURN_IF_ERROR(AuditCheckpoints::ValidOrigin(config.checkpoint_origin));
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
  bool default_key = config.master_key_file.empty();
  std::string key_file = default_key ? config.data_dir + "/master.key" : config.master_key_file;
  LETHE_ASSIGN_OR_RETURN(Key master,
                         LoadMasterKey(config.master_key_hex, key_file, default_key, random));
  KeyWiper wipe_master(master);  // the key ring keeps the only long-lived copy
  LETHE_ASSIGN_OR_RETURN(Key signing_seed,
                         LoadSigningSeed(config.data_dir + "/signing.key", random));
  p->signing = std::make_unique<SigningKey>(signing_seed);
  KeyWiper wipe_seed(signing_seed);

  LETHE_ASSIGN_OR_RETURN(auto key_conn,
                         SqliteDatabase::Open(config.data_dir + "/keys.db", SqliteOptions{1}));
  LETHE_ASSIGN_OR_RETURN(p->keys, SqlKeyStore::Open(std::move(key_conn), clock));
  if (seams.network_threads) seams.network_threads(p->network_threads);
  if (seams.wrap_keys) p->keys = seams.wrap_keys(std::move(p->keys));
  p->key_ring = std::make_unique<KeyRing>(master, *p->keys, random);
  LETHE_RETURN_IF_ERROR(p->key_ring->CheckMasterKey());
  LETHE_ASSIGN_OR_RETURN(p->metadata, OpenMetadata(config.data_dir, clock));
  if (seams.wrap_metadata) p->metadata = seams.wrap_metadata(std::move(p->metadata));
  LETHE_ASSIGN_OR_RETURN(p->blobs, LocalBlobStore::OpenAt(config.data_dir + "/media"));
  if (seams.wrap_blobs) p->blobs = seams.wrap_blobs(std::move(p->blobs));

  p->anchor = std::make_unique<FileAuditAnchor>(config.data_dir + "/audit.anchor");
  // A damaged anchor is refused, as `audit verify` refuses it: the next
  // state change would otherwise overwrite the evidence.
  LETHE_RETURN_IF_ERROR(p->anchor->Load());
  p->audit = std::make_unique<AuditLog>(*p->metadata, clock, random, p->anchor.get());
  LETHE_ASSIGN_OR_RETURN(p->mailer, OpenMailer(config, clock));
  p->jobs = std::make_unique<JobQueue>(*p->metadata, clock, random);
  p->outbox =
      std::make_unique<Outbox>(*p->metadata, *p->jobs, *p->mailer, clock, random, config.mail_from);
  p->customers = std::make_unique<Customers>(*p->metadata, *p->audit, clock, random);
  p->accounts = std::make_unique<Accounts>(*p->metadata, *p->audit, clock, random, p->outbox.get());
  p->usage = std::make_unique<UsageLedger>(*p->metadata, clock, random);
  p->links = std::make_unique<MediaLinks>(master, clock);
  p->reserve = std::make_unique<FileSpaceReserve>(config.data_dir + "/reserve", kReserveBytes);
  p->media = std::make_unique<MediaLibrary>(*p->metadata, *p->blobs, *p->key_ring, *p->audit, clock,
                                            random, config.max_media_bytes, p->reserve.get());
  LETHE_ASSIGN_OR_RETURN(int swept, p->media->Recover());
  if (swept > 0) std::cerr << "lethe: recovery removed " << swept << " incomplete blob(s)\n";

  p->gate = std::make_unique<Gate>(*p->customers, *p->accounts, *p->usage, *p->links);
  p->router = std::make_unique<Router>(p->gate.get());
  AddOpsRoutes(*p->router, p->metrics);
  AddSigningKeyRoute(*p->router, Base64Encode(p->signing->public_key()));
  AddCustomerRoutes(*p->router, *p->customers, *p->accounts, config.max_json_body);
  AddAccountDataRoutes(*p->router, *p->usage, config.max_json_body);
  p->erasures = std::make_unique<Erasures>(*p->metadata, *p->media, *p->key_ring, *p->jobs,
                                           *p->audit, clock, random);
  p->receipts = std::make_unique<ErasureReceipts>(*p->signing, clock);
  AddErasureRoutes(*p->router, *p->erasures, *p->receipts, config.max_json_body);
  p->checkpoints =
      std::make_unique<AuditCheckpoints>(*p->metadata, *p->signing, config.checkpoint_origin);
  AddCheckpointRoutes(*p->router, *p->checkpoints, config.max_json_body);
  AddMediaRoutes(*p->router, *p->media, *p->links, config.max_json_body, config.max_media_bytes);
  if (seams.add_routes) seams.add_routes(*p->router);

  p->server =
      std::make_unique<HttpServer>(*p->router, p->metrics, random, p->network_threads, options);
  LETHE_ASSIGN_OR_RETURN(p->endpoint, p->server->Listen());
  // The data directory is locked to this process, so every lease left in
  // it belongs to a crashed predecessor: resume those jobs now.
  LETHE_ASSIGN_OR_RETURN(int64_t resumed, p->jobs->ResumeAbandoned());
  if (resumed > 0) std::cerr << "lethe: resuming " << resumed << " interrupted job(s)\n";
  p->runner = std::make_unique<JobRunner>(clock, kRunnerThreads);
  LETHE_RETURN_IF_ERROR(ScheduleBackgroundWork(*p));
  LETHE_RETURN_IF_ERROR(p->runner->Start());
  p->live_server = p->server.get();
  return std::unique_ptr<LetheServer>(new LetheServer(std::move(p)));
}

int VerifyAuditChain(const std::string& data_dir) {
  SystemClock clock;
  SystemRandom random;
  struct stat st;
  if (::stat((data_dir + "/lethe.db").c_str(), &st) != 0) {
    std::cerr << "lethe: no database in " << data_dir << "\n";
    return 2;
  }
  auto lock = DataDirLock::Acquire(data_dir);
  if (!lock.ok()) {
    std::cerr << "lethe: " << lock.status().ToString() << "\n";
    return 2;
  }
  auto store = OpenMetadata(data_dir, clock);
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
