#include "adapters/mail/file_mailer.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "adapters/local/durable_file.h"
#include "adapters/mail/rfc5322.h"

namespace lethe {
namespace {

bool IsTempName(std::string_view name) {
  return name.size() > 5 && name.front() == '.' && name.ends_with(".tmp");
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
  return WriteFileDurably(dir_, temp, PathFor(message.id), text, "outbox mail");
}

}  // namespace lethe
