#include "app/master_key.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "common/encoding.h"

namespace lethe {
namespace {

Result<Key> FromHex(std::string_view hex, const std::string& where) {
  while (!hex.empty() && (hex.back() == '\n' || hex.back() == '\r' || hex.back() == ' ')) {
    hex.remove_suffix(1);
  }
  auto bytes = HexDecode(hex);
  if (!bytes || bytes->size() != kKeyBytes) {
    return Status::InvalidArgument("bad-master-key",
                                   where + " must hold 64 hex characters (a 256-bit key)");
  }
  Key key;
  std::copy(bytes->begin(), bytes->end(), key.begin());
  std::fill(bytes->begin(), bytes->end(), 0);
  return key;
}

Result<std::string> ReadSmallFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::NotFound("no key file " + path);
    return Status::Internal("cannot open " + path + ": " + std::strerror(errno));
  }
  struct stat st;
  if (::fstat(fd, &st) == 0 && (st.st_mode & 077) != 0) {
    ::close(fd);
    return Status::InvalidArgument("bad-master-key",
                                   path + " must not be readable by group or others (chmod 600)");
  }
  char buf[256];
  ssize_t n = ::read(fd, buf, sizeof buf);
  ::close(fd);
  if (n < 0) return Status::Internal("cannot read " + path);
  return std::string(buf, static_cast<size_t>(n));
}

Status WriteNewKeyFile(const std::string& path, const Key& key) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Status::Internal("cannot create " + path + ": " + std::strerror(errno));
  std::string hex = HexEncode(std::span<const uint8_t>(key.data(), key.size())) + "\n";
  bool ok =
      ::write(fd, hex.data(), hex.size()) == static_cast<ssize_t>(hex.size()) && ::fsync(fd) == 0;
  ::close(fd);
  std::fill(hex.begin(), hex.end(), '\0');
  if (!ok) {
    ::unlink(path.c_str());
    return Status::Internal("cannot write " + path);
  }
  // The directory entry must be durable too, before anything is wrapped.
  std::string dir = std::filesystem::path(path).parent_path();
  int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0 || ::fsync(dfd) != 0) {
    if (dfd >= 0) ::close(dfd);
    return Status::Internal("cannot sync the directory of " + path);
  }
  ::close(dfd);
  return Status::Ok();
}

}  // namespace

Result<Key> LoadMasterKey(const std::string& env_hex, const std::string& file,
                          bool create_if_missing, Random& random) {
  if (!env_hex.empty()) return FromHex(env_hex, "LETHE_MASTER_KEY");
  auto text = ReadSmallFile(file);
  if (text.ok()) return FromHex(*text, file);
  if (text.status().code() != Status::Code::kNotFound || !create_if_missing) {
    return text.status();
  }
  // A new key for existing data would make every stored object unreadable.
  std::string dir = std::filesystem::path(file).parent_path();
  if (std::filesystem::exists((dir.empty() ? std::string(".") : dir) + "/keys.db")) {
    return Status::FailedPrecondition(
        "master-key-missing", file +
                                  " is missing but the data directory holds keys wrapped by "
                                  "it; restore it or pass LETHE_MASTER_KEY");
  }
  Key key = GenerateKey(random);
  LETHE_RETURN_IF_ERROR(WriteNewKeyFile(file, key));
  return key;
}

Result<Key> LoadSigningSeed(const std::string& file, Random& random) {
  auto text = ReadSmallFile(file);
  if (text.ok()) return FromHex(*text, file);
  if (text.status().code() != Status::Code::kNotFound) return text.status();
  // A new signing key only invalidates nothing: receipts carry the public
  // key they were signed with, and verifiers keep the ones they trust.
  Key seed = GenerateKey(random);
  LETHE_RETURN_IF_ERROR(WriteNewKeyFile(file, seed));
  return seed;
}

}  // namespace lethe
