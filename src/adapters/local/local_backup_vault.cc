#include "adapters/local/local_backup_vault.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace lethe {

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

constexpr const char* kManifest = "manifest.json";
constexpr const char* kDraftPrefix = ".draft-";

Status IoError(const std::string& what, const std::string& path) {
  return Status::Internal(what + " " + path + ": " + std::strerror(errno));
}

Status SyncPath(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return IoError("cannot open", path);
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return IoError("cannot sync", path);
  return Status::Ok();
}

Status CheckName(const std::string& name) {
  size_t slash = name.find('/');
  bool bad = name.empty() || name.front() == '/' || name.front() == '.' ||
             name.find("..") != std::string::npos ||
             (slash != std::string::npos && name.find('/', slash + 1) != std::string::npos);
  if (bad) return Status::InvalidArgument("bad-backup-file", "not a backup file name: " + name);
  return Status::Ok();
}

// Writes to `<final>.tmp`, then fsync and rename on Commit().
class FileWriter final : public BlobWriter {
 public:
  FileWriter(int fd, std::string tmp, std::string final_path)
      : fd_(fd), tmp_(std::move(tmp)), final_(std::move(final_path)) {}
  ~FileWriter() override {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) ::unlink(tmp_.c_str());
  }
  Status Append(std::span<const uint8_t> bytes) override {
    size_t done = 0;
    while (done < bytes.size()) {
      ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return IoError("cannot write", tmp_);
      done += static_cast<size_t>(n);
    }
    return Status::Ok();
  }
  Status Commit() override {
    if (::fsync(fd_) != 0) return IoError("cannot sync", tmp_);
    ::close(fd_);
    fd_ = -1;
    if (::rename(tmp_.c_str(), final_.c_str()) != 0) return IoError("cannot rename", tmp_);
    committed_ = true;
    return Status::Ok();
  }

 private:
  int fd_;
  std::string tmp_;
  std::string final_;
  bool committed_ = false;
};

Result<std::unique_ptr<BlobWriter>> CreateIn(const std::string& dir, const std::string& name) {
  LETHE_RETURN_IF_ERROR(CheckName(name));
  std::string path = dir + "/" + name;
  size_t slash = name.find('/');
  if (slash != std::string::npos) {
    std::string sub = dir + "/" + name.substr(0, slash);
    if (::mkdir(sub.c_str(), 0700) != 0 && errno != EEXIST) return IoError("cannot create", sub);
  }
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) return Status::AlreadyExists("exists", path);
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return IoError("cannot create", tmp);
  return std::unique_ptr<BlobWriter>(new FileWriter(fd, tmp, path));
}

Status SyncTree(const std::string& dir) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_directory()) LETHE_RETURN_IF_ERROR(SyncPath(entry.path().string()));
  }
  if (ec) return Status::Internal("cannot list " + dir + ": " + ec.message());
  return SyncPath(dir);
}

json::object ManifestJson(const BackupManifest& m) {
  json::array files;
  for (const BackupFile& f : m.files) {
    files.push_back(json::object{{"name", f.name},
                                 {"bytes", f.bytes},
                                 {"sha256", f.sha256},
                                 {"wrapped_key", f.wrapped_key},
                                 {"plain_bytes", f.plain_bytes}});
  }
  json::object o{{"version", m.version},
                 {"id", m.id},
                 {"epoch", m.epoch},
                 {"created_ms", m.created_ms},
                 {"source_data_dir", m.source_data_dir},
                 {"erasure_journal", m.erasure_journal},
                 {"backup_keys", m.backup_keys},
                 {"files", std::move(files)}};
  if (m.audit_head) {
    o["audit_head"] = json::object{{"seq", m.audit_head->seq}, {"hash", m.audit_head->hash}};
  }
  return o;
}

Result<BackupManifest> ParseManifest(const std::string& text) {
  BackupManifest m;
  try {
    json::object o = json::parse(text).as_object();
    m.version = static_cast<int>(o.at("version").as_int64());
    m.id = o.at("id").as_string().c_str();
    m.epoch = o.at("epoch").as_string().c_str();
    m.created_ms = o.at("created_ms").as_int64();
    m.source_data_dir = o.at("source_data_dir").as_string().c_str();
    m.erasure_journal = o.at("erasure_journal").as_string().c_str();
    m.backup_keys = o.at("backup_keys").as_string().c_str();
    if (const json::value* h = o.if_contains("audit_head")) {
      m.audit_head = AuditHead{h->at("seq").as_int64(), h->at("hash").as_string().c_str()};
    }
    for (const json::value& v : o.at("files").as_array()) {
      BackupFile f;
      f.name = v.at("name").as_string().c_str();
      f.bytes = json::value_to<uint64_t>(v.at("bytes"));
      f.sha256 = v.at("sha256").as_string().c_str();
      f.wrapped_key = v.at("wrapped_key").as_string().c_str();
      f.plain_bytes = json::value_to<uint64_t>(v.at("plain_bytes"));
      LETHE_RETURN_IF_ERROR(CheckName(f.name));
      m.files.push_back(std::move(f));
    }
  } catch (const std::exception& e) {
    return Status::DataLoss(std::string("backup manifest does not parse: ") + e.what());
  }
  if (m.version != 1) return Status::DataLoss("unknown backup manifest version");
  return m;
}

class LocalBackupDraft final : public BackupDraft {
 public:
  LocalBackupDraft(std::string root, std::string id)
      : root_(std::move(root)), id_(std::move(id)), dir_(root_ + "/" + kDraftPrefix + id_) {}
  ~LocalBackupDraft() override {
    std::error_code ec;
    if (!published_) fs::remove_all(dir_, ec);
  }
  const std::string& dir() const { return dir_; }
  Result<std::unique_ptr<BlobWriter>> Create(const std::string& name) override {
    if (name == kManifest) return Status::InvalidArgument("bad-backup-file", name);
    return CreateIn(dir_, name);
  }
  Result<std::string> Publish(const BackupManifest& manifest) override {
    LETHE_ASSIGN_OR_RETURN(auto w, CreateIn(dir_, kManifest));
    std::string text = json::serialize(ManifestJson(manifest)) + "\n";
    LETHE_RETURN_IF_ERROR(w->Append({reinterpret_cast<const uint8_t*>(text.data()), text.size()}));
    LETHE_RETURN_IF_ERROR(w->Commit());
    LETHE_RETURN_IF_ERROR(SyncTree(dir_));
    std::string final_dir = root_ + "/" + id_;
    if (::rename(dir_.c_str(), final_dir.c_str()) != 0) return IoError("cannot publish", final_dir);
    published_ = true;
    LETHE_RETURN_IF_ERROR(SyncPath(root_));
    return final_dir;
  }

 private:
  std::string root_;
  std::string id_;
  std::string dir_;
  bool published_ = false;
};

class FileReader final : public BlobReader {
 public:
  FileReader(int fd, uint64_t size, std::string path) : fd_(fd), size_(size), path_(path) {}
  ~FileReader() override { ::close(fd_); }
  uint64_t size() const override { return size_; }
  Status ReadAt(uint64_t offset, std::span<uint8_t> out) override {
    size_t done = 0;
    while (done < out.size()) {
      ssize_t n = ::pread(fd_, out.data() + done, out.size() - done, offset + done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return IoError("cannot read", path_);
      if (n == 0) return Status::DataLoss(path_ + " is shorter than expected");
      done += static_cast<size_t>(n);
    }
    return Status::Ok();
  }

 private:
  int fd_;
  uint64_t size_;
  std::string path_;
};

class LocalBackupReader final : public BackupReader {
 public:
  LocalBackupReader(std::string dir, BackupManifest m) : dir_(std::move(dir)), m_(std::move(m)) {}
  const BackupManifest& manifest() const override { return m_; }
  Result<std::unique_ptr<BlobReader>> Open(const std::string& name) override {
    LETHE_RETURN_IF_ERROR(CheckName(name));
    std::string path = dir_ + "/" + name;
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) return Status::NotFound("backup file missing: " + name);
      return IoError("cannot open", path);
    }
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      ::close(fd);
      return IoError("cannot stat", path);
    }
    return std::unique_ptr<BlobReader>(new FileReader(fd, static_cast<uint64_t>(st.st_size), path));
  }

 private:
  std::string dir_;
  BackupManifest m_;
};

}  // namespace

Result<std::unique_ptr<LocalBackupVault>> LocalBackupVault::Open(const std::string& root) {
  if (::mkdir(root.c_str(), 0700) != 0 && errno != EEXIST) {
    return IoError("cannot create backup directory", root);
  }
  return std::unique_ptr<LocalBackupVault>(new LocalBackupVault(root));
}

Result<std::unique_ptr<BackupDraft>> LocalBackupVault::Begin(const std::string& id) {
  LETHE_RETURN_IF_ERROR(CheckName(id));
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(root_, ec)) {
    if (entry.path().filename().string().rfind(kDraftPrefix, 0) == 0) {
      fs::remove_all(entry.path(), ec);
    }
  }
  auto draft = std::make_unique<LocalBackupDraft>(root_, id);
  if (::mkdir(draft->dir().c_str(), 0700) != 0) return IoError("cannot create", draft->dir());
  return std::unique_ptr<BackupDraft>(std::move(draft));
}

Result<std::optional<int64_t>> LocalBackupVault::NewestCreatedMs() {
  std::optional<int64_t> newest;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(root_, ec)) {
    if (entry.path().filename().string().rfind(".", 0) == 0) continue;
    auto backup = OpenLocalBackup(entry.path().string());
    if (!backup.ok()) continue;  // not a backup
    int64_t created = (*backup)->manifest().created_ms;
    if (!newest || created > *newest) newest = created;
  }
  if (ec) return Status::Internal("cannot list " + root_ + ": " + ec.message());
  return newest;
}

Result<std::unique_ptr<BlobWriter>> LocalDirSink::Create(const std::string& name) {
  return CreateIn(dir_, name);
}

Status LocalDirSink::SyncDirs() { return SyncTree(dir_); }

Result<std::unique_ptr<BackupReader>> OpenLocalBackup(const std::string& path) {
  std::ifstream in(path + "/" + kManifest, std::ios::binary);
  if (!in) return Status::NotFound("no backup at " + path + " (no " + kManifest + ")");
  std::string text((std::istreambuf_iterator<char>(in)), {});
  LETHE_ASSIGN_OR_RETURN(BackupManifest m, ParseManifest(text));
  return std::unique_ptr<BackupReader>(new LocalBackupReader(path, std::move(m)));
}

}  // namespace lethe
