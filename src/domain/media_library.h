// MediaLibrary: the end users' media (USE-2), encrypted at rest (SEC-1) and
// never half-written.
//
// Ingest streams: bytes are sniffed, hashed, sealed in 64 KiB AES-256-GCM
// chunks under a fresh data key and appended to a blob as they arrive, so
// memory stays bounded whatever the size. An object becomes visible only
// when Commit() has made the blob durable and then committed its record;
// anything less leaves nothing behind, and Recover() at startup removes
// what a crash between those steps can leave. It finds that through blob
// intents (records.h), not by listing the blob store: an intent is durable
// before the first byte of a blob is written and goes in the transaction
// that deletes a record, and it is cleared with the record's insert or once
// the blob is gone, so startup work is O(pending), not O(blobs). Reads decrypt only the
// chunks a byte range needs and fail with DataLoss rather than return
// bytes that do not authenticate.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "crypto/chunked_cipher.h"
#include "crypto/keyed_id.h"
#include "crypto/secret_hash.h"
#include "crypto/sha256_pipe.h"
#include "domain/accounts.h"
#include "domain/actor.h"
#include "domain/audit_log.h"
#include "domain/domain_events.h"
#include "domain/key_ring.h"
#include "domain/media_intake.h"
#include "ports/blob_store.h"
#include "ports/clock.h"
#include "ports/metadata_store.h"
#include "ports/random.h"
#include "ports/space_reserve.h"

namespace lethe {

// Sealed chunks (64 KiB each) a MediaReader reads per system call by
// default: 256 KiB, as streaming sends.
inline constexpr uint64_t kMediaReadWindowChunks = 4;

// Derived artifacts a media object can have (media_artifacts.h). Each is
// one blob, named after the media's blob and sealed under the media's data
// key, and removed with the media.
inline constexpr std::string_view kArtifactPoster = "poster";
inline constexpr std::string_view kArtifactTranscript = "transcript";
inline constexpr std::string_view kArtifactWeb = "web";  // the web rendition (H.264/AAC MP4)
inline std::string MediaArtifactBlobId(const std::string& media_blob_id, std::string_view kind) {
  return media_blob_id + "-" + std::string(kind);
}
// The media's blob and every artifact blob it may have.
inline std::vector<std::string> MediaBlobIds(const std::string& media_blob_id) {
  return {media_blob_id, MediaArtifactBlobId(media_blob_id, kArtifactPoster),
          MediaArtifactBlobId(media_blob_id, kArtifactTranscript),
          MediaArtifactBlobId(media_blob_id, kArtifactWeb)};
}

inline constexpr size_t kMaxTags = 32;
inline constexpr int64_t kMaxExpirationDays = 36500;

// Descriptive fields of a media object, as given at ingest or in a patch.
struct MediaFields {
  std::optional<std::string> end_user;
  std::optional<std::string> title;
  std::optional<std::vector<std::string>> tags;
  std::optional<int64_t> expiration_days;
  std::optional<std::string> expire_on;  // "YYYY-MM-DD": gone from 00:00 UTC that day
  // At ingest only: make a web rendition of this upload whatever the
  // account's setting ("media.created" carries the wish).
  std::optional<bool> web_rendition;
};

// Checks the shape of each present field. InvalidArgument("invalid-field").
Status CheckMediaFields(const MediaFields& fields);

// Narrower terms for one ingest, set by a delegated credential (an upload
// token, upload_tokens.h). Unset: the library's own limits.
struct IngestTerms {
  std::optional<uint64_t> max_bytes;  // at most the library's limit
  std::vector<std::string> kinds;     // allowed kinds; empty: any
  // Runs in the transaction that commits the record `m` (its id and
  // fields set), before the insert: its error (say, a use of the token no
  // longer left) stores nothing.
  std::function<Status(MetadataTx&, const MediaRecord& m)> in_commit;
};

class MediaIngest;
class MediaReader;

// What startup recovery may take for a dead predecessor's (MediaLibrary::
// Recover). By default the stores are this process's alone and all of it is.
struct RecoveryScope {
  // With several servers on one metadata store, how old another
  // instance's blob intent must be before it counts as abandoned: a
  // younger one may be a peer's upload or deletion in flight. Intents of
  // this library's own instance (SetInstance) are a predecessor's at any
  // age. 0: the metadata store is this process's alone.
  std::chrono::milliseconds peer_age{0};
  // Whether the blob store is this process's alone (a local directory
  // inside its locked data directory), so that every interrupted write in
  // it is a predecessor's; otherwise only those older than `peer_age` are.
  bool own_blob_store = true;
};

class MediaLibrary {
 public:
  // `reserve` (may be null) is released when a deletion finds the volume
  // full, so deleting keeps working there.
  // Audit events name media by `ids` (never the media id in clear), so the
  // chain can outlive an erasure.
  MediaLibrary(MetadataStore& store, BlobStore& blobs, KeyRing& keys, AuditLog& audit,
               const KeyedIds& ids, const Clock& clock, Random& random, uint64_t max_bytes,
               SpaceReserve* reserve = nullptr)
      : store_(store),
        reserve_(reserve),
        blobs_(blobs),
        keys_(keys),
        audit_(audit),
        ids_(ids),
        clock_(clock),
        random_(random),
        max_bytes_(max_bytes) {}

  // Starts an ingest for `who`. `declared_type` is the Content-Type the
  // client gave ("" or application/octet-stream: infer from the bytes).
  // `terms` narrows what the ingest accepts: past its max_bytes Append
  // returns TooLarge("upload-token-size"), a sniffed kind outside its kinds
  // is UnsupportedMedia("upload-token-kind"). With an intake (SetIntake)
  // it reads the account's scrub setting, once for the whole upload; the
  // store's error (its code and reason, for any store error) fails the
  // ingest before anything is stored.
  Result<std::unique_ptr<MediaIngest>> BeginIngest(const Principal& who, std::string declared_type,
                                                   const RequestOrigin& origin,
                                                   IngestTerms terms = {});

  // Metadata, served from an in-memory cache after the first read; Update
  // and Delete evict (and a read racing with them does not cache). Media
  // past its retention (expiration_days) is NotFound from that instant,
  // before the sweep (ExpireDue) removes it.
  Result<MediaRecord> Get(const std::string& account_id, const std::string& media_id);
  // Listing, oldest first, without expired media; query.limit is clamped
  // to 1..1000. next_after_seq is set when more may follow (a page can hold
  // fewer than `limit` items when some had expired).
  struct Page {
    std::vector<MediaRecord> items;
    std::optional<int64_t> next_after_seq;
  };
  Result<Page> List(MediaQuery query);
  // Corrects title, tags and end user. A new end user re-wraps the data key
  // under that end user's key.
  Result<MediaRecord> Update(const Principal& who, const std::string& media_id,
                             const MediaFields& patch, const RequestOrigin& origin);
  // Removes the record, and with it the only wrapped copy of the media's
  // data key, in one transaction with `action` audited for `actor` and
  // whatever `in_tx` adds after that event (an erasure's receipt); then
  // the blob. Once the
  // record is gone the media is deleted and this returns OK, even if the
  // blob could not be removed: that orphan is left to Recover(). NotFound
  // if there is no such media; in_tx's error aborts the whole removal.
  using RemovalStep = std::function<Status(MetadataTx&, const MediaRecord&)>;
  Status Remove(const std::string& account_id, const std::string& media_id, const Actor& actor,
                const std::string& action, const RequestOrigin& origin,
                const RemovalStep& in_tx = nullptr);

  // Opens the plaintext bytes [first, last] of a media object, reading
  // the blob `window_chunks` sealed chunks (64 KiB each) at a time.
  // DataLoss when its blob is missing or has the wrong length; the key
  // ring's or blob store's other errors.
  Result<std::unique_ptr<MediaReader>> Open(const MediaRecord& media, uint64_t first, uint64_t last,
                                            uint64_t window_chunks = kMediaReadWindowChunks) {
    return OpenSealed(media, media.blob_id, static_cast<uint64_t>(media.bytes), "media", first,
                      last, window_chunks);
  }
  // The same for any blob sealed under `media`'s data key: its own
  // (`blob_id` = media.blob_id) or an artifact's (MediaArtifactBlobId),
  // `plain_size` bytes of plaintext. A missing blob is DataLoss naming
  // `what` ("media", "poster", ...), never NotFound: a record without its
  // bytes is damage, not absence.
  Result<std::unique_ptr<MediaReader>> OpenSealed(const MediaRecord& media,
                                                  const std::string& blob_id, uint64_t plain_size,
                                                  std::string_view what, uint64_t first,
                                                  uint64_t last,
                                                  uint64_t window_chunks = kMediaReadWindowChunks);

  // Erasure (USE-5): removes every media of `end_user` in the account,
  // records in batches (one transaction each) then their blobs, each
  // audited as "media.erase" by `actor`. Returns how many it removed.
  Result<int> EraseEndUserMedia(const std::string& account_id, const std::string& end_user,
                                const Actor& actor, const RequestOrigin& origin) {
    return EraseMediaOf(account_id, end_user, actor, origin);
  }
  // The same for every media of the account (ACC-10).
  Result<int> EraseAccountMedia(const std::string& account_id, const Actor& actor,
                                const RequestOrigin& origin) {
    return EraseMediaOf(account_id, std::nullopt, actor, origin);
  }

  // Serves cached records for at most `lifetime` (zero: until a change
  // here evicts them): with several servers on one metadata store, a media
  // deleted or changed by another is not served from here past that.
  // Set before serving.
  void SetCacheLifetime(std::chrono::milliseconds lifetime) { cache_lifetime_ = lifetime; }

  // Names this server's instance (InstanceId) in the blob intents that it,
  // and the uploads and artifacts that use it, make: Recover() on a shared
  // store then takes back at once what a dead predecessor of the same
  // instance left. Set before serving.
  void SetInstance(std::string instance) { instance_ = std::move(instance); }
  // Records in `tx` that blob `blob_id` is about to be written or removed,
  // so that after a crash Recover() finds it. Returns the store's error.
  Status NoteBlobIntent(MetadataTx& tx, const std::string& blob_id) const {
    return tx.InsertBlobIntent(blob_id, clock_.NowMillis(), instance_);
  }

  // Told of "media.created" and "media.deleted" in the transaction of
  // each (null: no one). Set before the first ingest.
  void SetEvents(DomainEvents* events) { events_ = events; }
  // Probes (and, per account, scrubs) each upload before its record
  // commits (media_intake.h); null: neither, media get no details. With
  // it, Commit can also return UnsupportedMedia ("undecodable-media",
  // "media-too-large-dimensions", "media-probe-limit",
  // "unscrubbable-media") and TooLarge("scrub-too-large"), storing
  // nothing. A scrubbed file replaces the original before Commit returns:
  // the record names the scrubbed bytes (size, sha256), the original's
  // blob is removed, and "media.scrub" is audited with the removed field
  // names. Set before the first ingest.
  void SetIntake(const MediaIntake* intake) { intake_ = intake; }
  // Drops every cached record (an account's retention moved their expiry).
  void ForgetCached() {
    std::unique_lock lock(cache_mu_);
    ++generation_;
    cache_.clear();
  }

  // Startup recovery: removes interrupted writes (BlobStore::RemoveIncomplete)
  // and the blob of every outstanding intent that no record names, then
  // the intents. Never lists the blob store, except once for the intent
  // '*' that schema v12 leaves (a full sweep for an older data directory).
  // `scope` says what may be another live server's work (issue 13).
  // Returns how many blobs and files were removed.
  Result<int> Recover(const RecoveryScope& scope = {});

 private:
  DomainEvents* events_ = nullptr;
  const MediaIntake* intake_ = nullptr;
  friend class MediaIngest;
  // Runs the intake on the durable blob of `in` and applies its outcome to
  // `m` (details; a scrubbed blob in place of the original).
  Status TakeIn(MediaIngest& in, MediaRecord& m, IntakeOutcome& outcome);
  Status AuditIntake(MetadataTx& tx, const Actor& actor, const IntakeOutcome& intake,
                     const MediaRecord& m, const RequestOrigin& origin);
  // Seals `plain` under `key` into a new, committed blob `blob_id`;
  // returns the plaintext's SHA-256 (hex).
  Result<std::string> StoreSealed(const std::string& blob_id, const Key& key, ByteSource& plain);
  // Stores `plain` under the ingest's data key in place of `m`'s blob (a
  // scrubbed file, or the file as sent), and points `m` and `in` at it.
  Status ReplaceBlob(MediaIngest& in, MediaRecord& m, ByteSource& plain);
  Result<int> EraseMediaOf(const std::string& account_id,
                           const std::optional<std::string>& end_user, const Actor& actor,
                           const RequestOrigin& origin);
  bool Expired(const MediaRecord& m) const {
    return m.expires_ms && *m.expires_ms <= clock_.NowMillis();
  }
  Result<MediaRecord> Commit(MediaIngest& ingest, const MediaFields& fields);
  void Evict(const std::string& media_id);
  // Best effort: an intent left behind only costs recovery a look.
  void ClearIntents(const std::vector<std::string>& blob_ids);
  Result<int> SweepAllOrphans();
  static constexpr size_t kMaxCached = 10000;
  // True when the cache is older than its lifetime. Needs cache_mu_.
  bool CacheStale() const {
    return cache_lifetime_.count() > 0 &&
           std::chrono::steady_clock::now() - cache_born_ >= cache_lifetime_;
  }

  MetadataStore& store_;
  SpaceReserve* reserve_;
  BlobStore& blobs_;
  KeyRing& keys_;
  AuditLog& audit_;
  const KeyedIds& ids_;
  const Clock& clock_;
  Random& random_;
  uint64_t max_bytes_;
  std::shared_mutex cache_mu_;
  std::unordered_map<std::string, MediaRecord> cache_;  // media id -> record
  uint64_t generation_ = 0;                             // bumped by every eviction
  std::chrono::milliseconds cache_lifetime_{0};         // 0: no limit
  std::chrono::steady_clock::time_point cache_born_ = std::chrono::steady_clock::now();
  std::string instance_;  // named in blob intents; "" in tests of one server
};

// One upload in progress. Destroying it without Commit() abandons it.
class MediaIngest {
 public:
  ~MediaIngest();
  // Takes the next bytes. Returns UnsupportedMedia when the first bytes do
  // not match the declared type, TooLarge past the size limit, Internal on
  // I/O failure. After an error the ingest is dead.
  Status Append(std::span<const uint8_t> bytes);
  // Completes the upload with `fields` and returns the stored record.
  Result<MediaRecord> Commit(const MediaFields& fields);

 private:
  friend class MediaLibrary;
  MediaIngest(MediaLibrary& library, Principal who, std::string declared_type, RequestOrigin origin,
              std::string media_id, std::string blob_id, Key data_key,
              std::unique_ptr<BlobWriter> writer, IngestTerms terms);
  Status Sniff();
  // Through the blanker, if any, to SealAsIs.
  Status Seal(std::span<const uint8_t> bytes);
  Status SealAsIs(std::span<const uint8_t> bytes);
  Status Flush();

  MediaLibrary& library_;
  Principal who_;
  std::string declared_type_;
  RequestOrigin origin_;
  std::string media_id_;
  std::string blob_id_;
  Key data_key_;
  std::unique_ptr<BlobWriter> writer_;
  IngestTerms terms_;
  std::unique_ptr<StreamSealer> sealer_;
  Sha256Pipe sha256_;  // hashes on its own thread
  std::string kind_;
  std::string content_type_;
  std::string container_;  // SniffContainer()'s name
  bool scrub_ = false;     // the account scrubs: blank an MP4 as it comes, then scrub
  std::unique_ptr<Mp4Blanker> blanker_;
  std::vector<uint8_t> head_;  // first bytes, until sniffed
  std::vector<uint8_t> out_;   // sealed bytes waiting for one larger write
  uint64_t bytes_ = 0;
  Status failed_;
  // The blob intent needs nothing more from the destructor: it went with
  // the record's insert, or stays for Recover() because the blob may exist.
  bool intent_settled_ = false;
};

// Plaintext bytes of one range of one object, decrypted chunk by chunk.
class MediaReader {
 public:
  MediaReader(std::unique_ptr<BlobReader> blob, const Key& data_key, const std::string& blob_id,
              uint64_t plain_size, uint64_t first, uint64_t last,
              uint64_t window_chunks = kMediaReadWindowChunks);
  ~MediaReader();
  uint64_t remaining() const { return end_ - pos_; }
  // Fills the front of `out`; returns the count, 0 at the end of the range.
  // DataLoss when a chunk fails authentication.
  Result<size_t> Read(std::span<uint8_t> out);

 private:
  // The sealed bytes of chunk `index`, read ahead with the next few.
  Result<std::span<const uint8_t>> SealedChunk(uint64_t index);

  std::unique_ptr<BlobReader> blob_;
  ChunkOpener opener_;
  Key key_;
  uint64_t pos_;
  uint64_t end_;                 // one past the last byte
  uint64_t window_chunks_;       // chunks per read
  std::vector<uint8_t> sealed_;  // sealed chunks [window_first_, +window_count_)
  uint64_t window_first_ = 0;
  uint64_t window_count_ = 0;
  std::vector<uint8_t> plain_;
  uint64_t plain_index_ = UINT64_MAX;  // chunk held in plain_
};

}  // namespace lethe
