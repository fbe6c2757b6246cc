// lethe: the command line.
//   lethe serve [--listen HOST:PORT] [--data DIR] [--master-key-file FILE]
//               [--max-body BYTES] [--max-media-bytes BYTES] [--scrub-max-bytes BYTES]
//               [--threads N]
//               [--blocking-threads N] [--max-connections N] [--min-rate BYTES_PER_S]
//               [--rate-grace SECONDS] [--request-deadline SECONDS] [--smtp-url URL]
//               [--mail-from ADDRESS] [--erasure-journal FILE] [--backup-dir DIR]
//               [--backup-keys DIR] [--backup-every-hours N] [--backup-max-age-days N]
//               [--checkpoint-origin NAME] [--retention-{other,support,crm,invoice}-days N]
//               [--metadata postgres://...] [--keys postgres://...]
//               [--session-max-days DAYS] [--session-idle-minutes MINUTES]
//               [--sms-outbox DIR | --sms-url URL --sms-token-file FILE]
//               [--blobs s3://BUCKET[/PREFIX]?endpoint=URL&region=REGION]
//               [--known-bad-hashes FILE] [--abuse-threshold N] [--abuse-upload-floor N]
//               [--abuse-upload-factor N] [--abuse-auth-failures N]
//               [--abuse-end-users-per-ip N]
//               [--region us|eu=listen:HOST:PORT[,data:DIR][,metadata:URL][,keys:URL]
//                [,blobs:URL][,master-key:FILE][,public-url:URL][,backups:DIR]
//                [,backup-keys:DIR][,journal:FILE]]...  (cells per region, region_cells.h)
//   lethe audit verify [--data DIR] [--metadata postgres://...]
//   lethe retention plan [--data DIR] [--account ID] [--metadata postgres://...]
//   lethe privacy metrics --year N [--data DIR] [--metadata postgres://...]
//   lethe staff add --role ROLE --name NAME [--data DIR] [--metadata postgres://...]
//                   [--keys postgres://...]
//   lethe policy publish --file F --effective YYYY-MM-DD [--material] [--data DIR]
//                        [--metadata postgres://...]
//   lethe backup create [--data DIR] [--backup-dir DIR] [--backup-keys DIR]
//                       [--master-key-file FILE] [--backup-max-age-days N]
//   lethe backup restore BACKUP --data NEWDIR [--master-key-file FILE]
//                        [--backup-keys DIR] [--erasure-journal FILE]
//   lethe receipt verify FILE --key PUBKEY
//   lethe checkpoint verify OLD NEW --key PUBKEY [--proof FILE]
// LETHE_LISTEN, LETHE_DATA, LETHE_MASTER_KEY_FILE, LETHE_MASTER_KEY,
// LETHE_SMTP_URL, LETHE_CHECKPOINT_ORIGIN, LETHE_METADATA, LETHE_KEYS and
// LETHE_BLOBS set the same things, LETHE_REGION_US and LETHE_REGION_EU the
// fields of --region (S3 credentials: AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY); flags win over the environment. The verify
// commands work offline (offline_verify.h).
//
// Built with LETHE_TEST_SEAMS this is `lethe_testing`, for e2e tests only:
// `serve --test-clock` runs on an OffsetClock that POST /_test/clock moves
// forward, and `serve --crash-at POINT` kills the process with SIGKILL
// right after the named step (testing/crashing_key_store.h). `lethe`
// itself is built without them and refuses both flags.
#include <malloc.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/backup_commands.h"
#include "app/lethe_server.h"
#include "app/offline_verify.h"
#include "app/policy_cli.h"
#include "app/region_cells.h"
#include "app/staff_cli.h"
#include "media/worker_main.h"
#ifdef LETHE_TEST_SEAMS
#include "testing/crashing_key_store.h"
#include "testing/route_table.h"
#include "testing/test_clock.h"
#endif

namespace {

constexpr const char* kUsage =
    "usage:\n"
    "  lethe serve [--listen HOST:PORT] [--data DIR] [--master-key-file FILE]\n"
    "              [--max-body BYTES] [--max-media-bytes BYTES] [--scrub-max-bytes BYTES]\n"
    "              [--threads N]\n"
    "              [--blocking-threads N] [--max-connections N] [--min-rate BYTES_PER_S]\n"
    "              [--rate-grace SECONDS] [--request-deadline SECONDS] [--smtp-url URL]\n"
    "              [--mail-from ADDRESS] [--public-url URL] [--erasure-journal FILE]\n"
    "              [--portal DIR] [--embeds DIR]\n"
    "              [--backup-dir DIR] [--media-workers N] [--media-worker-cpu-seconds S]\n"
    "              [--media-max-minutes M] [--transcode-cpu-seconds S]\n"
    "              [--max-rendition-bytes BYTES]\n"
    "              [--backup-keys DIR] [--backup-every-hours N] [--backup-max-age-days N]\n"
    "              [--checkpoint-origin NAME] [--blobs s3://BUCKET?endpoint=URL&region=R]\n"
    "              [--retention-{other,support,crm,invoice}-days DAYS]\n"
    "              [--metadata postgres://...] [--keys postgres://...]\n"
    "              [--session-max-days DAYS] [--session-idle-minutes MINUTES]\n"
    "              [--sms-outbox DIR | --sms-url URL --sms-token-file FILE]\n"
    "              [--known-bad-hashes FILE] [--abuse-threshold N] [--abuse-upload-floor N]\n"
    "              [--abuse-upload-factor N] [--abuse-auth-failures N]\n"
    "              [--abuse-end-users-per-ip N]\n"
    "              [--region us|eu=listen:HOST:PORT[,data:DIR][,metadata:URL][,keys:URL]\n"
    "                 [,blobs:URL][,master-key:FILE][,public-url:URL][,backups:DIR]\n"
    "                 [,backup-keys:DIR][,journal:FILE]]...\n"
    "  lethe audit verify [--data DIR] [--metadata postgres://...]\n"
    "  lethe retention plan [--data DIR] [--account ID] [--metadata postgres://...]\n"
    "              [--retention-{other,support,crm,invoice}-days DAYS]\n"
    "  lethe privacy metrics --year N [--data DIR] [--metadata postgres://...]\n"
    "  lethe staff add --role support|security|legal|admin --name NAME [--data DIR]\n"
    "                  [--metadata postgres://...] [--keys postgres://...]\n"
    "  lethe policy publish --file FILE --effective YYYY-MM-DD [--material] [--data DIR]\n"
    "                       [--metadata postgres://...]\n"
    "  lethe backup create [--data DIR] [--backup-dir DIR] [--backup-keys DIR]\n"
    "                      [--master-key-file FILE] [--backup-max-age-days N]\n"
    "  lethe backup restore BACKUP --data NEWDIR [--master-key-file FILE]\n"
    "                       [--backup-keys DIR] [--erasure-journal FILE]\n"
    "  lethe receipt verify FILE --key PUBKEY\n"
    "  lethe checkpoint verify OLD NEW --key PUBKEY [--proof FILE]\n";

// The flags of `serve` that take a value.
constexpr std::array<std::string_view, 47> kValueFlags = {"--listen",
                                                          "--portal",
                                                          "--embeds",
                                                          "--region",
                                                          "--sms-outbox",
                                                          "--sms-url",
                                                          "--sms-token-file",
                                                          "--known-bad-hashes",
                                                          "--abuse-threshold",
                                                          "--abuse-upload-floor",
                                                          "--abuse-upload-factor",
                                                          "--abuse-auth-failures",
                                                          "--abuse-end-users-per-ip",
                                                          "--session-max-days",
                                                          "--session-idle-minutes",
                                                          "--public-url",
                                                          "--metadata",
                                                          "--keys",
                                                          "--data",
                                                          "--master-key-file",
                                                          "--max-body",
                                                          "--max-media-bytes",
                                                          "--scrub-max-bytes",
                                                          "--threads",
                                                          "--media-workers",
                                                          "--media-worker-cpu-seconds",
                                                          "--media-max-minutes",
                                                          "--transcode-cpu-seconds",
                                                          "--max-rendition-bytes",
                                                          "--min-rate",
                                                          "--max-connections",
                                                          "--blocking-threads",
                                                          "--rate-grace",
                                                          "--smtp-url",
                                                          "--mail-from",
                                                          "--request-deadline",
                                                          "--erasure-journal",
                                                          "--retention-other-days",
                                                          "--retention-support-days",
                                                          "--retention-crm-days",
                                                          "--retention-invoice-days",
                                                          "--backup-dir",
                                                          "--backup-keys",
                                                          "--backup-every-hours",
                                                          "--backup-max-age-days",
                                                          "--checkpoint-origin",
                                                          "--blobs"};

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

bool ParseCount(const std::string& text, uint64_t& out) {
  try {
    size_t used = 0;
    unsigned long long v = std::stoull(text, &used);
    if (used != text.size() || text.empty() || text[0] == '-') return false;
    out = v;
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

// One of the --retention-*-days flags into `classes`; false for any other
// flag or a bad number.
bool ParseRetentionFlag(const std::string& flag, const std::string& value,
                        lethe::RetentionClasses& classes) {
  uint64_t days = 0;
  if (flag.rfind("--retention-", 0) != 0 || !ParseCount(value, days) || days > 36500) return false;
  int64_t d = static_cast<int64_t>(days);
  if (flag == "--retention-other-days") {
    classes.other_days = d;
  } else if (flag == "--retention-support-days") {
    classes.support_days = d;
  } else if (flag == "--retention-crm-days") {
    classes.crm_days = d;
  } else if (flag == "--retention-invoice-days") {
    classes.invoice_days = d;
  } else {
    return false;
  }
  return true;
}

int RetentionPlan(const std::vector<std::string>& args) {
  std::string data = Env("LETHE_DATA").empty() ? "./data" : Env("LETHE_DATA");
  std::string metadata = Env("LETHE_METADATA");
  std::optional<std::string> account;
  lethe::RetentionClasses classes;
  for (size_t i = 0; i < args.size(); ++i) {
    if (i + 1 >= args.size()) {
      std::cerr << kUsage;
      return 2;
    }
    const std::string& flag = args[i];
    const std::string& value = args[++i];
    if (flag == "--data") {
      data = value;
    } else if (flag == "--account") {
      account = value;
    } else if (flag == "--metadata") {
      metadata = value;
    } else if (!ParseRetentionFlag(flag, value, classes)) {
      std::cerr << "lethe: bad option " << flag << " " << value << "\n" << kUsage;
      return 2;
    }
  }
  if (lethe::Status st = classes.Check(); !st.ok()) {
    std::cerr << "lethe: " << st.ToString() << "\n";
    return 2;
  }
  return lethe::PrintRetentionPlan(data, account, classes, metadata);
}

int Serve(const std::vector<std::string>& args) {
  lethe::ServeConfig config;
  // Media workers are this binary run as `lethe worker ...`: the path is
  // resolved now, so a later upgrade in place does not swap it mid-run.
  {
    std::error_code ec;
    auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) config.media_worker = self.string();
    // The portal the build put beside the binary (CMake: <build>/portal),
    // unless --portal names another.
    if (!ec && std::filesystem::exists(self.parent_path() / "portal" / "index.html", ec)) {
      config.portal_dir = (self.parent_path() / "portal").string();
    }
    // Likewise the embeds (CMake: <build>/embed), unless --embeds names others.
    if (!ec && std::filesystem::exists(self.parent_path() / "embed" / "index.html", ec)) {
      config.embeds_dir = (self.parent_path() / "embed").string();
    }
  }
  if (auto v = Env("LETHE_LISTEN"); !v.empty()) config.listen = v;
  if (auto v = Env("LETHE_DATA"); !v.empty()) config.data_dir = v;
  config.master_key_file = Env("LETHE_MASTER_KEY_FILE");
  config.master_key_hex = Env("LETHE_MASTER_KEY");
  // The relay URL may carry a password: the environment keeps it out of ps.
  config.smtp_url = Env("LETHE_SMTP_URL");
  // PostgreSQL conninfos: the same (a password stays out of ps).
  config.metadata_url = Env("LETHE_METADATA");
  config.keys_url = Env("LETHE_KEYS");
  if (auto v = Env("LETHE_CHECKPOINT_ORIGIN"); !v.empty()) config.checkpoint_origin = v;
  config.blobs.url = Env("LETHE_BLOBS");
  config.blobs.access_key = Env("AWS_ACCESS_KEY_ID");
  config.blobs.secret_key = Env("AWS_SECRET_ACCESS_KEY");
  // Cells per region (XFR-1): LETHE_REGION_US / LETHE_REGION_EU hold the
  // fields of --region (a conninfo's password stays out of ps).
  std::vector<lethe::CellSpec> cells;
  for (const char* region : {"us", "eu"}) {
    std::string var = std::string("LETHE_REGION_") + (region[0] == 'u' ? "US" : "EU");
    if (std::string fields = Env(var.c_str()); !fields.empty()) {
      auto cell = lethe::ParseCellFields(region, fields);
      if (!cell.ok()) {
        std::cerr << "lethe: " << var << ": " << cell.status().message() << "\n";
        return 2;
      }
      cells.push_back(std::move(*cell));
    }
  }
#ifdef LETHE_TEST_SEAMS
  bool test_clock = false;
  std::string crash_at;
#endif
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& flag = args[i];
#ifdef LETHE_TEST_SEAMS
    if (flag == "--test-clock") {
      test_clock = true;
      continue;
    }
    if (flag == "--crash-at") {
      if (i + 1 >= args.size() || !lethe::CrashPointSlotPrefix(args[i + 1])) {
        std::cerr << "lethe: --crash-at needs one of: " << lethe::CrashPointNames() << "\n";
        return 2;
      }
      crash_at = args[++i];
      continue;
    }
#endif
    if (std::find(kValueFlags.begin(), kValueFlags.end(), flag) == kValueFlags.end()) {
      std::cerr << "lethe: bad option " << flag << "\n" << kUsage;
      return 2;
    }
    if (i + 1 >= args.size()) {
      std::cerr << "lethe: " << flag << " needs a value\n" << kUsage;
      return 2;
    }
    const std::string& value = args[++i];
    uint64_t n = 0;
    if (flag == "--region") {
      auto cell = lethe::ParseCellSpec(value);
      if (!cell.ok()) {
        std::cerr << "lethe: " << cell.status().message() << "\n" << kUsage;
        return 2;
      }
      cells.push_back(std::move(*cell));
    } else if (flag == "--listen") {
      config.listen = value;
    } else if (flag == "--data") {
      config.data_dir = value;
    } else if (flag == "--master-key-file") {
      config.master_key_file = value;
    } else if (flag == "--max-body" && ParseCount(value, n)) {
      config.max_json_body = n;
    } else if (flag == "--max-media-bytes" && ParseCount(value, n)) {
      config.max_media_bytes = n;
    } else if (flag == "--scrub-max-bytes" && ParseCount(value, n) && n > 0) {
      config.scrub_max_bytes = n;
    } else if (flag == "--media-workers" && ParseCount(value, n) && n <= 64) {
      config.media_workers = static_cast<int>(n);
    } else if (flag == "--media-worker-cpu-seconds" && ParseCount(value, n) && n > 0 &&
               n <= 86400) {
      config.media_worker_limits.cpu_seconds = static_cast<int>(n);
    } else if (flag == "--media-max-minutes" && ParseCount(value, n) && n > 0 && n <= 100000) {
      config.media_max_minutes = static_cast<int>(n);
    } else if (flag == "--transcode-cpu-seconds" && ParseCount(value, n) && n > 0 && n <= 86400) {
      config.media_worker_limits.transcode_cpu_seconds = static_cast<int>(n);
    } else if (flag == "--max-rendition-bytes" && ParseCount(value, n) && n > 0) {
      config.media_worker_limits.max_rendition_bytes = n;
    } else if (flag == "--threads" && ParseCount(value, n) && n > 0 && n <= 256) {
      config.threads = static_cast<int>(n);
    } else if (flag == "--blocking-threads" && ParseCount(value, n) && n > 0 && n <= 1024) {
      config.blocking_threads = static_cast<int>(n);
    } else if (flag == "--max-connections" && ParseCount(value, n) && n > 0) {
      config.max_connections = n;
    } else if (flag == "--min-rate" && ParseCount(value, n) && n > 0) {
      config.min_rate = n;
    } else if (flag == "--rate-grace" && ParseCount(value, n) && n > 0 && n <= 86400) {
      config.rate_grace_seconds = n;
    } else if (flag == "--smtp-url") {
      config.smtp_url = value;
    } else if (flag == "--metadata") {
      config.metadata_url = value;
    } else if (flag == "--keys") {
      config.keys_url = value;
    } else if (flag == "--mail-from") {
      config.mail_from = value;
    } else if (flag == "--sms-outbox") {
      config.sms_outbox = value;
    } else if (flag == "--sms-url") {
      config.sms_url = value;
    } else if (flag == "--sms-token-file") {
      config.sms_token_file = value;
    } else if (flag == "--public-url") {
      config.public_url = value;
    } else if (flag == "--portal") {
      config.portal_dir = value;
    } else if (flag == "--embeds") {
      config.embeds_dir = value;
    } else if (flag == "--erasure-journal") {
      config.erasure_journal = value;
    } else if (flag == "--checkpoint-origin") {
      config.checkpoint_origin = value;
    } else if (flag == "--blobs") {
      config.blobs.url = value;
    } else if (ParseRetentionFlag(flag, value, config.retention)) {
    } else if (flag == "--request-deadline" && ParseCount(value, n) && n > 0 && n <= 7 * 86400) {
      config.request_deadline_seconds = n;
    } else if (flag == "--backup-dir") {
      config.backup_dir = value;
    } else if (flag == "--backup-keys") {
      config.backup_keys = value;
    } else if (flag == "--backup-every-hours" && ParseCount(value, n) && n <= 24 * 366) {
      config.backup_every_hours = static_cast<int>(n);
    } else if (flag == "--session-max-days" && ParseCount(value, n) && n > 0 && n <= 3650) {
      config.session_max_days = static_cast<int64_t>(n);
    } else if (flag == "--session-idle-minutes" && ParseCount(value, n) && n > 0 &&
               n <= 3650 * 24 * 60) {
      config.session_idle_minutes = static_cast<int64_t>(n);
    } else if (flag == "--backup-max-age-days" && ParseCount(value, n) && n > 0 && n <= 36500) {
      config.backup_max_age_days = static_cast<int>(n);
    } else if (flag == "--known-bad-hashes") {
      config.known_bad_hashes = value;
    } else if (flag == "--abuse-threshold" && ParseCount(value, n) && n > 0 && n <= 1'000'000) {
      config.abuse.threshold = static_cast<int64_t>(n);
    } else if (flag == "--abuse-upload-floor" && ParseCount(value, n) && n > 0 && n <= 1'000'000) {
      config.abuse.upload_floor = static_cast<int64_t>(n);
    } else if (flag == "--abuse-upload-factor" && ParseCount(value, n) && n > 0 && n <= 1000) {
      config.abuse.upload_factor = static_cast<int64_t>(n);
    } else if (flag == "--abuse-auth-failures" && ParseCount(value, n) && n > 0 && n <= 1'000'000) {
      config.abuse.auth_failures = static_cast<int64_t>(n);
    } else if (flag == "--abuse-end-users-per-ip" && ParseCount(value, n) && n > 0 &&
               n <= 1'000'000) {
      config.abuse.end_users_per_ip = static_cast<int64_t>(n);
    } else {
      std::cerr << "lethe: bad option " << flag << " " << value << "\n" << kUsage;
      return 2;
    }
  }
  lethe::SystemClock system_clock;
  lethe::Clock* clock = &system_clock;
  lethe::SystemRandom random;
  lethe::PortSeams seams;
#ifdef LETHE_TEST_SEAMS
  lethe::OffsetClock offset_clock;
  if (test_clock) {
    clock = &offset_clock;
    seams.add_routes = [&offset_clock](lethe::Router& router) {
      lethe::AddTestClockRoutes(router, offset_clock);
      lethe::AddRouteTableRoute(router);
    };
    std::cerr << "lethe: test clock on (POST /_test/clock); never run this in production\n";
  }
  if (!crash_at.empty()) {
    std::string prefix = *lethe::CrashPointSlotPrefix(crash_at);
    seams.wrap_keys = [prefix](std::unique_ptr<lethe::KeyStore> keys) {
      return std::make_unique<lethe::CrashingKeyStore>(std::move(keys), prefix);
    };
    std::cerr << "lethe: crash seam armed: SIGKILL at " << crash_at
              << "; never run this in production\n";
  }
#endif
  if (!cells.empty()) {
    auto started = lethe::RegionCells::Start(config, cells, *clock, random,
                                             [&seams](const std::string&) { return seams; });
    if (!started.ok()) {
      std::cerr << "lethe: cannot start: " << started.status().ToString() << "\n";
      return 1;
    }
    for (const std::string& region : (*started)->regions()) {
      std::cout << "lethe: listening on " << (*started)->endpoint(region) << " (region " << region
                << ")" << std::endl;
    }
    (*started)->Run();
    std::cerr << "lethe: stopped\n";
    return 0;
  }
  auto server = lethe::LetheServer::Start(config, *clock, random, seams);
  if (!server.ok()) {
    std::cerr << "lethe: cannot start: " << server.status().ToString() << "\n";
    return 1;
  }
  std::cout << "lethe: listening on " << (*server)->endpoint() << std::endl;
  (*server)->Run();
  std::cerr << "lethe: stopped\n";
  return 0;
}

// `lethe staff add --role ROLE --name NAME [--data DIR]`, on a stopped server.
int StaffAdd(const std::vector<std::string>& args) {
  std::string data = Env("LETHE_DATA").empty() ? "./data" : Env("LETHE_DATA");
  std::string metadata = Env("LETHE_METADATA");
  std::string keys = Env("LETHE_KEYS");
  std::string role;
  std::string name;
  bool has_name = false;
  for (size_t i = 0; i + 1 < args.size(); i += 2) {
    if (args[i] == "--data") {
      data = args[i + 1];
    } else if (args[i] == "--role") {
      role = args[i + 1];
    } else if (args[i] == "--name") {
      name = args[i + 1];
      has_name = true;
    } else if (args[i] == "--metadata") {
      metadata = args[i + 1];
    } else if (args[i] == "--keys") {
      keys = args[i + 1];
    } else {
      std::cerr << "lethe: bad option " << args[i] << "\n" << kUsage;
      return 2;
    }
  }
  if (args.size() % 2 != 0 || role.empty() || !has_name) {
    std::cerr << "lethe: staff add needs --role and --name\n" << kUsage;
    return 2;
  }
  return lethe::AddStaffMember(data, role, name, Env("LETHE_MASTER_KEY"),
                               Env("LETHE_MASTER_KEY_FILE"), metadata, keys, std::cout, std::cerr);
}

// `lethe policy publish --file F --effective YYYY-MM-DD [--material]
// [--data DIR]`, on a stopped server.
int PolicyPublish(const std::vector<std::string>& args) {
  std::string data = Env("LETHE_DATA").empty() ? "./data" : Env("LETHE_DATA");
  std::string metadata = Env("LETHE_METADATA");
  std::string file;
  std::string effective;
  bool material = false;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--material") {
      material = true;
    } else if (i + 1 < args.size() && args[i] == "--data") {
      data = args[++i];
    } else if (i + 1 < args.size() && args[i] == "--file") {
      file = args[++i];
    } else if (i + 1 < args.size() && args[i] == "--metadata") {
      metadata = args[++i];
    } else if (i + 1 < args.size() && args[i] == "--effective") {
      effective = args[++i];
    } else {
      std::cerr << "lethe: bad option " << args[i] << "\n" << kUsage;
      return 2;
    }
  }
  if (file.empty() || effective.empty()) {
    std::cerr << "lethe: policy publish needs --file and --effective\n" << kUsage;
    return 2;
  }
  return lethe::PublishPolicy(data, file, effective, material, metadata, std::cout, std::cerr);
}

// `lethe backup create|restore ...`: `args` starts after "backup".
int Backup(const std::vector<std::string>& args) {
  if (args.empty() || (args[0] != "create" && args[0] != "restore")) {
    std::cerr << kUsage;
    return 2;
  }
  bool restore = args[0] == "restore";
  lethe::BackupCommand cmd;
  cmd.data_dir = Env("LETHE_DATA").empty() ? "./data" : Env("LETHE_DATA");
  cmd.master_key_file = Env("LETHE_MASTER_KEY_FILE");
  cmd.master_key_hex = Env("LETHE_MASTER_KEY");
  bool data_given = false;
  size_t i = 1;
  if (restore) {
    if (args.size() < 2 || args[1].rfind("--", 0) == 0) {
      std::cerr << "lethe: backup restore needs the backup's directory\n" << kUsage;
      return 2;
    }
    cmd.backup = args[1];
    i = 2;
  }
  for (; i < args.size(); i += 2) {
    const std::string& flag = args[i];
    if (i + 1 >= args.size()) {
      std::cerr << "lethe: " << flag << " needs a value\n" << kUsage;
      return 2;
    }
    const std::string& value = args[i + 1];
    uint64_t n = 0;
    if (flag == "--data") {
      cmd.data_dir = value;
      data_given = true;
    } else if (flag == "--backup-keys") {
      cmd.backup_keys = value;
    } else if (flag == "--master-key-file") {
      cmd.master_key_file = value;
    } else if (flag == "--erasure-journal") {
      cmd.erasure_journal = value;
    } else if (flag == "--backup-dir" && !restore) {
      cmd.backup_dir = value;
    } else if (flag == "--backup-max-age-days" && ParseCount(value, n) && n > 0 && n <= 36500) {
      cmd.max_age_days = static_cast<int>(n);
    } else {
      std::cerr << "lethe: bad option " << flag << " " << value << "\n" << kUsage;
      return 2;
    }
  }
  if (restore && !data_given) {
    std::cerr << "lethe: backup restore needs --data NEWDIR\n" << kUsage;
    return 2;
  }
  return restore ? lethe::RestoreBackupCommand(cmd) : lethe::CreateBackupCommand(cmd);
}

}  // namespace

int main(int argc, char** argv) {
  // Requests use buffers of a few hundred KiB (body pieces, cipher chunks).
  // By default glibc serves each with a fresh mmap, or trims the arena it
  // came from, so every request paid page faults and zeroing again: keep
  // such buffers in the heap for reuse (about 20% more small uploads/s).
  mallopt(M_MMAP_THRESHOLD, 8 << 20);
  mallopt(M_TRIM_THRESHOLD, 128 << 20);
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && args[0] == "worker") {
    return lethe::RunMediaWorker(std::vector<std::string>(args.begin() + 1, args.end()));
  }
  if (!args.empty() && args[0] == "serve") {
    return Serve(std::vector<std::string>(args.begin() + 1, args.end()));
  }
  if (args.size() >= 2 && args[0] == "retention" && args[1] == "plan") {
    return RetentionPlan(std::vector<std::string>(args.begin() + 2, args.end()));
  }
  if (args.size() >= 2 && args[0] == "privacy" && args[1] == "metrics") {
    std::string data = Env("LETHE_DATA").empty() ? "./data" : Env("LETHE_DATA");
    std::string metadata = Env("LETHE_METADATA");
    uint64_t year = 0;
    for (size_t i = 2; i < args.size(); i += 2) {
      if (i + 1 < args.size() && args[i] == "--data") {
        data = args[i + 1];
      } else if (i + 1 < args.size() && args[i] == "--metadata") {
        metadata = args[i + 1];
      } else if (i + 1 < args.size() && args[i] == "--year" && ParseCount(args[i + 1], year)) {
      } else {
        std::cerr << kUsage;
        return 2;
      }
    }
    if (year == 0) {
      std::cerr << "lethe: privacy metrics needs --year N\n" << kUsage;
      return 2;
    }
    return lethe::PrintPrivacyMetrics(data, static_cast<int>(year), metadata);
  }
  if (!args.empty() && args[0] == "backup") {
    return Backup(std::vector<std::string>(args.begin() + 1, args.end()));
  }
  if (args.size() >= 2 && args[0] == "audit" && args[1] == "verify") {
    std::string data = Env("LETHE_DATA").empty() ? "./data" : Env("LETHE_DATA");
    std::string metadata = Env("LETHE_METADATA");
    for (size_t i = 2; i < args.size(); i += 2) {
      if (i + 1 < args.size() && args[i] == "--data") {
        data = args[i + 1];
      } else if (i + 1 < args.size() && args[i] == "--metadata") {
        metadata = args[i + 1];
      } else {
        std::cerr << kUsage;
        return 2;
      }
    }
    return lethe::VerifyAuditChain(data, metadata);
  }
  if (args.size() >= 2 && args[0] == "staff" && args[1] == "add") {
    return StaffAdd(std::vector<std::string>(args.begin() + 2, args.end()));
  }
  if (args.size() >= 2 && args[0] == "policy" && args[1] == "publish") {
    return PolicyPublish(std::vector<std::string>(args.begin() + 2, args.end()));
  }
  if (args.size() >= 2 && args[0] == "receipt" && args[1] == "verify") {
    return lethe::ReceiptVerifyCommand(std::vector<std::string>(args.begin() + 2, args.end()));
  }
  if (args.size() >= 2 && args[0] == "checkpoint" && args[1] == "verify") {
    return lethe::CheckpointVerifyCommand(std::vector<std::string>(args.begin() + 2, args.end()));
  }
  std::cerr << kUsage;
  return 2;
}
