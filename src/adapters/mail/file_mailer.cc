#include "adapters/mail/file_mailer.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "adapters/mail/rfc5322.h"

namespace lethe {
namespace {

// Every filesystem failure is worth a retry: dropping the message would
// lose it, and a full or failing disk may recover.
Status Transient(const std::string& what) {
  return Status::Unavailable("outbox mail: " + what + ": " + std::strerror(errno));
}

bool IsTempName(std::string_view name) {
  return name.size() > 5 && name.front() == '.' && name.ends_with(".tmp");
}

Status WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Transient("write");
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<FileMailer>> FileMailer::Open(const std::string& dir, const Clock& clock) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return Status::Internal("cannot create " + dir + ": " + std::strerror(errno));
  }
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return Status::Internal("cannot read " + dir + ": " + std::strerror(errno));
  std::vector<std::string> leftovers;
  while (struct dirent* e = ::readdir(d)) {
    if (IsTempName(e->d_name)) leftovers.emplace_back(e->d_name);
  }
  ::closedir(d);
  for (const std::string& name : leftovers) ::unlink((dir + "/" + name).c_str());
  return std::unique_ptr<FileMailer>(new FileMailer(dir, clock));
}

Status FileMailer::Send(const MailMessage& message) {
  LETHE_ASSIGN_OR_RETURN(std::string text, FormatMailMessage(message, clock_.NowMillis()));
  // Unique per send, so two sends of one id at once never share a temp file.
  std::string temp =
      dir_ + "/." + message.id + "." + std::to_string(temp_counter_.fetch_add(1)) + ".tmp";
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Transient("create");
  Status st = WriteAll(fd, text);
  if (st.ok() && ::fdatasync(fd) != 0) st = Transient("fdatasync");
  if (::close(fd) != 0 && st.ok()) st = Transient("close");
  if (st.ok() && ::rename(temp.c_str(), PathFor(message.id).c_str()) != 0) st = Transient("rename");
  if (!st.ok()) {
    ::unlink(temp.c_str());
    return st;
  }
  int dfd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return Transient("open directory");
  int rc = ::fsync(dfd);
  ::close(dfd);
  // The file is in place but its name may not be durable: report it, and
  // the retry rewrites the same file.
  return rc == 0 ? Status::Ok() : Transient("fsync directory");
}

}  // namespace lethe
