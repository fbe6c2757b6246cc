#include "domain/media_artifacts.h"

#include <algorithm>
#include <optional>
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

// The purpose each artifact serves at the processing gate: a poster and a
// web rendition are part of the hosting the customer contracted for; a
// transcript is an optional use that needs the end user's opt-in (USE-3).
std::string_view PurposeOf(std::string_view kind) {
  return kind == kArtifactTranscript ? kPurposeTranscription : kPurposeService;
}

bool Wants(std::string_view kind, const std::string& media_kind) {
  if (kind == kArtifactPoster) return media_kind == "video" || media_kind == "image";
  return media_kind == "video" || media_kind == "audio";
}

bool Asked(const DomainEvent& event, std::string_view what) {
  for (const std::string& a : event.asks) {
    if (a == what) return true;
  }
  return false;
}

}  // namespace

Status MediaArtifacts::Emit(MetadataTx& tx, const DomainEvent& event) {
  if (event.type != "media.created") return Status::Ok();
  std::string media_id;
  for (const auto& [k, v] : event.ids) {
    if (k == "media_id") media_id = v;
  }
  LETHE_ASSIGN_OR_RETURN(MediaRecord m, tx.FindMedia(event.account_id, media_id));
  LETHE_ASSIGN_OR_RETURN(MediaProcessingSettings settings,
                         tx.FindMediaProcessingSettings(m.account_id));
  const bool web = settings.web_rendition || Asked(event, "web_rendition");
  int64_t now = clock_.NowMillis();
  bool queued = false;
  for (std::string_view kind : {kArtifactPoster, kArtifactTranscript, kArtifactWeb}) {
    if (!Wants(kind, m.kind)) continue;
    if (kind == kArtifactTranscript && !settings.transcription) continue;
    if (kind == kArtifactWeb && !web) continue;
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

Result<int64_t> MediaArtifacts::ResumeAbandoned(bool sole_worker) {
  if (!sole_worker && options_.instance.empty()) return 0;  // cannot tell whose
  int64_t freed = 0;
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    LETHE_ASSIGN_OR_RETURN(freed, tx.ReleaseArtifactLeases(sole_worker ? "" : options_.instance));
    return Status::Ok();
  }));
  return freed;
}

Result<int> MediaArtifacts::RunOne() {
  int64_t now = clock_.NowMillis();
  std::vector<MediaArtifactRecord> claimed;
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    LETHE_ASSIGN_OR_RETURN(
        claimed, tx.ClaimMediaArtifacts(now, now + options_.lease.count(), 1, options_.instance));
    return Status::Ok();
  }));
  if (claimed.empty()) return 0;
  MediaArtifactRecord a = Make(std::move(claimed.front()));
  if (a.state == "ready") return 1;  // recorded with its blob
  a.lease_until_ms.reset();
  a.lease_owner.clear();
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
      a.progress_milli = 0;  // the next attempt starts over
      return a;              // still pending
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
  if (m->bytes <= 0) return fail(Status::Unprocessable("media-undecodable", "the media is empty"));
  Status made = Produce(*m, a);
  if (!made.ok()) return fail(made);
  return a;
}

Status MediaArtifacts::Produce(const MediaRecord& m, MediaArtifactRecord& a) {
  const std::string blob_id = MediaArtifactBlobId(m.blob_id, a.kind);
  // The intent first: a crash from here on leaves the blob to Recover().
  LETHE_RETURN_IF_ERROR(
      store_.Transact([&](MetadataTx& tx) { return library_.NoteBlobIntent(tx, blob_id); }));
  auto drop_intent = [&] {  // best effort: a left intent only costs Recover() a look
    (void)store_.Transact([&](MetadataTx& tx) { return tx.DeleteBlobIntents({blob_id}); });
  };
  Status old = blobs_.Remove(blob_id);  // an earlier attempt's, if any
  if (!old.ok() && old.code() != Status::Code::kNotFound) return old;
  LETHE_ASSIGN_OR_RETURN(std::unique_ptr<MediaReader> reader,
                         library_.Open(m, 0, static_cast<uint64_t>(m.bytes) - 1));
  LETHE_ASSIGN_OR_RETURN(Key dek,
                         keys_.UnwrapDataKey(m.account_id, m.end_user, m.blob_id, m.wrapped_key));
  KeyWiper wipe(dek);
  // The output is sealed as it comes: a rendition is never whole in the
  // server's memory. The blob is made with the first output byte, so a job
  // that fails before (a damaged file) writes nothing at all; a failed run
  // drops the uncommitted blob with `writer`.
  std::unique_ptr<BlobWriter> writer;
  std::optional<StreamSealer> sealer;
  auto open_blob = [&]() -> Status {
    if (writer) return Status::Ok();
    LETHE_ASSIGN_OR_RETURN(writer, blobs_.Create(blob_id));
    sealer.emplace(dek, blob_id,
                   [&writer](std::span<const uint8_t> sealed) { return writer->Append(sealed); });
    return Status::Ok();
  };
  uint64_t plain_bytes = 0;
  std::chrono::steady_clock::time_point last_note{};  // the first note is written at once
  MediaWorker::Progress progress = nullptr;
  if (a.kind == kArtifactWeb) {
    progress = [&](double done) {
      auto now = std::chrono::steady_clock::now();
      if (now - last_note < options_.progress_interval) return;
      last_note = now;
      NoteProgress(a, done);
    };
  }
  Status ran = worker_.Stream(
      a.kind, m.kind, [&reader](std::span<uint8_t> out) { return reader->Read(out); },
      [&](std::span<const uint8_t> bytes) -> Status {
        LETHE_RETURN_IF_ERROR(open_blob());
        plain_bytes += bytes.size();
        return sealer->Append(bytes);
      },
      progress);
  if (ran.ok()) ran = open_blob();  // an empty output is still an artifact
  if (ran.ok()) ran = sealer->Finish();
  if (ran.ok()) ran = writer->Commit();
  if (!ran.ok()) {
    sealer.reset();
    writer.reset();
    drop_intent();
    return ran;
  }
  bool media_gone = false;
  a.state = "ready";
  a.bytes = static_cast<int64_t>(plain_bytes);
  a.detail.clear();
  a.progress_milli = 1000;
  a.lease_until_ms.reset();
  a.updated_ms = clock_.NowMillis();
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    media_gone = !tx.FindMedia(m.account_id, m.id).ok();
    if (media_gone) return Status::Ok();
    LETHE_RETURN_IF_ERROR(tx.UpsertMediaArtifact(a));
    LETHE_RETURN_IF_ERROR(tx.DeleteBlobIntents({blob_id}));
    if (a.kind != kArtifactWeb || events_ == nullptr) return Status::Ok();
    return events_->Emit(tx,
                         {"media.rendition_ready", m.account_id, m.end_user, {{"media_id", m.id}}});
  }));
  // Deleted while we worked: its removal may have missed this blob.
  if (media_gone && blobs_.Remove(blob_id).ok()) drop_intent();
  return Status::Ok();
}

void MediaArtifacts::NoteProgress(MediaArtifactRecord& a, double done) {
  // Below 1 while pending: 1 is for the ready rendition.
  a.progress_milli = static_cast<int>(std::clamp(done, 0.0, 0.999) * 1000.0);
  a.updated_ms = clock_.NowMillis();
  // A transcode may outlast the lease: each note renews it.
  a.lease_until_ms = a.updated_ms + options_.lease.count();
  // Best effort: a lost write only makes the figure lag.
  (void)store_.Transact([&](MetadataTx& tx) -> Status {
    if (!tx.FindMedia(a.account_id, a.media_id).ok()) return Status::Ok();
    return tx.UpsertMediaArtifact(a);
  });
}

Result<std::vector<MediaArtifactRecord>> MediaArtifacts::List(const MediaRecord& media) {
  return store_.ListMediaArtifacts(media.id);
}

Result<MediaArtifactRecord> MediaArtifacts::Ready(const MediaRecord& m, std::string_view kind) {
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
  return *a;
}

Result<std::unique_ptr<MediaReader>> MediaArtifacts::Open(const MediaRecord& m,
                                                          const MediaArtifactRecord& ready,
                                                          uint64_t first, uint64_t last) {
  return library_.OpenSealed(m, MediaArtifactBlobId(m.blob_id, ready.kind),
                             static_cast<uint64_t>(ready.bytes), ready.kind, first, last);
}

Result<std::string> MediaArtifacts::Read(const MediaRecord& m, std::string_view kind) {
  LETHE_ASSIGN_OR_RETURN(MediaArtifactRecord a, Ready(m, kind));
  uint64_t size = static_cast<uint64_t>(a.bytes);
  if (size == 0) return std::string();
  LETHE_ASSIGN_OR_RETURN(std::unique_ptr<MediaReader> reader, Open(m, a, 0, size - 1));
  std::string out(size, '\0');
  size_t at = 0;
  while (at < size) {
    LETHE_ASSIGN_OR_RETURN(size_t n, reader->Read(std::span<uint8_t>(
                                         reinterpret_cast<uint8_t*>(out.data()) + at, size - at)));
    if (n == 0) return Status::DataLoss("the stored " + std::string(kind) + " is short");
    at += n;
  }
  return out;
}

Result<MediaProcessingSettings> MediaArtifacts::UpdateSettings(const std::string& account_id,
                                                               const SettingsPatch& patch) {
  MediaProcessingSettings s;
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    LETHE_ASSIGN_OR_RETURN(s, tx.FindMediaProcessingSettings(account_id));
    if (patch.transcription) s.transcription = *patch.transcription;
    if (patch.web_rendition) s.web_rendition = *patch.web_rendition;
    return tx.SetMediaProcessingSettings(account_id, s);
  }));
  return s;
}

}  // namespace lethe
