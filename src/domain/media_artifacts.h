// MediaArtifacts: what Lethe derives from a media object on its own
// premises (SHR-3: no sub-processor sees it): a poster (a WebP frame at 10 %
// of a video, or a preview of an image), when the account opted in a
// transcript of audio and video (pocketsphinx), and when the account or
// the upload asked for it a web rendition (an H.264/AAC MP4 with its index
// first, for playback everywhere). While the rendition is being made its
// row holds the worker's progress (written at most once a second); the
// transaction that marks it ready emits "media.rendition_ready".
//
// Each artifact is a durable task in the metadata store, created in the
// transaction that commits the media (it receives "media.created" as a
// DomainEvents receiver), and worked through by RunDue on the job runner,
// a bounded number at a time. Before any decoding, the processing gate
// admits the work for its purpose (RGT-1, USE-3): posters serve the
// contracted service, transcripts need the end user's opt-in to
// "transcription"; a refusal leaves the artifact "refused" and nothing
// decoded. Decoding runs in a MediaWorker (another process, with CPU and
// memory limits) fed the plaintext through a pipe. The result is sealed
// under the media's own data key into the blob MediaArtifactBlobId(), so
// destroying that key (erasure) makes it unreadable, and MediaLibrary
// removes it with the media.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "domain/domain_events.h"
#include "domain/key_ring.h"
#include "domain/media_library.h"
#include "domain/processing_gate.h"
#include "ports/blob_store.h"
#include "ports/clock.h"
#include "ports/media_worker.h"
#include "ports/metadata_store.h"

namespace lethe {

inline constexpr std::string_view kTranscriptEngine = "pocketsphinx";

struct MediaArtifactOptions {
  std::chrono::milliseconds lease{std::chrono::minutes(15)};
  int max_attempts = 3;  // for retryable errors (the store, the blob store)
  std::chrono::milliseconds backoff{std::chrono::seconds(5)};
  // Longer media get no transcript or web rendition (failed,
  // processing-limit) and no worker is started: hours of audio would only
  // spend the CPU limit. A poster reads one frame and is made at any
  // length.
  std::chrono::milliseconds max_duration{std::chrono::hours(4)};
  // The least time between two writes of a rendition's progress.
  std::chrono::milliseconds progress_interval{std::chrono::seconds(1)};
  // The instance whose leases these are (InstanceId); "" in tests.
  std::string instance;
};

class MediaArtifacts final : public DomainEvents {
 public:
  MediaArtifacts(MetadataStore& store, MediaLibrary& library, BlobStore& blobs, KeyRing& keys,
                 ProcessingGate& gate, MediaWorker& worker, const Clock& clock,
                 MediaArtifactOptions options = {})
      : store_(store),
        library_(library),
        blobs_(blobs),
        keys_(keys),
        gate_(gate),
        worker_(worker),
        clock_(clock),
        options_(options) {}

  // On "media.created": adds a pending poster for video and images, a
  // pending transcript for audio and video when the account opted in, and
  // a pending web rendition of audio and video when the account's setting
  // or the event (asks "web_rendition") wants one. Other events are
  // ignored. The store's error rolls the upload back.
  Status Emit(MetadataTx& tx, const DomainEvent& event) override;

  // At start: the artifacts a crashed predecessor was making become
  // claimable now rather than when their leases run out. With
  // `sole_worker` every lease is a predecessor's; else only those in this
  // instance's name (options.instance). Returns how many.
  Result<int64_t> ResumeAbandoned(bool sole_worker);

  // Called after a transaction that added artifacts commits.
  void OnQueued(std::function<void()> wake) { wake_ = std::move(wake); }
  // Told "media.rendition_ready" (ids: media_id) in the transaction that
  // marks a web rendition ready (null: no one). Set before RunOne.
  void SetEvents(DomainEvents* events) { events_ = events; }

  // Claims one due artifact and makes it. Returns 1 when it worked on one
  // (whatever came of it), 0 when none was due, or the store's error.
  Result<int> RunOne();

  // The artifacts of `media` (whose account the caller has checked).
  Result<std::vector<MediaArtifactRecord>> List(const MediaRecord& media);

  // The plaintext of the ready artifact `kind` of `media`. NotFound
  // ("artifact-pending") while it is being made, NotFound when there is
  // none or it failed or was refused (the message says which); DataLoss
  // when its bytes do not authenticate.
  Result<std::string> Read(const MediaRecord& media, std::string_view kind);

  // The row of the ready artifact `kind` of `media` (its plaintext size in
  // `bytes`), with Read's errors for one that is not ready.
  Result<MediaArtifactRecord> Ready(const MediaRecord& media, std::string_view kind);
  // Opens the plaintext bytes [first, last] of `ready` (a row Ready
  // returned), to stream them. DataLoss when the blob is missing or has
  // the wrong length.
  Result<std::unique_ptr<MediaReader>> Open(const MediaRecord& media,
                                            const MediaArtifactRecord& ready, uint64_t first,
                                            uint64_t last);

  // A change of an account's media processing settings: each field set
  // changes its setting, an unset one stays.
  struct SettingsPatch {
    std::optional<bool> transcription;
    std::optional<bool> web_rendition;
  };
  // Applies `patch` to the account's settings, for media uploaded from
  // now on, reading and writing them in one transaction (two patches of
  // different fields at once both stick). Returns the settings as they
  // now are, or the store's error.
  Result<MediaProcessingSettings> UpdateSettings(const std::string& account_id,
                                                 const SettingsPatch& patch);
  Result<MediaProcessingSettings> Settings(const std::string& account_id) {
    return store_.FindMediaProcessingSettings(account_id);
  }

 private:
  // Makes `a` and returns its new row.
  MediaArtifactRecord Make(MediaArtifactRecord a);
  // Runs the worker on the media's plaintext and seals its output into the
  // artifact's blob as it comes; marks the artifact ready unless the media
  // went meanwhile (then the blob goes too).
  Status Produce(const MediaRecord& m, MediaArtifactRecord& a);
  // Writes the worker's progress on `a`, at most once per interval.
  void NoteProgress(MediaArtifactRecord& a, double done);

  MetadataStore& store_;
  MediaLibrary& library_;
  BlobStore& blobs_;
  KeyRing& keys_;
  ProcessingGate& gate_;
  MediaWorker& worker_;
  const Clock& clock_;
  MediaArtifactOptions options_;
  std::function<void()> wake_;
  DomainEvents* events_ = nullptr;
};

}  // namespace lethe
