#include "adapters/local/file_erasure_journal.h"

#include <fcntl.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>

namespace lethe {

namespace json = boost::json;

Status FileErasureJournal::Append(const JournalEntry& e) {
  json::object o{{"erasure", e.erasure_id},
                 {"scope", e.scope},
                 {"account", e.account},
                 {"target", e.target},
                 {"at_ms", e.at_ms}};
  std::string line = json::serialize(o) + "\n";
  std::lock_guard<std::mutex> lock(mu_);
  int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return Status::Internal("erasure journal " + path_ + ": " + std::strerror(errno));
  bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) &&
            ::fdatasync(fd) == 0;
  int err = errno;
  ::close(fd);
  if (!ok) return Status::Internal("erasure journal " + path_ + ": " + std::strerror(err));
  return Status::Ok();
}

Result<std::vector<JournalEntry>> FileErasureJournal::ReadAll() {
  std::vector<JournalEntry> out;
  std::ifstream in(path_);
  if (!in) return out;
  std::string line;
  while (std::getline(in, line)) {
    boost::system::error_code ec;
    json::value v = json::parse(line, ec);
    if (ec || !v.is_object()) continue;  // a torn last line
    const json::object& o = v.as_object();
    auto str = [&o](const char* k) -> std::string {
      const json::value* f = o.if_contains(k);
      return f && f->is_string() ? std::string(f->as_string()) : std::string();
    };
    JournalEntry e{str("erasure"), str("scope"), str("account"), str("target"), 0};
    if (const json::value* at = o.if_contains("at_ms"); at && at->is_int64())
      e.at_ms = at->as_int64();
    if (e.scope.empty() || e.target.empty()) continue;
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace lethe
