#include "adapters/local/durable_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace lethe {
namespace {

Status Failed(const std::string& what, const char* step) {
  return Status::Unavailable(what + ": " + step + ": " + std::strerror(errno));
}

}  // namespace

Status WriteFileDurably(const std::string& dir, const std::string& temp_path,
                        const std::string& final_path, std::string_view bytes,
                        const std::string& what) {
  int fd = ::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Failed(what, "create");
  Status st = Status::Ok();
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      st = Failed(what, "write");
      break;
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  if (st.ok() && ::fdatasync(fd) != 0) st = Failed(what, "fdatasync");
  if (::close(fd) != 0 && st.ok()) st = Failed(what, "close");
  if (st.ok() && ::rename(temp_path.c_str(), final_path.c_str()) != 0) st = Failed(what, "rename");
  if (!st.ok()) {
    ::unlink(temp_path.c_str());
    return st;
  }
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return Failed(what, "open directory");
  int rc = ::fsync(dfd);
  ::close(dfd);
  return rc == 0 ? Status::Ok() : Failed(what, "fsync directory");
}

}  // namespace lethe
