#include "adapters/local/file_backup_key_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

namespace lethe {

namespace {

constexpr const char* kKeySuffix = ".key";
constexpr const char* kTombstoneSuffix = ".destroyed";

Status IoError(const std::string& what, const std::string& path) {
  return Status::Internal(what + " " + path + ": " + std::strerror(errno));
}

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

Status WriteAllAndSync(int fd, const uint8_t* data, size_t size, const std::string& path) {
  size_t done = 0;
  while (done < size) {
    ssize_t n = ::write(fd, data + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return IoError("cannot write", path);
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) return IoError("cannot sync", path);
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<FileBackupKeyStore>> FileBackupKeyStore::Open(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return IoError("cannot create backup keys directory", dir);
  }
  return std::unique_ptr<FileBackupKeyStore>(new FileBackupKeyStore(dir));
}

Status FileBackupKeyStore::CheckEpoch(const std::string& epoch) {
  if (epoch.empty() || epoch.size() > 64 || epoch.find('/') != std::string::npos ||
      epoch.find("..") != std::string::npos) {
    return Status::InvalidArgument("bad-epoch", "not an epoch name: " + epoch);
  }
  return Status::Ok();
}

std::string FileBackupKeyStore::PathOf(const std::string& epoch, const char* suffix) const {
  return dir_ + "/" + epoch + suffix;
}

Status FileBackupKeyStore::SyncDir() {
  int fd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return IoError("cannot open", dir_);
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return IoError("cannot sync", dir_);
  return Status::Ok();
}

Status FileBackupKeyStore::Put(const std::string& epoch, const std::vector<uint8_t>& wrapped) {
  LETHE_RETURN_IF_ERROR(CheckEpoch(epoch));
  std::lock_guard<std::mutex> lock(mu_);
  if (Exists(PathOf(epoch, kTombstoneSuffix))) {
    return Status::FailedPrecondition("epoch-key-destroyed", "epoch " + epoch + " was destroyed");
  }
  std::string path = PathOf(epoch, kKeySuffix);
  if (Exists(path)) return Status::AlreadyExists("epoch-key-exists", "epoch " + epoch);
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return IoError("cannot create", tmp);
  Status written = WriteAllAndSync(fd, wrapped.data(), wrapped.size(), tmp);
  ::close(fd);
  if (!written.ok()) {
    ::unlink(tmp.c_str());
    return written;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) return IoError("cannot rename", tmp);
  return SyncDir();
}

Result<std::vector<uint8_t>> FileBackupKeyStore::Get(const std::string& epoch) {
  LETHE_RETURN_IF_ERROR(CheckEpoch(epoch));
  std::lock_guard<std::mutex> lock(mu_);
  std::string path = PathOf(epoch, kKeySuffix);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno != ENOENT) return IoError("cannot open", path);
    if (Exists(PathOf(epoch, kTombstoneSuffix))) {
      return Status::FailedPrecondition("epoch-key-destroyed", "epoch " + epoch + " was destroyed");
    }
    return Status::NotFound("no key for backup epoch " + epoch + " in " + dir_);
  }
  std::vector<uint8_t> out;
  uint8_t buf[256];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      return IoError("cannot read", path);
    }
    if (n == 0) break;
    out.insert(out.end(), buf, buf + n);
  }
  ::close(fd);
  return out;
}

Result<std::vector<std::string>> FileBackupKeyStore::List() {
  std::lock_guard<std::mutex> lock(mu_);
  std::unique_ptr<DIR, int (*)(DIR*)> dir(::opendir(dir_.c_str()), ::closedir);
  if (!dir) return IoError("cannot list", dir_);
  std::vector<std::string> out;
  const std::string suffix = kKeySuffix;
  while (dirent* e = ::readdir(dir.get())) {
    std::string name = e->d_name;
    if (name.size() > suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      out.push_back(name.substr(0, name.size() - suffix.size()));
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

Status FileBackupKeyStore::Destroy(const std::string& epoch) {
  LETHE_RETURN_IF_ERROR(CheckEpoch(epoch));
  std::lock_guard<std::mutex> lock(mu_);
  std::string path = PathOf(epoch, kKeySuffix);
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::NotFound("no live key for backup epoch " + epoch);
    return IoError("cannot open", path);
  }
  struct stat st;
  Status wiped = ::fstat(fd, &st) == 0 ? Status::Ok() : IoError("cannot stat", path);
  if (wiped.ok()) {
    std::vector<uint8_t> zeros(static_cast<size_t>(st.st_size), 0);
    wiped = WriteAllAndSync(fd, zeros.data(), zeros.size(), path);
  }
  ::close(fd);
  LETHE_RETURN_IF_ERROR(wiped);
  std::string tomb = PathOf(epoch, kTombstoneSuffix);
  int tfd = ::open(tomb.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (tfd < 0) return IoError("cannot create", tomb);
  ::close(tfd);
  if (::unlink(path.c_str()) != 0) return IoError("cannot unlink", path);
  return SyncDir();
}

}  // namespace lethe
