#include "adapters/local/file_audit_anchor.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace lethe {

Status FileAuditAnchor::Save(const AuditHead& head) {
  std::unique_lock lock(mu_);
  if (head.seq > newest_.seq) newest_ = head;
  while (saved_seq_ < head.seq) {
    if (writing_) {
      written_.wait(lock);
      continue;
    }
    writing_ = true;
    AuditHead target = newest_;
    lock.unlock();
    Status st = Write(target);
    lock.lock();
    writing_ = false;
    if (st.ok()) saved_seq_ = std::max(saved_seq_, target.seq);
    written_.notify_all();
    if (!st.ok()) return st;
  }
  return Status::Ok();
}

Status FileAuditAnchor::Write(const AuditHead& head) {
  std::string temp = path_ + ".tmp";
  std::string text = std::to_string(head.seq) + " " + head.hash + "\n";
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status::Internal("cannot write " + temp + ": " + std::strerror(errno));
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fdatasync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(temp.c_str(), path_.c_str()) != 0) {
    return Status::Internal("cannot save the audit anchor: " + std::string(std::strerror(errno)));
  }
  std::string dir = std::filesystem::path(path_).parent_path();
  int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return Status::Ok();
}

Result<std::optional<AuditHead>> FileAuditAnchor::Load() {
  std::ifstream in(path_);
  if (!in) return std::optional<AuditHead>();
  std::string seq_text;
  AuditHead head;
  if (!(in >> seq_text >> head.hash)) return Status::DataLoss("the audit anchor is malformed");
  auto [ptr, ec] = std::from_chars(seq_text.data(), seq_text.data() + seq_text.size(), head.seq);
  if (ec != std::errc() || ptr != seq_text.data() + seq_text.size() || head.hash.size() != 64) {
    return Status::DataLoss("the audit anchor is malformed");
  }
  return std::optional<AuditHead>(head);
}

}  // namespace lethe
