// Ingest benchmark for probe and scrub (issue 14, "Measure it"; run by
// `make bench`, not a test).
//
// Bar: probing and scrubbing add at most 10 % to the ingest time of a
// 100 MB MP4. The file is made by ffmpeg (H.264 at a high bit rate, with a
// location, creation time and device tags, and the index at the end, as a
// phone writes it). It is then ingested through MediaLibrary on the stores
// LetheServer uses (SQLite metadata and keys, the local blob store with
// its fsyncs, the key ring, the audit log), from memory in 1 MiB pieces as
// the HTTP layer hands them over, four ways, `--rounds` times each (the
// first three alternating, round by round; the remux after them, since its
// large buffers, interleaved, slowed the others' later rounds by up to 2x):
//
//   plain   the library without a MediaIntake (as before issue 14);
//   probe   with the intake, for an account with scrub_metadata off;
//   scrub   with the intake, for an account with it on: the tags are
//           blanked as the bytes stream to the sealer (mp4_blanker.h),
//           then probed and checked;
//   remux   the same file with a data track added (a timecode track, as
//           a timed-metadata location track would be): the blanking cannot
//           reach it, so the whole file is remuxed into a second sealed
//           blob. The worst case; the bar is not set for it.
//
// It prints the median of each, the ratios to plain, and the process's
// CPU time per MiB for each (the server's cost per unit of work: this
// runs in one process, with no client to be the limit).
//
//   lethe_ingest_bench [--mib N] [--rounds R] [--work-dir DIR]
//
// Exit: 0 whatever the figures, 2 when it cannot set up or the scrub did
// not change the file as it should.
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "adapters/local/data_dir_lock.h"
#include "adapters/local/file_audit_anchor.h"
#include "adapters/local/local_blob_store.h"
#include "adapters/sql/sql_key_store.h"
#include "adapters/sql/sql_metadata_store.h"
#include "adapters/sqlite/sqlite_database.h"
#include "crypto/keyed_id.h"
#include "domain/accounts.h"
#include "domain/audit_log.h"
#include "domain/consent_ledger.h"
#include "domain/customers.h"
#include "domain/key_ring.h"
#include "domain/media_intake.h"
#include "domain/media_library.h"
#include "domain/processing_gate.h"
#include "ports/clock.h"
#include "ports/random.h"

namespace lethe {
namespace {

using Steady = std::chrono::steady_clock;

struct Stores {
  std::string dir;
  std::optional<DataDirLock> lock;
  SystemClock clock;
  SystemRandom random;
  std::unique_ptr<MetadataStore> metadata;
  std::unique_ptr<KeyStore> keys;
  std::unique_ptr<BlobStore> blobs;
  std::unique_ptr<AuditAnchor> anchor;
  std::unique_ptr<AuditLog> audit;
  std::unique_ptr<Customers> customers;
  std::unique_ptr<Accounts> accounts;
  std::unique_ptr<KeyRing> key_ring;
  std::unique_ptr<KeyedIds> keyed_ids;
  std::unique_ptr<ConsentLedger> consents;
  std::unique_ptr<ProcessingGate> gate;
  std::unique_ptr<MediaIntake> intake;
  std::unique_ptr<MediaLibrary> plain;   // no intake
  std::unique_ptr<MediaLibrary> probed;  // with the intake
};

Status Open(Stores& s) {
  LETHE_ASSIGN_OR_RETURN(s.lock, DataDirLock::Acquire(s.dir));
  Key master = GenerateKey(s.random);
  KeyWiper wipe_master(master);
  LETHE_ASSIGN_OR_RETURN(auto key_conn, SqliteDatabase::Open(s.dir + "/keys.db", SqliteOptions{1}));
  LETHE_ASSIGN_OR_RETURN(s.keys, SqlKeyStore::Open(std::move(key_conn), s.clock));
  s.key_ring = std::make_unique<KeyRing>(master, *s.keys, s.random);
  LETHE_RETURN_IF_ERROR(s.key_ring->CheckMasterKey());
  LETHE_ASSIGN_OR_RETURN(auto meta_conn, SqliteDatabase::Open(s.dir + "/lethe.db"));
  LETHE_ASSIGN_OR_RETURN(s.metadata, SqlMetadataStore::Open(std::move(meta_conn), s.clock));
  LETHE_ASSIGN_OR_RETURN(s.blobs, LocalBlobStore::OpenAt(s.dir + "/media"));
  auto anchor = std::make_unique<FileAuditAnchor>(s.dir + "/audit.anchor");
  LETHE_RETURN_IF_ERROR(StatusOf(anchor->Load()));
  s.anchor = std::move(anchor);
  s.audit = std::make_unique<AuditLog>(*s.metadata, s.clock, s.random, s.anchor.get());
  s.customers = std::make_unique<Customers>(*s.metadata, *s.audit, s.clock, s.random);
  s.accounts = std::make_unique<Accounts>(*s.metadata, *s.audit, s.clock, s.random);
  s.keyed_ids = std::make_unique<KeyedIds>(master);
  s.consents =
      std::make_unique<ConsentLedger>(*s.metadata, *s.audit, *s.keyed_ids, s.clock, s.random);
  s.gate = std::make_unique<ProcessingGate>(*s.metadata, *s.consents);
  s.intake = std::make_unique<MediaIntake>(*s.gate, IntakeLimits{});
  const uint64_t max = 8ull << 30;
  s.plain = std::make_unique<MediaLibrary>(*s.metadata, *s.blobs, *s.key_ring, *s.audit,
                                           *s.keyed_ids, s.clock, s.random, max);
  s.probed = std::make_unique<MediaLibrary>(*s.metadata, *s.blobs, *s.key_ring, *s.audit,
                                            *s.keyed_ids, s.clock, s.random, max);
  s.probed->SetIntake(s.intake.get());
  return Status::Ok();
}

struct Cost {
  double seconds = 0;
  double cpu_seconds = 0;  // the whole process's, hashing thread included
};

double CpuNow() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// The time and CPU to ingest `bytes` as `who` through `library`.
Result<Cost> Ingest(MediaLibrary& library, const Principal& who, const std::vector<uint8_t>& bytes,
                    MediaRecord* out) {
  RequestOrigin origin{"bench", "203.0.113.77", "desktop", "Firefox", "120.0.1", "en", "GB"};
  const double cpu = CpuNow();
  const auto start = Steady::now();
  LETHE_ASSIGN_OR_RETURN(auto ingest, library.BeginIngest(who, "video/mp4", origin));
  constexpr size_t kPiece = 1 << 20;
  for (size_t at = 0; at < bytes.size(); at += kPiece) {
    const size_t n = std::min(kPiece, bytes.size() - at);
    LETHE_RETURN_IF_ERROR(ingest->Append(std::span<const uint8_t>(bytes.data() + at, n)));
  }
  LETHE_ASSIGN_OR_RETURN(*out, ingest->Commit(MediaFields{}));
  return Cost{std::chrono::duration<double>(Steady::now() - start).count(), CpuNow() - cpu};
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

std::string Fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

int Run(int mib, int rounds, const std::string& work_dir) {
  std::filesystem::create_directories(work_dir);
  std::string pattern = work_dir + "/ingest-bench.XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    std::cerr << "ingest-bench: cannot create a directory in " << work_dir << "\n";
    return 2;
  }
  const std::string dir = pattern;
  struct Cleanup {
    std::string dir;
    ~Cleanup() { std::filesystem::remove_all(dir); }
  } cleanup{dir};

  // A video of about `mib` MiB: H.264 at a bit rate that reaches it in
  // 40 seconds, with the tags a phone writes.
  const std::string mp4 = dir + "/phone.mp4";
  const int kbps = mib * 8 * 1024 / 40;
  const std::string make =
      "ffmpeg -nostdin -y -loglevel error -f lavfi -i testsrc2=size=1280x720:rate=30 -f lavfi "
      "-i sine=frequency=440 -t 40 -c:v libx264 -preset ultrafast -b:v " +
      std::to_string(kbps) + "k -minrate " + std::to_string(kbps) + "k -maxrate " +
      std::to_string(kbps) + "k -bufsize " + std::to_string(kbps / 2) +
      "k -c:a aac -metadata location=+48.8583+002.2945/ -metadata "
      "creation_time=2024-05-01T10:00:00Z -metadata make=Apple -metadata model=iPhone12 " +
      mp4;
  std::cerr << "ingest-bench: making a " << mib << " MiB MP4 with ffmpeg\n";
  if (std::system(make.c_str()) != 0) {
    std::cerr << "ingest-bench: ffmpeg failed\n";
    return 2;
  }
  // The same streams and tags plus a timecode (data) track.
  const std::string with_track = dir + "/phone-data-track.mp4";
  if (std::system(("ffmpeg -nostdin -y -loglevel error -i " + mp4 +
                   " -map 0 -c copy -timecode 00:00:00:00 " + with_track)
                      .c_str()) != 0) {
    std::cerr << "ingest-bench: ffmpeg failed\n";
    return 2;
  }
  auto slurp = [](const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::vector<uint8_t> b{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    std::filesystem::remove(path);
    return b;
  };
  const std::vector<uint8_t> bytes = slurp(mp4);
  const std::vector<uint8_t> tracked = slurp(with_track);

  Stores s;
  s.dir = dir + "/data";
  std::filesystem::create_directories(s.dir);
  auto fail = [](const std::string& what, const Status& st) {
    std::cerr << "ingest-bench: " << what << ": " << st.ToString() << "\n";
    return 2;
  };
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
  auto scrubbing = s.accounts->Create(signup->customer.id, "Scrubbing app", "eu", origin);
  auto keeping = s.accounts->Create(signup->customer.id, "Keeping app", "eu", origin);
  if (!scrubbing.ok() || !keeping.ok()) return fail("accounts", scrubbing.status());
  Accounts::Patch off;
  off.scrub_metadata = false;
  auto patched = s.accounts->Update(signup->customer.id, keeping->account.id, off, origin);
  if (!patched.ok()) return fail("scrub off", patched.status());
  Principal scrub_who{scrubbing->account, scrubbing->account.id};
  Principal keep_who{*patched, patched->id};

  struct Way {
    const char* name;
    MediaLibrary* library;
    const Principal* who;
    const std::vector<uint8_t>* bytes;
    std::vector<double> seconds, cpu_ms_per_mib;
    MediaRecord last;
  };
  Way ways[] = {{"plain", s.plain.get(), &scrub_who, &bytes, {}, {}, {}},
                {"probe", s.probed.get(), &keep_who, &bytes, {}, {}, {}},
                {"scrub", s.probed.get(), &scrub_who, &bytes, {}, {}, {}},
                {"remux", s.probed.get(), &scrub_who, &tracked, {}, {}, {}}};
  // The three the bar compares alternate, round by round; the remux runs
  // after them, so that its large buffers do not weigh on their figures.
  auto run = [&](std::span<Way> group, const char* label) -> Status {
    for (int r = 0; r < rounds + 1; ++r) {  // round 0 warms the caches, uncounted
      std::cerr << "ingest-bench: " << label << " round " << r << ":";
      for (Way& w : group) {
        LETHE_ASSIGN_OR_RETURN(Cost cost, Ingest(*w.library, *w.who, *w.bytes, &w.last));
        std::cerr << " " << w.name << " " << Fixed(cost.seconds, 3) << " s ("
                  << Fixed(cost.cpu_seconds, 3) << " s CPU)";
        if (r == 0) continue;
        const double mib = static_cast<double>(w.bytes->size()) / (1 << 20);
        w.seconds.push_back(cost.seconds);
        w.cpu_ms_per_mib.push_back(cost.cpu_seconds * 1000 / mib);
      }
      std::cerr << (r == 0 ? " (warm-up)\n" : "\n");
    }
    return Status::Ok();
  };
  if (Status st = run(std::span<Way>(ways, 3), "bar"); !st.ok()) return fail("ingest", st);
  if (Status st = run(std::span<Way>(ways + 3, 1), "remux"); !st.ok()) return fail("ingest", st);
  // The scrubbed records must say so, or the figures time nothing.
  if (ways[2].last.sha256 == ways[0].last.sha256 ||
      ways[2].last.bytes != static_cast<int64_t>(bytes.size()) ||
      ways[3].last.bytes == static_cast<int64_t>(tracked.size())) {
    std::cerr << "ingest-bench: the scrub did not do what it should (blanked " << ways[2].last.bytes
              << " of " << bytes.size() << " bytes, remuxed " << ways[3].last.bytes << " of "
              << tracked.size() << ")\n";
    return 2;
  }
  const double base = Median(ways[0].seconds);
  const double mib_in = static_cast<double>(bytes.size()) / (1 << 20);
  auto line = [&](const char* label, const Way& w, const char* what, bool bar) {
    const double ratio = Median(w.seconds) / base;
    std::cout << label << ": " << Fixed(mib_in, 1) << " MiB MP4 ingest plain " << Fixed(base, 3)
              << " s (" << Fixed(Median(ways[0].cpu_ms_per_mib), 2) << " ms CPU/MiB), " << what
              << " " << Fixed(Median(w.seconds), 3) << " s (" << Fixed(Median(w.cpu_ms_per_mib), 2)
              << " ms CPU/MiB), ratio " << Fixed(ratio, 3);
    if (bar) {
      std::cout << " (bar <= 1.10) " << (ratio <= 1.10 ? "MET" : "MISSED");
    } else {
      std::cout << " (worst case, reported)";
    }
    std::cout << ", median of " << rounds << " rounds\n";
  };
  line("ingest-probe", ways[1], "with probe", true);
  line("ingest-scrub", ways[2], "with probe+scrub (blanked in the stream)", true);
  line("ingest-scrub-remux", ways[3], "with a data track, probe+scrub (remux)", false);
  return 0;
}

}  // namespace
}  // namespace lethe

int main(int argc, char** argv) {
  int mib = 100;
  int rounds = 3;
  std::string work_dir = "bench/out";
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--mib") mib = std::atoi(argv[i + 1]);
    if (flag == "--rounds") rounds = std::max(1, std::atoi(argv[i + 1]));
    if (flag == "--work-dir") work_dir = argv[i + 1];
  }
  return lethe::Run(std::max(1, mib), rounds, work_dir);
}
