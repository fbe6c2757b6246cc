#include "domain/resumable_uploads.h"

#include <algorithm>
#include <charconv>

#include "crypto/secret_hash.h"

namespace lethe {
namespace {

// Sealed chunks are gathered into writes of this size: fewer syscalls.
constexpr size_t kWriteBatch = 1 << 20;
// Decrypted parts are fed to the media ingest this much at a time.
constexpr size_t kReadPiece = 1 << 20;
constexpr int kPurgeBatch = 100;

struct Part {
  std::string blob_id;
  uint64_t bytes = 0;
  std::string wrapped_key;
};

// "<blob_id> <bytes> <wrapped key>" per line (records.h).
std::vector<Part> ParseParts(const std::string& text) {
  std::vector<Part> parts;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    std::string line = text.substr(start, nl - start);
    start = nl + 1;
    size_t a = line.find(' ');
    size_t b = a == std::string::npos ? a : line.find(' ', a + 1);
    if (b == std::string::npos) continue;
    Part p;
    p.blob_id = line.substr(0, a);
    std::from_chars(line.data() + a + 1, line.data() + b, p.bytes);
    p.wrapped_key = line.substr(b + 1);
    parts.push_back(std::move(p));
  }
  return parts;
}

std::vector<std::string> BlobIdsOf(const std::string& parts) {
  std::vector<std::string> ids;
  for (const Part& p : ParseParts(parts)) ids.push_back(p.blob_id);
  return ids;
}

Status OffsetMismatch() {
  return Status(Status::Code::kAlreadyExists, "upload-offset-mismatch",
                "Upload-Offset does not match the upload's offset");
}

bool Visible(const UploadRecord& u, const Principal& who, const UploadGrant* grant,
             int64_t now_ms) {
  if (u.account_id != who.account.id || u.expires_ms <= now_ms) return false;
  // An upload token opens only what it created; the account opens all.
  return grant == nullptr || u.creator == who.credential_id;
}

}  // namespace

Status ResumableUploads::InsertIntent(const std::string& blob_id) {
  return store_.Transact([&](MetadataTx& tx) { return media_.NoteBlobIntent(tx, blob_id); });
}

Result<UploadRecord> ResumableUploads::Create(const Principal& who, const UploadGrant* grant,
                                              const NewUpload& spec) {
  LETHE_RETURN_IF_ERROR(CheckMediaFields(spec.fields));
  if (spec.length < 0) return Status::InvalidArgument("invalid-field", "Upload-Length is negative");
  if (static_cast<uint64_t>(spec.length) > max_bytes_) {
    return Status::TooLarge("media exceeds " + std::to_string(max_bytes_) + " bytes");
  }
  if (grant && spec.length > grant->token.max_bytes) {
    return Status(Status::Code::kTooLarge, "upload-token-size",
                  "media exceeds the upload token's limit of " +
                      std::to_string(grant->token.max_bytes) + " bytes");
  }
  UploadRecord u;
  u.id = RandomId(random_, "upl_");
  u.account_id = who.account.id;
  u.end_user = spec.fields.end_user.value_or("");
  u.creator = who.credential_id;
  u.length = spec.length;
  u.content_type = spec.content_type;
  u.title = spec.fields.title;
  u.tags = spec.fields.tags;
  u.web_rendition = spec.fields.web_rendition.value_or(false);
  u.metadata = spec.metadata;
  u.created_ms = clock_.NowMillis();
  u.expires_ms = u.created_ms + ttl_ms_;
  if (grant) {
    u.token_digest = grant->token.digest;
    u.max_bytes = grant->token.max_bytes;
    u.kinds = grant->token.kinds;
  }
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    // The token's use goes with the upload's creation: one or the other
    // of two racing creations on its last use.
    if (grant) LETHE_RETURN_IF_ERROR(UploadTokens::Spend(tx, *grant));
    return tx.InsertUpload(u);
  }));
  return u;
}

Result<UploadRecord> ResumableUploads::Find(const Principal& who, const UploadGrant* grant,
                                            const std::string& id) {
  auto u = store_.FindUpload(who.account.id, id);
  if (!u.ok()) return u.status();
  if (!Visible(*u, who, grant, clock_.NowMillis())) return Status::NotFound("upload not found");
  return u;
}

Result<std::unique_ptr<UploadPart>> ResumableUploads::BeginPart(
    const Principal& who, const UploadGrant* grant, const std::string& id, int64_t offset,
    std::optional<std::string> sha256_hex, const RequestOrigin& origin) {
  LETHE_ASSIGN_OR_RETURN(UploadRecord u, Find(who, grant, id));
  if (u.media_id || u.offset != offset) return OffsetMismatch();
  std::string blob_id = RandomId(random_, "blb_");
  Key key = keys_.NewDataKey();
  KeyWiper wipe(key);
  LETHE_ASSIGN_OR_RETURN(std::string wrapped,
                         keys_.WrapDataKey(u.account_id, u.end_user, blob_id, key));
  // Durable before the first byte: a crash from here on leaves an intent
  // for MediaLibrary::Recover().
  LETHE_RETURN_IF_ERROR(InsertIntent(blob_id));
  auto writer = blobs_.Create(blob_id);
  if (!writer.ok()) {
    RemoveParts({blob_id});
    return writer.status();
  }
  return std::unique_ptr<UploadPart>(new UploadPart(*this, who, std::move(u), std::move(sha256_hex),
                                                    origin, std::move(blob_id), key,
                                                    std::move(wrapped), std::move(*writer)));
}

void ResumableUploads::RemoveParts(const std::vector<std::string>& blob_ids) {
  if (blob_ids.empty()) return;
  if (!blobs_.RemoveMany(blob_ids).ok()) return;  // the intents stay for Recover()
  // Losing this on power loss only brings the intents back for Recover().
  (void)store_.Transact([&](MetadataTx& tx) { return tx.DeleteBlobIntents(blob_ids); },
                        Durability::kProcessCrash);
}

Status ResumableUploads::Drop(const UploadRecord& u) {
  std::vector<std::string> blob_ids = BlobIdsOf(u.parts);
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    LETHE_RETURN_IF_ERROR(tx.DeleteUpload(u.account_id, u.id));
    for (const std::string& b : blob_ids) {
      LETHE_RETURN_IF_ERROR(media_.NoteBlobIntent(tx, b));
    }
    return Status::Ok();
  }));
  RemoveParts(blob_ids);
  return Status::Ok();
}

Status ResumableUploads::Terminate(const Principal& who, const UploadGrant* grant,
                                   const std::string& id) {
  LETHE_ASSIGN_OR_RETURN(UploadRecord u, Find(who, grant, id));
  return Drop(u);
}

Result<int> ResumableUploads::PurgeExpired() {
  int purged = 0;
  // Expired from expires_ms on, as Find judges it.
  for (;;) {
    LETHE_ASSIGN_OR_RETURN(auto batch,
                           store_.ListUploadsExpiredBefore(clock_.NowMillis() + 1, kPurgeBatch));
    if (batch.empty()) return purged;
    for (const UploadRecord& u : batch) {
      Status st = Drop(u);
      if (!st.ok() && st.code() != Status::Code::kNotFound) return st;
      ++purged;
    }
  }
}

// ---- one part ----

UploadPart::UploadPart(ResumableUploads& uploads, Principal who, UploadRecord upload,
                       std::optional<std::string> sha256_hex, RequestOrigin origin,
                       std::string blob_id, Key key, std::string wrapped_key,
                       std::unique_ptr<BlobWriter> writer)
    : uploads_(uploads),
      who_(std::move(who)),
      upload_(std::move(upload)),
      sha256_hex_(std::move(sha256_hex)),
      origin_(std::move(origin)),
      blob_id_(std::move(blob_id)),
      key_(key),
      wrapped_key_(std::move(wrapped_key)),
      writer_(std::move(writer)) {
  if (sha256_hex_) sha256_ = std::make_unique<Sha256Pipe>();
  sealer_ = std::make_unique<StreamSealer>(key_, blob_id_, [this](std::span<const uint8_t> sealed) {
    out_.insert(out_.end(), sealed.begin(), sealed.end());
    return out_.size() >= kWriteBatch ? Flush() : Status::Ok();
  });
  out_.reserve(kWriteBatch + kChunkSealedBytes);
}

UploadPart::~UploadPart() {
  WipeKey(key_);
  if (done_) return;
  // Abandoned: the writer leaves nothing once destroyed, so the intent goes.
  sealer_.reset();
  writer_.reset();
  uploads_.RemoveParts({blob_id_});
}

Status UploadPart::Flush() {
  if (out_.empty()) return Status::Ok();
  Status st = writer_->Append(out_);
  out_.clear();
  return st;
}

Status UploadPart::Append(std::span<const uint8_t> bytes) {
  if (!failed_.ok()) return failed_;
  const int64_t room = upload_.length - upload_.offset - received_;
  if (static_cast<int64_t>(bytes.size()) > room) {
    failed_ = Status(Status::Code::kTooLarge, "upload-length-exceeded",
                     "the body goes past Upload-Length");
    return failed_;
  }
  received_ += static_cast<int64_t>(bytes.size());
  if (sha256_) sha256_->Update(bytes);
  failed_ = sealer_->Append(bytes);
  return failed_;
}

Result<UploadRecord> UploadPart::Finish() {
  LETHE_RETURN_IF_ERROR(failed_);
  if (sha256_ && sha256_->Final() != *sha256_hex_) {
    failed_ = Status::InvalidArgument("checksum-mismatch",
                                      "the body does not match Upload-Checksum; it was discarded");
    return failed_;
  }
  if (received_ == 0 && upload_.length > 0) return upload_;  // nothing to store
  return Store();
}

void UploadPart::Keep() {
  if (!failed_.ok() || done_ || sha256_ || received_ == 0) return;
  // Completing needs the whole body: a cut one stores what it has only.
  if (upload_.offset + received_ >= upload_.length) return;
  (void)Store();
}

Result<UploadRecord> UploadPart::Store() {
  Status st = sealer_->Finish();
  if (st.ok()) st = Flush();
  if (st.ok()) st = writer_->Commit();
  if (!st.ok()) {
    failed_ = st;
    return st;
  }
  std::string parts = upload_.parts;
  if (!parts.empty()) parts += '\n';
  parts += blob_id_ + ' ' + std::to_string(received_) + ' ' + wrapped_key_;
  const int64_t new_offset = upload_.offset + received_;
  if (new_offset == upload_.length) return Complete(parts);
  st = uploads_.store_.Transact([&](MetadataTx& tx) -> Status {
    Status moved = tx.AdvanceUpload(upload_.id, upload_.offset, new_offset, parts);
    if (moved.code() == Status::Code::kNotFound) return OffsetMismatch();
    LETHE_RETURN_IF_ERROR(moved);
    return tx.DeleteBlobIntents({blob_id_});  // listed now
  });
  if (!st.ok()) {
    failed_ = st;
    return st;  // the destructor removes the blob
  }
  done_ = true;
  upload_.offset = new_offset;
  upload_.parts = parts;
  return upload_;
}

Result<UploadRecord> UploadPart::Complete(const std::string& parts) {
  ResumableUploads& up = uploads_;
  std::vector<Part> list = ParseParts(parts);
  IngestTerms terms;
  if (upload_.max_bytes) terms.max_bytes = static_cast<uint64_t>(*upload_.max_bytes);
  terms.kinds = upload_.kinds;
  // In the media's own transaction: the upload is complete if and only if
  // the media exists, and its parts get intents to go after.
  terms.in_commit = [&](MetadataTx& tx, const MediaRecord& m) -> Status {
    Status done = tx.CompleteUpload(upload_.id, upload_.offset, m.id);
    if (done.code() == Status::Code::kNotFound) return OffsetMismatch();
    LETHE_RETURN_IF_ERROR(done);
    for (const Part& p : list) {
      if (p.blob_id != blob_id_) {
        LETHE_RETURN_IF_ERROR(up.media_.NoteBlobIntent(tx, p.blob_id));
      }
    }
    return Status::Ok();
  };
  auto ingested = [&]() -> Result<MediaRecord> {
    LETHE_ASSIGN_OR_RETURN(
        auto ingest, up.media_.BeginIngest(who_, upload_.content_type, origin_, std::move(terms)));
    std::vector<uint8_t> piece(kReadPiece);
    for (const Part& p : list) {
      if (p.bytes == 0) continue;
      LETHE_ASSIGN_OR_RETURN(Key key, up.keys_.UnwrapDataKey(upload_.account_id, upload_.end_user,
                                                             p.blob_id, p.wrapped_key));
      KeyWiper wipe(key);
      LETHE_ASSIGN_OR_RETURN(auto blob, up.blobs_.Open(p.blob_id));
      MediaReader reader(std::move(blob), key, p.blob_id, p.bytes, 0, p.bytes - 1);
      while (reader.remaining() > 0) {
        LETHE_ASSIGN_OR_RETURN(size_t n, reader.Read(piece));
        if (n == 0) return Status::DataLoss("an upload part ended early");
        LETHE_RETURN_IF_ERROR(ingest->Append(std::span<const uint8_t>(piece.data(), n)));
      }
    }
    MediaFields fields;
    fields.end_user = upload_.end_user;
    fields.title = upload_.title;
    fields.tags = upload_.tags;
    fields.web_rendition = upload_.web_rendition;
    return ingest->Commit(fields);
  }();
  if (!ingested.ok()) {
    failed_ = ingested.status();
    // This part goes with the destructor (its intent is still there); the
    // upload stays at its offset, the earlier parts listed.
    writer_.reset();
    (void)up.blobs_.Remove(blob_id_);
    return failed_;
  }
  done_ = true;
  std::vector<std::string> ids;
  for (const Part& p : list) ids.push_back(p.blob_id);
  up.RemoveParts(ids);
  upload_.offset = upload_.length;
  upload_.parts.clear();
  upload_.media_id = ingested->id;
  return upload_;
}

}  // namespace lethe
