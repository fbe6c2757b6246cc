#include "domain/backup_files.h"

#include <algorithm>
#include <vector>

#include "common/encoding.h"
#include "crypto/chunked_cipher.h"
#include "crypto/secret_hash.h"

namespace lethe {

namespace {

constexpr size_t kCopyBytes = 1 << 20;

std::string WrapContext(const std::string& backup_id, const std::string& name) {
  return "backup-file:" + backup_id + "/" + name;
}

Status Damaged(const std::string& name, const std::string& why) {
  return Status(Status::Code::kDataLoss, "backup-damaged",
                "backup file " + name + " is damaged: " + why);
}

}  // namespace

Result<BackupFile> SealBackupFile(const Key& epoch_key, const std::string& backup_id,
                                  const std::string& name, std::span<const uint8_t> plain,
                                  FileSink& out, Random& random) {
  LETHE_ASSIGN_OR_RETURN(auto writer, out.Create(name));
  Key file_key = GenerateKey(random);
  KeyWiper wipe(file_key);
  BackupFile entry;
  entry.name = name;
  entry.wrapped_key =
      Base64UrlEncode(WrapKey(epoch_key, file_key, WrapContext(backup_id, name), random));
  entry.plain_bytes = plain.size();
  Sha256 sha;
  StreamSealer sealer(file_key, backup_id + "/" + name,
                      [&](std::span<const uint8_t> sealed) -> Status {
                        sha.Update(sealed);
                        entry.bytes += sealed.size();
                        return writer->Append(sealed);
                      });
  LETHE_RETURN_IF_ERROR(sealer.Append(plain));
  LETHE_RETURN_IF_ERROR(sealer.Finish());
  LETHE_RETURN_IF_ERROR(writer->Commit());
  entry.sha256 = sha.Final();
  return entry;
}

namespace {

// Copies all of `in` to `out` as it is, hashing it on the way.
Status CopyHashing(BlobReader& in, BlobWriter& out, Sha256& sha) {
  std::vector<uint8_t> buf(kCopyBytes);
  for (uint64_t pos = 0; pos < in.size();) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(buf.size(), in.size() - pos));
    std::span<uint8_t> piece(buf.data(), n);
    LETHE_RETURN_IF_ERROR(in.ReadAt(pos, piece));
    sha.Update(piece);
    LETHE_RETURN_IF_ERROR(out.Append(piece));
    pos += n;
  }
  return Status::Ok();
}

}  // namespace

Result<BackupFile> CopyBackupFile(BlobReader& in, const std::string& name, BlobWriter& out) {
  BackupFile entry;
  entry.name = name;
  Sha256 sha;
  LETHE_RETURN_IF_ERROR(CopyHashing(in, out, sha));
  LETHE_RETURN_IF_ERROR(out.Commit());
  entry.bytes = in.size();
  entry.sha256 = sha.Final();
  return entry;
}

Status RestoreBackupFile(const Key& epoch_key, const std::string& backup_id, const BackupFile& file,
                         BlobReader& in, BlobWriter& out) {
  if (in.size() != file.bytes) return Damaged(file.name, "wrong size");
  Sha256 sha;
  if (file.wrapped_key.empty()) {  // stored as it was
    LETHE_RETURN_IF_ERROR(CopyHashing(in, out, sha));
  } else {
    auto wrapped = Base64UrlDecode(file.wrapped_key);
    if (!wrapped) return Damaged(file.name, "bad wrapped key");
    auto key = UnwrapKey(epoch_key, *wrapped, WrapContext(backup_id, file.name));
    if (!key.ok()) return Damaged(file.name, "its key does not open under the epoch key");
    KeyWiper wipe(*key);
    if (SealedSize(file.plain_bytes) != file.bytes) return Damaged(file.name, "wrong size");
    ChunkOpener opener(*key, backup_id + "/" + file.name, file.plain_bytes);
    std::vector<uint8_t> sealed(kChunkSealedBytes);
    std::vector<uint8_t> plain(kChunkPlainBytes);
    for (uint64_t i = 0; i < opener.chunk_count(); ++i) {
      std::span<uint8_t> s(sealed.data(), opener.SealedChunkSize(i));
      std::span<uint8_t> p(plain.data(), opener.PlainChunkSize(i));
      LETHE_RETURN_IF_ERROR(in.ReadAt(opener.SealedOffset(i), s));
      sha.Update(s);
      if (!opener.Open(i, s, p).ok()) return Damaged(file.name, "a chunk does not authenticate");
      LETHE_RETURN_IF_ERROR(out.Append(p));
    }
    std::fill(plain.begin(), plain.end(), 0);
  }
  if (sha.Final() != file.sha256) return Damaged(file.name, "SHA-256 differs from the manifest");
  return out.Commit();
}

}  // namespace lethe
