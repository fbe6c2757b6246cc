#include "domain/media_artifacts.h"

#include <utility>

#include "crypto/chunked_cipher.h"
#include "domain/purposes.h"

namespace lethe {
namespace {

bool Retryable(const Status& st) {
  switch (st.code()) {
    case Status::Code::kUnavailable:
    case Status::Code::kInternal:
    case Status::Code::kDeadlineExceeded:
    case Status::Code::kInsufficientStorage:
      return true;
    default:
      return false;
  }
}

// The purpose each artifact serves at the processing gate: a poster is
// part of the hosting the customer contracted for; a transcript is an
// optional use that needs the end user's opt-in (USE-3).
std::string_view PurposeOf(std::string_view kind) {
  return kind == kArtifactTranscript ? kPurposeTranscription : kPurposeService;
}

bool Wants(std::string_view kind, const std::string& media_kind) {
  if (kind == kArtifactPoster) return media_kind == "video" || media_kind == "image";
  return media_kind == "video" || media_kind == "audio";
}

}  // namespace

Status MediaArtifacts::Emit(MetadataTx& tx, const DomainEvent& event) {
  if (event.type != "media.created") return Status::Ok();
  std::string media_id;
  for (const auto& [k, v] : event.ids) {
    if (k == "media_id") media_id = v;
  }
  LETHE_ASSIGN_OR_RETURN(MediaRecord m, tx.FindMedia(event.account_id, media_id));
  LETHE_ASSIGN_OR_RETURN(bool transcribe, tx.FindTranscriptionSetting(m.account_id));
  int64_t now = clock_.NowMillis();
  bool queued = false;
  for (std::string_view kind : {kArtifactPoster, kArtifactTranscript}) {
    if (!Wants(kind, m.kind)) continue;
    if (kind == kArtifactTranscript && !transcribe) continue;
    MediaArtifactRecord a;
    a.media_id = m.id;
    a.kind = std::string(kind);
    a.account_id = m.account_id;
    a.state = "pending";
    a.run_after_ms = now;
    a.created_ms = a.updated_ms = now;
    LETHE_RETURN_IF_ERROR(tx.UpsertMediaArtifact(a));
    queued = true;
  }
  if (queued && wake_) tx.AfterCommit(wake_);
  return Status::Ok();
}

Result<int> MediaArtifacts::RunOne() {
  int64_t now = clock_.NowMillis();
  std::vector<MediaArtifactRecord> claimed;
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    LETHE_ASSIGN_OR_RETURN(claimed, tx.ClaimMediaArtifacts(now, now + options_.lease.count(), 1));
    return Status::Ok();
  }));
  if (claimed.empty()) return 0;
  MediaArtifactRecord a = Make(std::move(claimed.front()));
  a.lease_until_ms.reset();
  a.updated_ms = clock_.NowMillis();
  Status st = store_.Transact([&](MetadataTx& tx) -> Status {
    // Gone with its media meanwhile: nothing to record.
    if (!tx.FindMedia(a.account_id, a.media_id).ok()) return Status::Ok();
    return tx.UpsertMediaArtifact(a);
  });
  LETHE_RETURN_IF_ERROR(st);
  return 1;
}

MediaArtifactRecord MediaArtifacts::Make(MediaArtifactRecord a) {
  auto fail = [&](const Status& st) {
    if (Retryable(st) && a.attempts < options_.max_attempts) {
      a.run_after_ms = clock_.NowMillis() + options_.backoff.count() * a.attempts;
      return a;  // still pending
    }
    a.state = "failed";
    a.detail = st.reason().empty() ? "internal" : st.reason();
    return a;
  };
  Result<MediaRecord> m = store_.FindMedia(a.account_id, a.media_id);
  if (!m.ok()) return fail(m.status());
  // Restriction, objection and consent are read now, when the work would
  // start, not when it was queued.
  Status admitted =
      gate_.Admit(m->account_id, m->end_user, ProcessingUse::kProcessing, PurposeOf(a.kind));
  if (admitted.code() == Status::Code::kPermissionDenied) {
    a.state = "refused";
    a.detail = admitted.reason();
    return a;
  }
  if (!admitted.ok()) return fail(admitted);
  if (a.kind != kArtifactPoster && m->duration_ms &&
      *m->duration_ms > options_.max_duration.count()) {
    a.state = "failed";
    a.detail = "processing-limit";
    return a;
  }
  Result<std::string> out = Derive(*m, a.kind);
  if (!out.ok()) return fail(out.status());
  Status stored = Store(*m, a, *out);
  if (!stored.ok()) return fail(stored);
  return a;
}

Result<std::string> MediaArtifacts::Derive(const MediaRecord& m, const std::string& kind) {
  if (m.bytes <= 0) return Status::Unprocessable("media-undecodable", "the media is empty");
  LETHE_ASSIGN_OR_RETURN(std::unique_ptr<MediaReader> reader,
                         library_.Open(m, 0, static_cast<uint64_t>(m.bytes) - 1));
  return worker_.Run(kind, m.kind, [&reader](std::span<uint8_t> out) { return reader->Read(out); });
}

Status MediaArtifacts::Store(const MediaRecord& m, MediaArtifactRecord& a,
                             const std::string& plain) {
  const std::string blob_id = MediaArtifactBlobId(m.blob_id, a.kind);
  // The intent first: a crash from here on leaves the blob to Recover().
  LETHE_RETURN_IF_ERROR(store_.Transact(
      [&](MetadataTx& tx) { return tx.InsertBlobIntent(blob_id, clock_.NowMillis()); }));
  Status old = blobs_.Remove(blob_id);  // an earlier attempt's, if any
  if (!old.ok() && old.code() != Status::Code::kNotFound) return old;
  LETHE_ASSIGN_OR_RETURN(Key dek,
                         keys_.UnwrapDataKey(m.account_id, m.end_user, m.blob_id, m.wrapped_key));
  KeyWiper wipe(dek);
  LETHE_ASSIGN_OR_RETURN(std::unique_ptr<BlobWriter> writer, blobs_.Create(blob_id));
  StreamSealer sealer(
      dek, blob_id, [&writer](std::span<const uint8_t> sealed) { return writer->Append(sealed); });
  LETHE_RETURN_IF_ERROR(sealer.Append(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(plain.data()), plain.size())));
  LETHE_RETURN_IF_ERROR(sealer.Finish());
  LETHE_RETURN_IF_ERROR(writer->Commit());
  bool media_gone = false;
  a.state = "ready";
  a.bytes = static_cast<int64_t>(plain.size());
  a.detail.clear();
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    media_gone = !tx.FindMedia(m.account_id, m.id).ok();
    if (!media_gone) {
      LETHE_RETURN_IF_ERROR(tx.UpsertMediaArtifact(a));
      LETHE_RETURN_IF_ERROR(tx.DeleteBlobIntents({blob_id}));
    }
    return Status::Ok();
  }));
  // Deleted while we worked: its removal may have missed this blob.
  if (media_gone && blobs_.Remove(blob_id).ok()) {
    (void)store_.Transact([&](MetadataTx& tx) { return tx.DeleteBlobIntents({blob_id}); });
  }
  return Status::Ok();
}

Result<std::vector<MediaArtifactRecord>> MediaArtifacts::List(const MediaRecord& media) {
  return store_.ListMediaArtifacts(media.id);
}

Result<std::string> MediaArtifacts::Read(const MediaRecord& m, std::string_view kind) {
  LETHE_ASSIGN_OR_RETURN(std::vector<MediaArtifactRecord> all, store_.ListMediaArtifacts(m.id));
  const MediaArtifactRecord* a = nullptr;
  for (const MediaArtifactRecord& r : all) {
    if (r.kind == kind && r.account_id == m.account_id) a = &r;
  }
  if (a == nullptr) {
    return Status::NotFound("this media has no " + std::string(kind));
  }
  if (a->state == "pending") {
    return Status(Status::Code::kNotFound, "artifact-pending",
                  "the " + std::string(kind) + " is being made; try again shortly");
  }
  if (a->state != "ready") {
    return Status::NotFound("the " + std::string(kind) + " was not made: " + a->state + " (" +
                            a->detail + ")");
  }
  const std::string blob_id = MediaArtifactBlobId(m.blob_id, kind);
  LETHE_ASSIGN_OR_RETURN(Key dek,
                         keys_.UnwrapDataKey(m.account_id, m.end_user, m.blob_id, m.wrapped_key));
  KeyWiper wipe(dek);
  auto blob = blobs_.Open(blob_id);
  if (!blob.ok()) {
    if (blob.status().code() == Status::Code::kNotFound) {
      return Status::DataLoss("the stored bytes of this " + std::string(kind) + " are missing");
    }
    return blob.status();
  }
  uint64_t size = static_cast<uint64_t>(a->bytes);
  if ((*blob)->size() != SealedSize(size))
    return Status::DataLoss("stored blob has the wrong length");
  std::string out(size, '\0');
  if (size == 0) return out;
  MediaReader reader(std::move(*blob), dek, blob_id, size, 0, size - 1);
  size_t at = 0;
  while (at < size) {
    LETHE_ASSIGN_OR_RETURN(size_t n, reader.Read(std::span<uint8_t>(
                                         reinterpret_cast<uint8_t*>(out.data()) + at, size - at)));
    if (n == 0) return Status::DataLoss("the stored " + std::string(kind) + " is short");
    at += n;
  }
  return out;
}

Status MediaArtifacts::SetTranscription(const std::string& account_id, bool enabled) {
  return store_.Transact(
      [&](MetadataTx& tx) { return tx.SetTranscriptionSetting(account_id, enabled); });
}

}  // namespace lethe
