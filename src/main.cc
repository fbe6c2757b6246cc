// lethe: the command line.
//   lethe serve [--listen HOST:PORT] [--data DIR] [--master-key-file FILE]
//               [--max-body BYTES] [--max-media-bytes BYTES] [--threads N]
//               [--blocking-threads N] [--max-connections N] [--min-rate BYTES_PER_S]
//               [--rate-grace SECONDS] [--request-deadline SECONDS] [--smtp-url URL]
//               [--mail-from ADDRESS] [--checkpoint-origin NAME]
//   lethe audit verify [--data DIR]
//   lethe receipt verify FILE --key PUBKEY
//   lethe checkpoint verify OLD NEW --key PUBKEY [--proof FILE]
// LETHE_LISTEN, LETHE_DATA, LETHE_MASTER_KEY_FILE, LETHE_MASTER_KEY,
// LETHE_SMTP_URL and LETHE_CHECKPOINT_ORIGIN set the same things; flags win
// over the environment. The verify commands work offline (offline_verify.h).
//
// Built with LETHE_TEST_SEAMS this is `lethe_testing`, for e2e tests only:
// `serve --test-clock` runs on an OffsetClock that POST /_test/clock moves
// forward. `lethe` itself is built without it and refuses the flag.
#include <malloc.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "app/lethe_server.h"
#include "app/offline_verify.h"
#ifdef LETHE_TEST_SEAMS
#include "testing/test_clock.h"
#endif

namespace {

constexpr const char* kUsage =
    "usage:\n"
    "  lethe serve [--listen HOST:PORT] [--data DIR] [--master-key-file FILE]\n"
    "              [--max-body BYTES] [--max-media-bytes BYTES] [--threads N]\n"
    "              [--blocking-threads N] [--max-connections N] [--min-rate BYTES_PER_S]\n"
    "              [--rate-grace SECONDS] [--request-deadline SECONDS] [--smtp-url URL]\n"
    "              [--mail-from ADDRESS] [--checkpoint-origin NAME]\n"
    "  lethe audit verify [--data DIR]\n"
    "  lethe receipt verify FILE --key PUBKEY\n"
    "  lethe checkpoint verify OLD NEW --key PUBKEY [--proof FILE]\n";

// The flags of `serve` that take a value.
constexpr std::array<std::string_view, 14> kValueFlags = {
    "--listen",   "--data",      "--master-key-file",  "--max-body",         "--max-media-bytes",
    "--threads",  "--min-rate",  "--max-connections",  "--blocking-threads", "--rate-grace",
    "--smtp-url", "--mail-from", "--request-deadline", "--checkpoint-origin"};

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

int Serve(const std::vector<std::string>& args) {
  lethe::ServeConfig config;
  if (auto v = Env("LETHE_LISTEN"); !v.empty()) config.listen = v;
  if (auto v = Env("LETHE_DATA"); !v.empty()) config.data_dir = v;
  config.master_key_file = Env("LETHE_MASTER_KEY_FILE");
  config.master_key_hex = Env("LETHE_MASTER_KEY");
  // The relay URL may carry a password: the environment keeps it out of ps.
  config.smtp_url = Env("LETHE_SMTP_URL");
  if (auto v = Env("LETHE_CHECKPOINT_ORIGIN"); !v.empty()) config.checkpoint_origin = v;
#ifdef LETHE_TEST_SEAMS
  bool test_clock = false;
#endif
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& flag = args[i];
#ifdef LETHE_TEST_SEAMS
    if (flag == "--test-clock") {
      test_clock = true;
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
    if (flag == "--listen") {
      config.listen = value;
    } else if (flag == "--data") {
      config.data_dir = value;
    } else if (flag == "--master-key-file") {
      config.master_key_file = value;
    } else if (flag == "--max-body" && ParseCount(value, n)) {
      config.max_json_body = n;
    } else if (flag == "--max-media-bytes" && ParseCount(value, n)) {
      config.max_media_bytes = n;
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
    } else if (flag == "--mail-from") {
      config.mail_from = value;
    } else if (flag == "--checkpoint-origin") {
      config.checkpoint_origin = value;
    } else if (flag == "--request-deadline" && ParseCount(value, n) && n > 0 && n <= 7 * 86400) {
      config.request_deadline_seconds = n;
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
    };
    std::cerr << "lethe: test clock on (POST /_test/clock); never run this in production\n";
  }
#endif
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

}  // namespace

int main(int argc, char** argv) {
  // Requests use buffers of a few hundred KiB (body pieces, cipher chunks).
  // By default glibc serves each with a fresh mmap, or trims the arena it
  // came from, so every request paid page faults and zeroing again: keep
  // such buffers in the heap for reuse (about 20% more small uploads/s).
  mallopt(M_MMAP_THRESHOLD, 8 << 20);
  mallopt(M_TRIM_THRESHOLD, 128 << 20);
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && args[0] == "serve") {
    return Serve(std::vector<std::string>(args.begin() + 1, args.end()));
  }
  if (args.size() >= 2 && args[0] == "audit" && args[1] == "verify") {
    std::string data = Env("LETHE_DATA").empty() ? "./data" : Env("LETHE_DATA");
    if (args.size() == 4 && args[2] == "--data")
      data = args[3];
    else if (args.size() != 2) {
      std::cerr << kUsage;
      return 2;
    }
    return lethe::VerifyAuditChain(data);
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
