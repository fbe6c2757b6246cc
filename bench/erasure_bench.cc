// Erasure benchmark (issue 8, "Measure it"; run by `make bench`, not a test).
//
// Builds the stores the way LetheServer does (SQLite metadata and key
// stores, the local blob store, the key ring, the audit log with its anchor,
// the media library, the durable job queue on a job runner, erasures) in a
// fresh data directory, seeds N media among many end users of one account,
// one of whom (the "victim") has M of them, and erases the victim:
//
//   (a) from the call to Erasures::EraseEndUser until it has returned and a
//       read of one of the victim's media fails with key-destroyed
//       (bar: 50 ms);
//   (b) until the purge job has set the erasure to "done", checked by
//       listing the victim's media and usage events (none left) and opening
//       each of the victim's blobs (none left) (bar: 60 s).
//
// Both are printed beside the 30 days the policy allows (USE-5), with the
// process CPU time (getrusage) each phase used. It also prints SQLite's
// EXPLAIN QUERY PLAN for the by-end-user listings and times a by-end-user
// listing as the table grows.
//
// Seeding: the victim's media are real uploads through MediaLibrary (1 KiB
// PNG bodies, encrypted blobs, audit events), several at once so that their
// commits share syncs as concurrent requests do; every other media is a
// record written through MetadataTx::InsertMedia, thousands per transaction,
// without a blob file or an audit event. The victim's uploads are spread
// over the table in up to 100 clumps, as uploads over time are. Every media
// has one usage event (its upload request), which the purge de-identifies
// for the victim.
//
//   lethe_erasure_bench [--total N] [--victim M] [--per-user K] [--uploaders T]
//                       [--work-dir DIR] [--keep]
//
// Result lines go to stdout, progress to stderr. Exit: 0 whatever the
// figures, 1 when the erasure did not do what it must (a read still works,
// something of the victim is left, the purge did not finish in --timeout
// seconds), 2 when it cannot set up, 130 when interrupted.
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "adapters/local/data_dir_lock.h"
#include "adapters/local/file_audit_anchor.h"
#include "adapters/local/file_erasure_journal.h"
#include "adapters/local/file_space_reserve.h"
#include "adapters/local/local_blob_store.h"
#include "adapters/sql/sql_connection.h"
#include "adapters/sql/sql_key_store.h"
#include "adapters/sql/sql_listings.h"
#include "adapters/sql/sql_metadata_store.h"
#include "adapters/sqlite/sqlite_database.h"
#include "common/encoding.h"
#include "crypto/key_wrap.h"
#include "crypto/keyed_id.h"
#include "crypto/secret_hash.h"
#include "domain/accounts.h"
#include "domain/audit_log.h"
#include "domain/customers.h"
#include "domain/erasures.h"
#include "domain/job_queue.h"
#include "domain/job_runner.h"
#include "domain/key_ring.h"
#include "domain/media_library.h"

namespace lethe {
namespace {

using Steady = std::chrono::steady_clock;

constexpr int64_t kPolicyDays = 30;
constexpr int64_t kPolicyMs = kPolicyDays * 86'400'000;
constexpr double kUnreadableBarMs = 50;
constexpr double kPurgeBarS = 60;
constexpr size_t kBodyBytes = 1024;
constexpr int kMaxClumps = 100;
// As LetheServer: the job runner's threads, and how often it looks for due
// jobs when nothing wakes it.
constexpr int kRunnerThreads = 2;
constexpr std::chrono::milliseconds kJobPoll{250};
constexpr uint64_t kReserveBytes = 8 << 20;
constexpr uint64_t kMaxMediaBytes = 1 << 20;

// The by-end-user listings as SqlMetadataTx runs them (sql_listings.h):
// $1 the account, $2 the end user, $3 the cursor, $4 the page size.
std::string ListMediaSql() {
  MediaQuery q;
  q.end_user = "";
  return MediaListing(q).sql;
}
std::string ListUsageSql() {
  UsageQuery q;
  q.end_user = "";
  return UsageListing(q).sql;
}

// The same listing as one NULL-tolerant statement for every listing, as
// SqlMetadataTx had it before (bench/README.md, Erasure): planned for an
// absent end user, it scans the account. For comparison.
constexpr const char* kListMediaSharedSql =
    "SELECT seq, id, account_id, end_user, kind, content_type, bytes, sha256, title, created_ms, "
    "expires_ms, blob_id, wrapped_key, expiry_from_account FROM media WHERE account_id = $1"
    " AND ($2 IS NULL OR end_user = $2)"
    " AND ($3 IS NULL OR kind = $3)"
    " AND ($4 IS NULL OR EXISTS (SELECT 1 FROM media_tags t"
    "   WHERE t.media_id = media.id AND t.tag = $4))"
    " AND seq > $5 ORDER BY seq LIMIT $6";

std::atomic<bool> g_interrupted{false};
void OnSignal(int) { g_interrupted = true; }

struct Options {
  int64_t total = 1'000'000;
  int64_t victim = 10'000;
  int64_t per_user = 10;  // media per other end user
  int uploaders = 8;      // the victim's uploads in flight at once
  std::string work_dir = ".";
  int64_t timeout_s = 3600;
  bool keep = false;
};

// "1234567" -> "1,234,567".
std::string Thousands(int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

std::string Fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

double MsSince(Steady::time_point t) {
  return std::chrono::duration<double, std::milli>(Steady::now() - t).count();
}

// What the process used between two points (all threads), and the counters
// of the stores that show where the syncs went.
struct Counters {
  Steady::time_point wall;
  double cpu_s = 0;     // user + system, every thread
  double thread_s = 0;  // user + system, the calling thread
  int64_t out_blocks = 0;
  int64_t vol_switches = 0;
  uint64_t wal_syncs = 0;
  uint64_t key_wal_syncs = 0;
  uint64_t blob_dir_fsyncs = 0;
};

double Seconds(const timeval& tv) { return static_cast<double>(tv.tv_sec) + tv.tv_usec / 1e6; }

struct Stores;
Counters Sample(const Stores& s);

struct Delta {
  double wall_ms, cpu_s, thread_s;
  int64_t out_blocks, vol_switches;
  uint64_t wal_syncs, key_wal_syncs, blob_dir_fsyncs;
};
Delta Between(const Counters& a, const Counters& b) {
  return {std::chrono::duration<double, std::milli>(b.wall - a.wall).count(),
          b.cpu_s - a.cpu_s,
          b.thread_s - a.thread_s,
          b.out_blocks - a.out_blocks,
          b.vol_switches - a.vol_switches,
          b.wal_syncs - a.wal_syncs,
          b.key_wal_syncs - a.key_wal_syncs,
          b.blob_dir_fsyncs - a.blob_dir_fsyncs};
}
std::string CpuText(const Delta& d) {
  return "process CPU " + Fixed(d.cpu_s, 3) + " s (" +
         Fixed(d.wall_ms > 0 ? d.cpu_s * 1000 / d.wall_ms : 0, 2) + " cores busy)";
}
std::string IoText(const Delta& d) {
  return "metadata WAL syncs " + Thousands(static_cast<int64_t>(d.wal_syncs)) + ", key WAL syncs " +
         Thousands(static_cast<int64_t>(d.key_wal_syncs)) + ", blob directory fsyncs " +
         Thousands(static_cast<int64_t>(d.blob_dir_fsyncs)) + ", " + Thousands(d.out_blocks / 2) +
         " KiB written, " + Thousands(d.vol_switches) + " voluntary context switches";
}

// Everything LetheServer::Start assembles that erasure touches.
struct Stores {
  std::string dir;
  std::optional<DataDirLock> lock;
  SystemClock clock;
  SystemRandom random;
  SqliteDatabase* metadata_db = nullptr;  // owned by `metadata`
  SqliteDatabase* key_db = nullptr;       // owned by `keys`
  LocalBlobStore* local_blobs = nullptr;  // owned by `blobs`
  std::unique_ptr<MetadataStore> metadata;
  std::unique_ptr<KeyStore> keys;
  std::unique_ptr<BlobStore> blobs;
  std::unique_ptr<SpaceReserve> reserve;
  std::unique_ptr<AuditAnchor> anchor;
  std::unique_ptr<AuditLog> audit;
  std::unique_ptr<JobQueue> jobs;
  std::unique_ptr<Customers> customers;
  std::unique_ptr<Accounts> accounts;
  std::unique_ptr<KeyRing> key_ring;
  std::unique_ptr<KeyedIds> keyed_ids;
  std::unique_ptr<ErasureJournal> journal;
  std::unique_ptr<MediaLibrary> media;
  std::unique_ptr<Erasures> erasures;
  // Last: destroyed first, so no run outlives what it uses.
  std::unique_ptr<JobRunner> runner;

  ~Stores() {
    if (runner) (void)runner->Stop(std::chrono::seconds(30));
  }
};

Counters Sample(const Stores& s) {
  Counters c;
  c.wall = Steady::now();
  rusage self{}, thread{};
  ::getrusage(RUSAGE_SELF, &self);
  ::getrusage(RUSAGE_THREAD, &thread);
  c.cpu_s = Seconds(self.ru_utime) + Seconds(self.ru_stime);
  c.thread_s = Seconds(thread.ru_utime) + Seconds(thread.ru_stime);
  c.out_blocks = self.ru_oublock;
  c.vol_switches = self.ru_nvcsw;
  if (s.metadata_db) c.wal_syncs = s.metadata_db->wal_syncs();
  if (s.key_db) c.key_wal_syncs = s.key_db->wal_syncs();
  if (s.local_blobs) c.blob_dir_fsyncs = s.local_blobs->sync_stats().dir_fsyncs;
  return c;
}

// Opens the stores as LetheServer::Start does, with a fresh master key.
Status Open(Stores& s) {
  LETHE_ASSIGN_OR_RETURN(s.lock, DataDirLock::Acquire(s.dir));
  Key master = GenerateKey(s.random);
  KeyWiper wipe_master(master);
  LETHE_ASSIGN_OR_RETURN(auto key_conn, SqliteDatabase::Open(s.dir + "/keys.db", SqliteOptions{1}));
  s.key_db = key_conn.get();
  LETHE_ASSIGN_OR_RETURN(s.keys, SqlKeyStore::Open(std::move(key_conn), s.clock));
  s.key_ring = std::make_unique<KeyRing>(master, *s.keys, s.random);
  LETHE_RETURN_IF_ERROR(s.key_ring->CheckMasterKey());
  LETHE_ASSIGN_OR_RETURN(auto meta_conn, SqliteDatabase::Open(s.dir + "/lethe.db"));
  s.metadata_db = meta_conn.get();
  LETHE_ASSIGN_OR_RETURN(s.metadata, SqlMetadataStore::Open(std::move(meta_conn), s.clock));
  LETHE_ASSIGN_OR_RETURN(auto blobs, LocalBlobStore::OpenAt(s.dir + "/media"));
  s.local_blobs = blobs.get();
  s.blobs = std::move(blobs);
  auto anchor = std::make_unique<FileAuditAnchor>(s.dir + "/audit.anchor");
  LETHE_RETURN_IF_ERROR(StatusOf(anchor->Load()));
  s.anchor = std::move(anchor);
  s.audit = std::make_unique<AuditLog>(*s.metadata, s.clock, s.random, s.anchor.get());
  s.jobs = std::make_unique<JobQueue>(*s.metadata, s.clock, s.random);
  s.customers = std::make_unique<Customers>(*s.metadata, *s.audit, s.clock, s.random);
  s.accounts = std::make_unique<Accounts>(*s.metadata, *s.audit, s.clock, s.random);
  s.reserve = std::make_unique<FileSpaceReserve>(s.dir + "/reserve", kReserveBytes);
  s.keyed_ids = std::make_unique<KeyedIds>(master);
  s.journal = std::make_unique<FileErasureJournal>(s.dir + "/erasure.journal");
  s.media =
      std::make_unique<MediaLibrary>(*s.metadata, *s.blobs, *s.key_ring, *s.audit, *s.keyed_ids,
                                     s.clock, s.random, kMaxMediaBytes, s.reserve.get());
  LETHE_RETURN_IF_ERROR(StatusOf(s.media->Recover()));
  s.erasures = std::make_unique<Erasures>(*s.metadata, *s.media, *s.key_ring, *s.jobs, *s.audit,
                                          *s.keyed_ids, *s.journal, s.clock, s.random);
  s.runner = std::make_unique<JobRunner>(s.clock, kRunnerThreads);
  LETHE_RETURN_IF_ERROR(
      s.runner->Every("jobs", kJobPoll, [&jobs = *s.jobs] { return StatusOf(jobs.RunDue()); }));
  s.jobs->OnEnqueued([&runner = *s.runner] { (void)runner.Wake("jobs"); });
  return s.runner->Start();
}

// A read-only SQLite connection of our own, beside the store's, for
// EXPLAIN QUERY PLAN and counts. Statements are reset at once, so it never
// holds a snapshot that would hold up the store's checkpoints.
class RawDb {
 public:
  ~RawDb() {
    if (db_) sqlite3_close(db_);
  }
  Status Open(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
      return Status::Internal("cannot open " + path + " read-only");
    }
    sqlite3_busy_timeout(db_, 5000);
    return Status::Ok();
  }
  // The rows of `sql` with `params` bound to $1.., as text columns.
  Result<std::vector<std::vector<std::string>>> Rows(const std::string& sql,
                                                     const std::vector<SqlValue>& params = {}) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      return Status::Internal(std::string("prepare: ") + sqlite3_errmsg(db_));
    }
    for (size_t i = 0; i < params.size(); ++i) {
      int at = static_cast<int>(i + 1);
      if (auto* text = std::get_if<std::string>(&params[i])) {
        sqlite3_bind_text(stmt, at, text->c_str(), -1, SQLITE_TRANSIENT);
      } else if (auto* n = std::get_if<int64_t>(&params[i])) {
        sqlite3_bind_int64(stmt, at, *n);
      } else {
        sqlite3_bind_null(stmt, at);
      }
    }
    std::vector<std::vector<std::string>> rows;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
        const unsigned char* text = sqlite3_column_text(stmt, c);
        row.emplace_back(text ? reinterpret_cast<const char*>(text) : "NULL");
      }
      rows.push_back(std::move(row));
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE) return Status::Internal(std::string("step: ") + sqlite3_errmsg(db_));
    return rows;
  }
  Result<int64_t> Count(const std::string& sql, const std::vector<SqlValue>& params = {}) {
    LETHE_ASSIGN_OR_RETURN(auto rows, Rows(sql, params));
    if (rows.empty() || rows[0].empty()) return Status::Internal("no count");
    return static_cast<int64_t>(std::stoll(rows[0][0]));
  }
  // EXPLAIN QUERY PLAN of `sql`, one "detail" per line.
  Result<std::vector<std::string>> Plan(const std::string& sql) {
    LETHE_ASSIGN_OR_RETURN(auto rows, Rows("EXPLAIN QUERY PLAN " + sql));
    std::vector<std::string> details;
    for (const auto& row : rows) details.push_back(row.back());
    return details;
  }

 private:
  sqlite3* db_ = nullptr;
};

std::string OtherUser(int64_t i, int64_t users) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "user-%07lld", static_cast<long long>(i % users));
  return buf;
}

UsageEvent UploadEvent(Random& random, const AccountRecord& account, const std::string& end_user,
                       int64_t time_ms) {
  UsageEvent e;
  e.id = RandomId(random, "evt_");
  e.time_ms = time_ms;
  e.account_id = account.id;
  e.credential_id = account.id;
  e.end_user = end_user;
  e.ip = "203.0.113.77";
  e.device_type = "desktop";
  e.browser = "Firefox";
  e.browser_version = "120.0.1";
  e.language = "en";
  e.country = "GB";
  e.method = "POST";
  e.route = "/v1/media";
  e.status = 201;
  return e;
}

// `count` records for other end users in one transaction, with their usage
// events. `next` numbers the records across calls.
Status InsertOthers(Stores& s, const AccountRecord& account, int64_t count, int64_t users,
                    int64_t& next, const Key& seed_kek) {
  std::vector<MediaRecord> records;
  std::vector<UsageEvent> events;
  records.reserve(static_cast<size_t>(count));
  events.reserve(static_cast<size_t>(count));
  int64_t now = s.clock.NowMillis();
  for (int64_t i = 0; i < count; ++i, ++next) {
    MediaRecord m;
    m.id = RandomId(s.random, "med_");
    m.account_id = account.id;
    m.end_user = OtherUser(next, users);
    m.kind = "image";
    m.content_type = "image/png";
    m.bytes = static_cast<int64_t>(kBodyBytes);
    m.sha256 = Sha256Hex(m.id);
    m.title = "Holiday picture " + std::to_string(next);
    m.tags = {"t" + std::to_string(next % 100)};
    m.created_ms = now;
    m.blob_id = RandomId(s.random, "blb_");
    // A real wrap of a throwaway key: the same size as a stored one.
    Key data_key = GenerateKey(s.random);
    m.wrapped_key = Base64UrlEncode(WrapKey(seed_kek, data_key, "object/" + m.blob_id, s.random));
    events.push_back(UploadEvent(s.random, account, m.end_user, now));
    records.push_back(std::move(m));
  }
  return s.metadata->Transact([&](MetadataTx& tx) -> Status {
    for (const MediaRecord& m : records) LETHE_RETURN_IF_ERROR(StatusOf(tx.InsertMedia(m)));
    return tx.InsertUsageEvents(events);
  });
}

// `count` real uploads of the victim through MediaLibrary, `threads` at a
// time, and their usage events.
Status UploadVictim(Stores& s, const Principal& who, const std::string& victim, int64_t count,
                    int threads, int64_t& next, std::vector<MediaRecord>& uploaded) {
  std::atomic<int64_t> claimed{0};
  std::mutex mu;
  Status failure;
  RequestOrigin origin{"bench", "203.0.113.77", "desktop", "Firefox", "120.0.1", "en", "GB"};
  int64_t base = next;
  auto worker = [&] {
    std::vector<uint8_t> body(kBodyBytes);
    for (;;) {
      int64_t i = claimed.fetch_add(1);
      if (i >= count || g_interrupted) return;
      static constexpr uint8_t kPng[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
      s.random.Fill(body);
      std::memcpy(body.data(), kPng, sizeof kPng);
      std::string marker = "LETHE-BENCH-PLAINTEXT-" + std::to_string(base + i);
      std::memcpy(body.data() + 16, marker.data(), marker.size());
      MediaFields fields;
      fields.end_user = victim;
      fields.title = "Victim clip " + std::to_string(base + i);
      fields.tags = std::vector<std::string>{"victim", "t" + std::to_string((base + i) % 100)};
      Result<MediaRecord> m = Status::Internal("not started");
      auto ingest = s.media->BeginIngest(who, "image/png", origin);
      if (ingest.ok()) {
        Status st = (*ingest)->Append(body);
        m = st.ok() ? (*ingest)->Commit(fields) : Result<MediaRecord>(st);
      } else {
        m = ingest.status();
      }
      std::lock_guard lock(mu);
      if (!m.ok()) {
        if (failure.ok()) failure = m.status();
        return;
      }
      uploaded.push_back(std::move(*m));
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(worker);
  for (auto& t : pool) t.join();
  LETHE_RETURN_IF_ERROR(failure);
  next += count;
  std::vector<UsageEvent> events;
  for (int64_t i = 0; i < count; ++i) {
    events.push_back(UploadEvent(s.random, who.account, victim, s.clock.NowMillis()));
  }
  return s.metadata->Transact(
      [&](MetadataTx& tx) -> Status { return tx.InsertUsageEvents(events); },
      Durability::kProcessCrash);
}

// Wall time of one by-end-user listing through the store, as the purge
// lists (best of three, so a cold page cache does not count).
Result<double> TimeListing(Stores& s, const std::string& account_id, const std::string& end_user,
                           int limit, size_t& items) {
  double best = 1e300;
  for (int i = 0; i < 3; ++i) {
    MediaQuery q;
    q.account_id = account_id;
    q.end_user = end_user;
    q.limit = limit;
    auto t = Steady::now();
    LETHE_ASSIGN_OR_RETURN(auto list, s.metadata->ListMedia(q));
    best = std::min(best, MsSince(t));
    items = list.size();
  }
  return best;
}

bool ParseInt(const char* text, int64_t& out) {
  char* end = nullptr;
  long long v = std::strtoll(text, &end, 10);
  if (end == text || *end != '\0') return false;
  out = v;
  return true;
}

int Usage() {
  std::cerr << "usage: lethe_erasure_bench [--total N] [--victim M] [--per-user K] "
               "[--uploaders T] [--work-dir DIR] [--timeout SECONDS] [--keep]\n";
  return 2;
}

std::string Describe(const std::string& dir) {
  std::ostringstream out;
  struct statfs fs {};
  std::string type = "unknown";
  if (::statfs(dir.c_str(), &fs) == 0) {
    switch (fs.f_type) {
      case 0xEF53:
        type = "ext4";
        break;
      case 0x01021994:
        type = "tmpfs";
        break;
      case 0x58465342:
        type = "xfs";
        break;
      case 0x9123683E:
        type = "btrfs";
        break;
      case 0x794c7630:
        type = "overlayfs";
        break;
      default: {
        char hex[32];
        std::snprintf(hex, sizeof hex, "0x%lx", static_cast<unsigned long>(fs.f_type));
        type = hex;
      }
    }
  }
  double load[3] = {0, 0, 0};
  (void)::getloadavg(load, 3);
  out << std::thread::hardware_concurrency() << " CPUs, data directory on " << type << ", SQLite "
      << sqlite3_libversion() << ", load average " << Fixed(load[0], 2);
  return out.str();
}

// What one small durable write costs on the data directory's disk now:
// `rounds` times a 4 KiB pwrite and an fdatasync, as a WAL commit does.
// Returns "p50 X ms, p90 Y ms" (the disk is shared, so it moves).
std::string SyncProbe(const std::string& dir, int rounds) {
  std::string path = dir + "/sync-probe";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return "unmeasured";
  std::vector<char> page(4096, 'x');
  std::vector<double> ms;
  for (int i = 0; i < rounds; ++i) {
    auto t = Steady::now();
    if (::pwrite(fd, page.data(), page.size(), static_cast<off_t>(i % 16) * 4096) < 0 ||
        ::fdatasync(fd) != 0) {
      break;
    }
    ms.push_back(MsSince(t));
  }
  ::close(fd);
  ::unlink(path.c_str());
  if (ms.empty()) return "unmeasured";
  std::sort(ms.begin(), ms.end());
  return "p50 " + Fixed(ms[ms.size() / 2], 2) + " ms, p90 " + Fixed(ms[ms.size() * 9 / 10], 2) +
         " ms";
}

int Run(const Options& o) {
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  std::error_code ec;
  std::filesystem::create_directories(o.work_dir, ec);
  std::string pattern = o.work_dir + "/erasure-bench.XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (!::mkdtemp(buf.data())) {
    std::cerr << "erasure-bench: cannot create a directory in " << o.work_dir << ": "
              << std::strerror(errno) << "\n";
    return 2;
  }
  std::string dir = std::filesystem::absolute(buf.data()).string();
  std::string machine_at_start = Describe(dir);
  std::cerr << "erasure-bench: data directory " << dir << "\n";
  int rc = 0;
  {
    Stores s;
    s.dir = dir;
    auto fail = [&](const std::string& what, const Status& st) {
      std::cerr << "erasure-bench: " << what << ": " << st.ToString() << "\n";
      return 2;
    };
    rc = [&]() -> int {
      if (Status st = Open(s); !st.ok()) return fail("cannot open the stores", st);
      RequestOrigin origin{"bench", "203.0.113.77", "desktop", "Firefox", "120.0.1", "en", "GB"};
      SignupForm form{"Bench Customer",
                      "bench@example.com",
                      "correct horse battery staple",
                      "GB",
                      "1990-12-10",
                      {},
                      {},
                      {},
                      {}};
      auto signup = s.customers->SignUp(form, origin);
      if (!signup.ok()) return fail("sign-up", signup.status());
      auto account = s.accounts->Create(signup->customer.id, "Bench app", "eu", origin);
      if (!account.ok()) return fail("account", account.status());
      Principal who{account->account, account->account.id};
      const std::string account_id = account->account.id;
      const std::string victim = "victim-end-user";
      int64_t others = o.total - o.victim;
      int64_t users = std::max<int64_t>(1, others / std::max<int64_t>(1, o.per_user));
      int64_t clumps = std::clamp<int64_t>(o.victim, 1, kMaxClumps);
      int64_t tx_rows = others / clumps;

      // ---- seed ----
      std::cerr << "erasure-bench: seeding " << Thousands(o.total) << " media ("
                << Thousands(o.victim) << " uploads of the victim in " << clumps << " clumps, "
                << Thousands(others) << " records of " << Thousands(users)
                << " other end users in transactions of about " << Thousands(tx_rows) << ")\n";
      RawDb raw;
      if (Status st = raw.Open(dir + "/lethe.db"); !st.ok()) return fail("raw connection", st);
      Key seed_kek = GenerateKey(s.random);
      KeyWiper wipe_kek(seed_kek);
      std::vector<MediaRecord> victim_media;
      std::vector<std::pair<int64_t, double>> listing_curve;  // rows, ms
      Counters seed_start = Sample(s);
      double upload_ms = 0;
      int64_t other_next = 0, victim_next = 0;
      for (int64_t c = 0; c < clumps; ++c) {
        if (g_interrupted) return 130;
        int64_t n_other = others * (c + 1) / clumps - others * c / clumps;
        int64_t n_victim = o.victim * (c + 1) / clumps - o.victim * c / clumps;
        if (Status st = InsertOthers(s, account->account, n_other, users, other_next, seed_kek);
            !st.ok()) {
          return fail("seeding records", st);
        }
        auto t = Steady::now();
        if (Status st =
                UploadVictim(s, who, victim, n_victim, o.uploaders, victim_next, victim_media);
            !st.ok()) {
          return fail("uploading the victim's media", st);
        }
        upload_ms += MsSince(t);
        if (g_interrupted) return 130;
        bool report = clumps < 10 || (c + 1) % (clumps / 10) == 0 || c == 0;
        if (report) {
          size_t items = 0;
          auto ms = TimeListing(s, account_id, OtherUser(0, users), 100, items);
          if (!ms.ok()) return fail("listing", ms.status());
          int64_t rows = other_next + victim_next;
          listing_curve.emplace_back(rows, *ms);
          std::cerr << "erasure-bench: " << Thousands(rows) << " media after "
                    << Fixed(MsSince(seed_start.wall) / 1000, 1) << " s; listing "
                    << OtherUser(0, users) << " (" << items << " items) " << Fixed(*ms, 2)
                    << " ms\n";
        }
      }
      Delta seed = Between(seed_start, Sample(s));
      int64_t db_bytes = 0;
      for (const char* f : {"/lethe.db", "/lethe.db-wal"}) {
        struct stat st {};
        if (::stat((dir + f).c_str(), &st) == 0) db_bytes += st.st_size;
      }
      std::cout << "erasure-seed: " << Thousands(o.total) << " media of " << Thousands(users + 1)
                << " end users in one account: the erased end user's " << Thousands(o.victim)
                << " uploaded through MediaLibrary (" << kBodyBytes << " B PNG, encrypted blob, "
                << o.uploaders << " at a time, " << Fixed(o.victim * 1000.0 / upload_ms, 0)
                << " uploads/s) in " << clumps << " clumps spread over the table, the other "
                << Thousands(others) << " as records through MetadataTx::InsertMedia (about "
                << Thousands(tx_rows)
                << " per transaction, no blob file, no audit event); one usage event each; "
                << Fixed(seed.wall_ms / 1000, 1) << " s, " << CpuText(seed) << ", lethe.db "
                << Thousands(db_bytes >> 20) << " MiB\n";

      // ---- the index ----
      for (auto [name, sql] : {std::pair<const char*, std::string>{"media", ListMediaSql()},
                               {"usage", ListUsageSql()}}) {
        auto plan = raw.Plan(sql);
        if (!plan.ok()) return fail("explain", plan.status());
        std::string joined;
        for (const auto& d : *plan) joined += (joined.empty() ? "" : "; ") + d;
        std::cout << "erasure-plan: by-end-user " << name << " listing: " << joined << "\n";
      }
      {
        auto plan = raw.Plan(kListMediaSharedSql);
        if (!plan.ok()) return fail("explain", plan.status());
        std::string joined;
        for (const auto& d : *plan) joined += (joined.empty() ? "" : "; ") + d;
        // Best of three, through the raw connection, both forms.
        auto time_raw = [&](const std::string& sql, const std::vector<SqlValue>& params) {
          double best = 1e300;
          for (int i = 0; i < 3; ++i) {
            auto t = Steady::now();
            (void)raw.Rows(sql, params);
            best = std::min(best, MsSince(t));
          }
          return best;
        };
        std::string user = OtherUser(0, users);
        std::vector<SqlValue> params{account_id, user,       SqlValue(),
                                     SqlValue(), int64_t{0}, int64_t{100}};
        double as_is = time_raw(ListMediaSql(), {account_id, user, int64_t{0}, int64_t{100}});
        double shared = time_raw(kListMediaSharedSql, params);
        std::cout << "erasure-plan: the same listing as one NULL-tolerant statement "
                     "(\"$2 IS NULL OR end_user = $2\", as before): "
                  << joined << "; " << user << " through this connection " << Fixed(as_is, 3)
                  << " ms as the store asks, " << Fixed(shared, 2) << " ms that way\n";
      }
      {
        size_t small_items = 0, victim_items = 0;
        auto small = TimeListing(s, account_id, OtherUser(0, users), 100, small_items);
        auto page = TimeListing(s, account_id, victim, 500, victim_items);
        auto none = TimeListing(s, account_id, "nobody", 100, small_items);
        for (const auto* r : {&small, &page, &none}) {
          if (!r->ok()) return fail("listing", r->status());
        }
        std::string curve;
        for (auto [rows, ms] : listing_curve) {
          curve += (curve.empty() ? "" : ", ") + Thousands(rows) + " rows " + Fixed(ms, 2) + " ms";
        }
        std::cout << "erasure-listing: by end user through the store at " << Thousands(o.total)
                  << " media: an end user with " << Thousands(o.per_user) << " media "
                  << Fixed(*small, 2) << " ms, the victim's first page of " << victim_items << " "
                  << Fixed(*page, 2) << " ms, an end user with none " << Fixed(*none, 2)
                  << " ms; as the table grew: " << curve << "\n";
      }

      // ---- before: the victim's media reads back ----
      if (victim_media.empty()) {
        std::cerr << "erasure-bench: --victim must be at least 1\n";
        return 2;
      }
      const MediaRecord held = victim_media.front();  // a copy, as a cache or backup holds
      {
        auto reader = s.media->Open(held, 0, static_cast<uint64_t>(held.bytes) - 1);
        if (!reader.ok()) return fail("reading the victim's media before erasure", reader.status());
        std::vector<uint8_t> plain(kBodyBytes);
        auto n = (*reader)->Read(plain);
        if (!n.ok() || *n != kBodyBytes) return fail("reading before erasure", StatusOf(n));
      }
      ::sync();  // the seed's writeback is not the erasure's
      std::string sync_before = SyncProbe(dir, 50);
      std::cerr << "erasure-bench: erasing the victim now (disk fdatasync " << sync_before << ")\n";

      // ---- (a) unreadable ----
      Counters a_start = Sample(s);
      auto erased = s.erasures->EraseEndUser(who, victim, origin);
      double returned_ms = MsSince(a_start.wall);
      if (!erased.ok()) return fail("EraseEndUser", erased.status());
      auto reader = s.media->Open(held, 0, static_cast<uint64_t>(held.bytes) - 1);
      double unreadable_ms = MsSince(a_start.wall);
      Delta a = Between(a_start, Sample(s));
      bool key_destroyed = !reader.ok() && reader.status().reason() == "key-destroyed";
      std::string fresh_read;
      if (auto again = s.media->Get(account_id, held.id); again.ok()) {
        auto r = s.media->Open(*again, 0, static_cast<uint64_t>(again->bytes) - 1);
        fresh_read = r.ok() ? "READABLE" : r.status().reason();
      } else {
        fresh_read = again.status().reason();
      }
      if (fresh_read == "READABLE") key_destroyed = false;
      std::cout << "erasure-unreadable: unreadable after " << Fixed(unreadable_ms, 1) << " ms (bar "
                << Fixed(kUnreadableBarMs, 0) << " ms; policy allows " << kPolicyDays
                << " days = " << Thousands(kPolicyMs) << " ms) "
                << (key_destroyed && unreadable_ms < kUnreadableBarMs ? "MET" : "MISSED")
                << "; EraseEndUser returned after " << Fixed(returned_ms, 1) << " ms (state "
                << erased->state << "), a held copy of the record reads as "
                << (reader.ok() ? std::string("READABLE") : reader.status().reason())
                << ", a fresh lookup as " << fresh_read << "; " << CpuText(a)
                << " (the purge starts meanwhile), calling thread " << Fixed(a.thread_s * 1000, 1)
                << " ms; " << IoText(a) << "\n";
      if (!key_destroyed) rc = 1;

      // ---- (b) purged ----
      std::string state = erased->state;
      int64_t last_progress = 0;
      int64_t last_remaining = o.victim;
      Counters progress_at = a_start;
      while (state != "done") {
        if (g_interrupted) return 130;
        if (MsSince(a_start.wall) > o.timeout_s * 1000.0) {
          std::cout << "erasure-purge: not done after " << o.timeout_s << " s (bar "
                    << Fixed(kPurgeBarS, 0) << " s) MISSED\n";
          return 1;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        auto now = s.erasures->Get(account_id, erased->id);
        if (!now.ok()) return fail("erasure state", now.status());
        state = now->state;
        auto elapsed_s = static_cast<int64_t>(MsSince(a_start.wall) / 1000);
        if (state != "done" && elapsed_s >= last_progress + 5) {
          last_progress = elapsed_s;
          auto left =
              raw.Count("SELECT count(*) FROM media WHERE account_id = $1 AND end_user = $2",
                        {account_id, victim});
          Counters c = Sample(s);
          Delta d = Between(progress_at, c);
          int64_t remaining = left.ok() ? *left : -1;
          std::cerr << "erasure-bench: purge at " << elapsed_s << " s: " << Thousands(remaining)
                    << " of the victim's media left ("
                    << Fixed((last_remaining - remaining) * 1000.0 / d.wall_ms, 0)
                    << " media/s lately, " << Fixed(d.cpu_s * 1000 / d.wall_ms, 2)
                    << " cores busy, " << Fixed(d.wal_syncs * 1000.0 / d.wall_ms, 0)
                    << " WAL syncs/s)\n";
          last_remaining = remaining;
          progress_at = c;
        }
      }
      double done_ms = MsSince(a_start.wall);
      Delta b = Between(a_start, Sample(s));
      auto final_state = s.erasures->Get(account_id, erased->id);
      if (!final_state.ok()) return fail("erasure state", final_state.status());

      // Nothing of the victim left: records, usage events by end user, blobs.
      auto v_start = Steady::now();
      MediaQuery q;
      q.account_id = account_id;
      q.end_user = victim;
      q.limit = 1000;
      auto left = s.metadata->ListMedia(q);
      UsageQuery uq;
      uq.account_id = account_id;
      uq.end_user = victim;
      uq.limit = 1000;
      auto usage_left = s.metadata->ListUsageEvents(uq);
      if (!left.ok() || !usage_left.ok()) return fail("listing after the purge", left.status());
      int64_t blobs_left = 0;
      for (const MediaRecord& m : victim_media) {
        auto blob = s.blobs->Open(m.blob_id);
        if (blob.status().code() != Status::Code::kNotFound) ++blobs_left;
      }
      auto remaining_total = raw.Count("SELECT count(*) FROM media");
      double verify_ms = MsSince(v_start);
      bool clean = left->empty() && usage_left->empty() && blobs_left == 0 &&
                   remaining_total.ok() && *remaining_total == others;
      double done_s = done_ms / 1000;
      std::cout << "erasure-purge: purged after " << Fixed(done_s, 2) << " s (bar "
                << Fixed(kPurgeBarS, 0) << " s; policy allows " << kPolicyDays
                << " days = " << Thousands(kPolicyMs / 1000) << " s) "
                << (clean && done_s < kPurgeBarS ? "MET" : "MISSED") << "; erasure "
                << final_state->state << " with " << Thousands(final_state->media_erased)
                << " media and " << Thousands(final_state->usage_deidentified)
                << " usage events; checked in " << Fixed(verify_ms, 0) << " ms: " << left->size()
                << " of the victim's records, " << usage_left->size()
                << " usage events naming them, " << blobs_left << " of their "
                << Thousands(static_cast<int64_t>(victim_media.size())) << " blob files left, "
                << Thousands(remaining_total.ok() ? *remaining_total : -1) << " other media kept; "
                << CpuText(b) << ", " << Fixed(b.wall_ms / std::max<int64_t>(1, o.victim), 2)
                << " ms and " << Fixed(b.cpu_s * 1000 / std::max<int64_t>(1, o.victim), 2)
                << " CPU-ms per media; " << IoText(b) << "\n";
      if (!clean) rc = 1;
      std::string sync_after = SyncProbe(dir, 50);
      std::cout << "erasure-disk: 4 KiB pwrite + fdatasync on the data directory's disk: "
                << sync_before << " just before the erasure, " << sync_after
                << " just after the purge (every sync of the purge waits this long)\n";
      std::cout << "erasure-summary: " << Thousands(o.total) << " media, " << Thousands(o.victim)
                << " erased: unreadable after " << Fixed(unreadable_ms, 1) << " ms, purged after "
                << Fixed(done_s, 1) << " s, against " << kPolicyDays << " days; "
                << machine_at_start << " at start, "
                << Fixed(
                       [] {
                         double l[3] = {0, 0, 0};
                         (void)::getloadavg(l, 3);
                         return l[0];
                       }(),
                       2)
                << " at end\n";
      return rc;
    }();
  }
  if (o.keep) {
    std::cerr << "erasure-bench: kept " << dir << "\n";
  } else {
    std::filesystem::remove_all(dir, ec);
  }
  return rc;
}

}  // namespace
}  // namespace lethe

int main(int argc, char** argv) {
  lethe::Options o;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](int64_t& out) {
      return i + 1 < argc && lethe::ParseInt(argv[++i], out) && out >= 0;
    };
    int64_t n = 0;
    if (arg == "--total") {
      if (!value(o.total)) return lethe::Usage();
    } else if (arg == "--victim") {
      if (!value(o.victim)) return lethe::Usage();
    } else if (arg == "--per-user") {
      if (!value(o.per_user) || o.per_user < 1) return lethe::Usage();
    } else if (arg == "--uploaders") {
      if (!value(n) || n < 1 || n > 256) return lethe::Usage();
      o.uploaders = static_cast<int>(n);
    } else if (arg == "--timeout") {
      if (!value(o.timeout_s)) return lethe::Usage();
    } else if (arg == "--work-dir" && i + 1 < argc) {
      o.work_dir = argv[++i];
    } else if (arg == "--keep") {
      o.keep = true;
    } else {
      return lethe::Usage();
    }
  }
  if (o.victim < 1 || o.victim > o.total) {
    std::cerr << "lethe_erasure_bench: need 1 <= --victim <= --total\n";
    return 2;
  }
  return lethe::Run(o);
}
