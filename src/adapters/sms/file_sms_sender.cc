#include "adapters/sms/file_sms_sender.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <cstring>

namespace lethe {
namespace {

Status Transient(const std::string& what) {
  return Status::Unavailable("sms outbox: " + what + ": " + std::strerror(errno));
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

Result<std::unique_ptr<FileSmsSender>> FileSmsSender::Open(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return Status::Internal("cannot create " + dir + ": " + std::strerror(errno));
  }
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return Status::Internal("not a directory: " + dir);
  }
  return std::unique_ptr<FileSmsSender>(new FileSmsSender(dir));
}

Status FileSmsSender::Send(const SmsMessage& message) {
  LETHE_RETURN_IF_ERROR(ValidateSmsMessage(message));
  const std::string text = boost::json::serialize(
      boost::json::object{{"id", message.id}, {"to", message.to}, {"body", message.body}});
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
  return rc == 0 ? Status::Ok() : Transient("fsync directory");
}

}  // namespace lethe
