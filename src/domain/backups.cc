#include "domain/backups.h"

#include <algorithm>

#include "common/time_format.h"
#include "crypto/secret_hash.h"
#include "domain/backup_files.h"

namespace lethe {

namespace {

constexpr const char* kBlobPrefix = "media/";
// Databases first (lethe.db before keys.db, see the header), then the seed.
constexpr const char* kDatabases[] = {"lethe.db", "keys.db"};
constexpr const char* kSigningSeed = "signing.key";

// "2026-11-29T22:53:28.123Z" -> "20261129T225328Z".
std::string CompactTime(int64_t ms) {
  std::string t = FormatRfc3339(ms);
  std::string out;
  for (char c : t.substr(0, 19)) {
    if (c != '-' && c != ':') out += c;
  }
  return out + "Z";
}

bool IsBlob(const std::string& name) { return name.rfind(kBlobPrefix, 0) == 0; }

}  // namespace

Result<BackupSummary> Backups::Create() {
  std::lock_guard<std::mutex> lock(mu_);
  return CreateLocked();
}

Result<std::optional<BackupSummary>> Backups::CreateIfDue(int64_t every_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  LETHE_ASSIGN_OR_RETURN(std::optional<int64_t> newest, vault_.NewestCreatedMs());
  if (newest && clock_.NowMillis() - *newest < every_ms) {
    // Not due; still keep the epoch keys to their age.
    LETHE_RETURN_IF_ERROR(StatusOf(epochs_.DestroyExpired()));
    return std::optional<BackupSummary>();
  }
  LETHE_ASSIGN_OR_RETURN(BackupSummary made, CreateLocked());
  return std::optional<BackupSummary>(std::move(made));
}

Result<BackupSummary> Backups::CreateLocked() {
  LETHE_RETURN_IF_ERROR(StatusOf(epochs_.DestroyExpired()));
  LETHE_ASSIGN_OR_RETURN(BackupEpochs::EpochKey epoch, epochs_.Current());
  KeyWiper wipe(epoch.key);
  BackupManifest m;
  m.created_ms = clock_.NowMillis();
  m.id = CompactTime(m.created_ms) + "-" + RandomId(random_, "").substr(0, 8);
  m.epoch = epoch.epoch;
  m.source_data_dir = source_.data_dir;
  m.erasure_journal = source_.erasure_journal;
  m.backup_keys = source_.backup_keys;
  LETHE_ASSIGN_OR_RETURN(auto draft, vault_.Begin(m.id));
  // The head before the copies: the copies' chain reaches it, or goes past.
  if (anchor_) {
    LETHE_ASSIGN_OR_RETURN(m.audit_head, anchor_->Load());
  }

  for (const char* name : kDatabases) {
    LETHE_ASSIGN_OR_RETURN(std::vector<uint8_t> image, snapshots_.Database(name));
    auto sealed = SealBackupFile(epoch.key, m.id, name, image, *draft, random_);
    std::fill(image.begin(), image.end(), 0);
    if (!sealed.ok()) return sealed.status();
    m.files.push_back(std::move(*sealed));
  }
  auto seed = snapshots_.SmallFile(kSigningSeed);
  if (seed.ok()) {
    auto sealed = SealBackupFile(epoch.key, m.id, kSigningSeed, *seed, *draft, random_);
    std::fill(seed->begin(), seed->end(), 0);
    if (!sealed.ok()) return sealed.status();
    m.files.push_back(std::move(*sealed));
  } else if (seed.status().code() != Status::Code::kNotFound) {
    return seed.status();
  }

  BackupSummary out;
  LETHE_ASSIGN_OR_RETURN(std::vector<std::string> blob_ids, blobs_.List());
  std::sort(blob_ids.begin(), blob_ids.end());
  for (const std::string& id : blob_ids) {
    auto in = blobs_.Open(id);
    if (!in.ok() && in.status().code() == Status::Code::kNotFound) continue;  // deleted since
    if (!in.ok()) return in.status();
    LETHE_ASSIGN_OR_RETURN(auto writer, draft->Create(kBlobPrefix + id));
    LETHE_ASSIGN_OR_RETURN(BackupFile copied, CopyBackupFile(**in, kBlobPrefix + id, *writer));
    m.files.push_back(std::move(copied));
    ++out.blobs;
  }
  LETHE_ASSIGN_OR_RETURN(out.path, draft->Publish(m));
  for (const BackupFile& f : m.files) out.bytes += f.bytes;
  out.manifest = std::move(m);
  return out;
}

Result<RestoreSummary> RestoreBackup(BackupEpochs& epochs, BackupReader& backup, FileSink& files,
                                     BlobStore& blobs, AuditAnchor& anchor) {
  const BackupManifest& m = backup.manifest();
  LETHE_ASSIGN_OR_RETURN(Key key, epochs.Open(m.epoch));
  KeyWiper wipe(key);
  RestoreSummary out;
  // Non-blob files first: the databases are verified whole before any blob.
  std::vector<const BackupFile*> order;
  for (const BackupFile& f : m.files) {
    if (!IsBlob(f.name)) order.push_back(&f);
  }
  for (const BackupFile& f : m.files) {
    if (IsBlob(f.name)) order.push_back(&f);
  }
  for (const BackupFile* f : order) {
    LETHE_ASSIGN_OR_RETURN(auto in, backup.Open(f->name));
    std::unique_ptr<BlobWriter> out_file;
    if (IsBlob(f->name)) {
      LETHE_ASSIGN_OR_RETURN(out_file,
                             blobs.Create(f->name.substr(std::string(kBlobPrefix).size())));
      ++out.blobs;
    } else {
      LETHE_ASSIGN_OR_RETURN(out_file, files.Create(f->name));
    }
    LETHE_RETURN_IF_ERROR(RestoreBackupFile(key, m.id, *f, *in, *out_file));
    ++out.files;
    out.bytes += f->bytes;
  }
  if (m.audit_head) LETHE_RETURN_IF_ERROR(anchor.Save(*m.audit_head));
  return out;
}

}  // namespace lethe
