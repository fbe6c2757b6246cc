#include "adapters/local/file_space_reserve.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace lethe {

FileSpaceReserve::FileSpaceReserve(std::string path, uint64_t bytes)
    : path_(std::move(path)), bytes_(bytes) {
  Restore();
}

bool FileSpaceReserve::Release() {
  std::lock_guard lock(mu_);
  return ::unlink(path_.c_str()) == 0;
}

void FileSpaceReserve::Restore() {
  std::lock_guard lock(mu_);
  struct stat st;
  if (::stat(path_.c_str(), &st) == 0 && static_cast<uint64_t>(st.st_blocks) * 512 >= bytes_) {
    return;
  }
  int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return;
  // All or nothing: a reserve the volume cannot hold yet is dropped, so it
  // does not eat the last free blocks; the next Restore() tries again.
  bool ok = ::posix_fallocate(fd, 0, static_cast<off_t>(bytes_)) == 0 && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) ::unlink(path_.c_str());
}

}  // namespace lethe
