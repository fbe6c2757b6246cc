#include "domain/media_library.h"

#include <algorithm>
#include <cstring>
#include <unordered_set>

#include "common/time_format.h"
#include "domain/validation.h"
#include "media/sniff.h"

namespace lethe {
namespace {

constexpr int64_t kMillisPerDay = 86'400'000;
// Sealed chunks are gathered into writes of this size: fewer syscalls.
constexpr size_t kWriteBatch = 1 << 20;

// Plaintext of a sealed blob for the media modules, decrypted one 64 KiB
// chunk at a time (the last one kept for the next read): nothing
// plaintext is written anywhere.
class SealedBlobSource final : public ByteSource {
 public:
  SealedBlobSource(std::unique_ptr<BlobReader> blob, const Key& key, const std::string& blob_id,
                   uint64_t plain_size)
      : blob_(std::move(blob)),
        opener_(key, blob_id, plain_size),
        sealed_(kChunkSealedBytes),
        plain_(kChunkPlainBytes) {}

  uint64_t size() const override { return opener_.plain_size(); }

  Result<size_t> ReadAt(uint64_t offset, std::span<uint8_t> out) override {
    size_t done = 0;
    while (done < out.size() && offset + done < size()) {
      const uint64_t at = offset + done;
      const uint64_t index = at / kChunkPlainBytes;
      if (index != held_) {
        std::span<uint8_t> sealed(sealed_.data(), opener_.SealedChunkSize(index));
        LETHE_RETURN_IF_ERROR(blob_->ReadAt(opener_.SealedOffset(index), sealed));
        held_ = UINT64_MAX;
        LETHE_RETURN_IF_ERROR(opener_.Open(
            index, sealed, std::span<uint8_t>(plain_.data(), opener_.PlainChunkSize(index))));
        held_ = index;
      }
      const size_t from = static_cast<size_t>(at % kChunkPlainBytes);
      const size_t n = std::min(out.size() - done, opener_.PlainChunkSize(index) - from);
      std::memcpy(out.data() + done, plain_.data() + from, n);
      done += n;
    }
    return done;
  }

 private:
  std::unique_ptr<BlobReader> blob_;
  ChunkOpener opener_;
  std::vector<uint8_t> sealed_;
  std::vector<uint8_t> plain_;
  uint64_t held_ = UINT64_MAX;
};

std::string Joined(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ",") + n;
  return out;
}

// The audit trail of a scrub: the field names removed (never values), or
// why scrubbing was withheld.
Status AuditIntakeIn(AuditLog& audit, const KeyedIds& ids, MetadataTx& tx, const Actor& actor,
                     const IntakeOutcome& intake, const MediaRecord& m,
                     const RequestOrigin& origin) {
  const std::string target = ids.Of("media", m.account_id, m.id);
  if (!intake.removed.empty()) {
    return audit.Record(tx, actor, "media.scrub", target + ";removed=" + Joined(intake.removed),
                        m.account_id, origin);
  }
  if (intake.scrub_refused) {
    return audit.Record(tx, actor, "media.scrub_withheld",
                        target + ";reason=" + *intake.scrub_refused, m.account_id, origin);
  }
  return Status::Ok();
}

}  // namespace

Status MediaLibrary::AuditIntake(MetadataTx& tx, const Actor& actor, const IntakeOutcome& intake,
                                 const MediaRecord& m, const RequestOrigin& origin) {
  return AuditIntakeIn(audit_, ids_, tx, actor, intake, m, origin);
}

Status MediaLibrary::TakeIn(MediaIngest& in, MediaRecord& m, IntakeOutcome& outcome) {
  LETHE_ASSIGN_OR_RETURN(std::unique_ptr<BlobReader> blob, blobs_.Open(m.blob_id));
  SealedBlobSource source(std::move(blob), in.data_key_, m.blob_id, static_cast<uint64_t>(m.bytes));
  static const std::vector<BytePatch> kNone;
  const std::vector<BytePatch>& blanked = in.blanker_ ? in.blanker_->undo() : kNone;
  LETHE_ASSIGN_OR_RETURN(outcome, intake_->Examine(m.account_id, m.end_user, m.kind, in.container_,
                                                   in.scrub_, source, blanked));
  if (outcome.probe) {
    const MediaProbe& p = *outcome.probe;
    m.duration_ms = p.duration_ms;
    m.width = p.width;
    m.height = p.height;
    m.codecs = p.codecs;
    m.frame_rate = p.frame_rate;
    m.rotation = p.rotation;
  }
  if (outcome.restore_original) {
    // Scrubbed as it came in, but not to be: the file as the client sent
    // it replaces the blanked one.
    UndoneByteSource sent(source, blanked);
    return ReplaceBlob(in, m, sent);
  }
  if (!outcome.scrubbed) return Status::Ok();
  MemoryByteSource scrubbed(*outcome.scrubbed);
  LETHE_RETURN_IF_ERROR(ReplaceBlob(in, m, scrubbed));
  outcome.scrubbed.reset();  // the memory goes now, not with the record
  return Status::Ok();
}

Status MediaLibrary::ReplaceBlob(MediaIngest& in, MediaRecord& m, ByteSource& plain) {
  // The new bytes go in a blob of their own, under the same data key; the
  // old one goes before the upload is answered.
  const std::string replacement_id = RandomId(random_, "blb_");
  LETHE_RETURN_IF_ERROR(
      store_.Transact([&](MetadataTx& tx) { return NoteBlobIntent(tx, replacement_id); }));
  auto sha256 = StoreSealed(replacement_id, in.data_key_, plain);
  if (!sha256.ok()) {
    Status gone = blobs_.Remove(replacement_id);
    if (gone.ok() || gone.code() == Status::Code::kNotFound) ClearIntents({replacement_id});
    return sha256.status();
  }
  const std::string original = m.blob_id;
  Status gone = blobs_.Remove(original);
  // Not known to be gone: its intent stays, and Recover() removes it.
  if (gone.ok() || gone.code() == Status::Code::kNotFound) ClearIntents({original});
  in.blob_id_ = replacement_id;  // the intent Commit settles
  m.blob_id = replacement_id;
  m.bytes = static_cast<int64_t>(plain.size());
  m.sha256 = *sha256;
  return Status::Ok();
}

Result<std::string> MediaLibrary::StoreSealed(const std::string& blob_id, const Key& key,
                                              ByteSource& plain) {
  LETHE_ASSIGN_OR_RETURN(std::unique_ptr<BlobWriter> writer, blobs_.Create(blob_id));
  std::vector<uint8_t> out;
  out.reserve(kWriteBatch + kChunkSealedBytes);
  StreamSealer sealer(key, blob_id, [&](std::span<const uint8_t> sealed) -> Status {
    out.insert(out.end(), sealed.begin(), sealed.end());
    if (out.size() < kWriteBatch) return Status::Ok();
    Status st = writer->Append(out);
    out.clear();
    return st;
  });
  Sha256Pipe sha256;
  std::vector<uint8_t> piece(kWriteBatch);
  for (uint64_t at = 0; at < plain.size();) {
    LETHE_ASSIGN_OR_RETURN(size_t n, plain.ReadAt(at, piece));
    if (n == 0) return Status::DataLoss("the media ended early");
    std::span<const uint8_t> got(piece.data(), n);
    sha256.Update(got);
    LETHE_RETURN_IF_ERROR(sealer.Append(got));
    at += n;
  }
  LETHE_RETURN_IF_ERROR(sealer.Finish());
  if (!out.empty()) LETHE_RETURN_IF_ERROR(writer->Append(out));
  LETHE_RETURN_IF_ERROR(writer->Commit());
  return sha256.Final();
}

Status CheckMediaFields(const MediaFields& f) {
  if (f.end_user && !f.end_user->empty()) {
    LETHE_RETURN_IF_ERROR(CheckText("end_user", *f.end_user, 256));
  }
  if (f.title && !f.title->empty()) LETHE_RETURN_IF_ERROR(CheckText("title", *f.title, 500));
  if (f.tags) {
    if (f.tags->size() > kMaxTags) {
      return Status::InvalidArgument("invalid-field", "at most 32 tags");
    }
    for (const std::string& tag : *f.tags) LETHE_RETURN_IF_ERROR(CheckText("tags", tag, 64));
  }
  if (f.expiration_days && (*f.expiration_days < 1 || *f.expiration_days > kMaxExpirationDays)) {
    return Status::InvalidArgument("invalid-field", "expiration_days must be 1 to 36500");
  }
  if (f.expire_on) {
    if (f.expiration_days) {
      return Status::InvalidArgument("invalid-field",
                                     "give expiration_days or expire_on, not both");
    }
    if (!ParseDate(*f.expire_on)) {
      return Status::InvalidArgument("invalid-field", "expire_on must be a date, YYYY-MM-DD");
    }
  }
  return Status::Ok();
}

// ---- ingest ----

Result<std::unique_ptr<MediaIngest>> MediaLibrary::BeginIngest(const Principal& who,
                                                               std::string declared_type,
                                                               const RequestOrigin& origin,
                                                               IngestTerms terms) {
  // The account's scrub setting, read once as the upload starts: an MP4
  // is blanked on its way to the sealer by it, and the intake scrubs (or
  // not) by the same answer. Unreadable, the upload fails: guessing
  // either way would store metadata the account asked to remove, or
  // remove what it asked to keep.
  bool scrub = false;
  if (intake_ != nullptr) {
    Result<bool> found = store_.FindAccountScrub(who.account.id);
    if (!found.ok()) {
      // The store's code and reason (mapped as any store error), and what
      // could not be read.
      const Status& st = found.status();
      return Status(st.code(), st.reason(),
                    "cannot read the account's scrub setting: " + st.message());
    }
    scrub = *found;
  }
  std::string media_id = RandomId(random_, "med_");
  std::string blob_id = RandomId(random_, "blb_");
  // Durable before the first byte goes to the store: a crash from here on
  // leaves an intent for Recover().
  LETHE_RETURN_IF_ERROR(
      store_.Transact([&](MetadataTx& tx) { return NoteBlobIntent(tx, blob_id); }));
  auto writer = blobs_.Create(blob_id);
  if (!writer.ok()) {
    ClearIntents({blob_id});
    return writer.status();
  }
  auto ingest = std::unique_ptr<MediaIngest>(new MediaIngest(
      *this, who, std::move(declared_type), origin, std::move(media_id), std::move(blob_id),
      keys_.NewDataKey(), std::move(*writer), std::move(terms)));
  ingest->scrub_ = scrub;
  return ingest;
}

MediaIngest::MediaIngest(MediaLibrary& library, Principal who, std::string declared_type,
                         RequestOrigin origin, std::string media_id, std::string blob_id,
                         Key data_key, std::unique_ptr<BlobWriter> writer, IngestTerms terms)
    : library_(library),
      who_(std::move(who)),
      declared_type_(std::move(declared_type)),
      origin_(std::move(origin)),
      media_id_(std::move(media_id)),
      blob_id_(std::move(blob_id)),
      data_key_(data_key),
      writer_(std::move(writer)),
      terms_(std::move(terms)) {
  sealer_ = std::make_unique<StreamSealer>(
      data_key_, blob_id_, [this](std::span<const uint8_t> sealed) -> Status {
        out_.insert(out_.end(), sealed.begin(), sealed.end());
        return out_.size() >= kWriteBatch ? Flush() : Status::Ok();
      });
  out_.reserve(kWriteBatch + kChunkSealedBytes);
}

MediaIngest::~MediaIngest() {
  WipeKey(data_key_);
  if (intent_settled_) return;
  // Abandoned (or its blob removed after a failed commit): the writer
  // leaves nothing once destroyed, so the intent can go.
  writer_.reset();
  library_.ClearIntents({blob_id_});
}

Status MediaIngest::Flush() {
  if (out_.empty()) return Status::Ok();
  Status st = writer_->Append(out_);
  out_.clear();
  return st;
}

Status MediaIngest::Sniff() {
  LETHE_ASSIGN_OR_RETURN(SniffedMedia sniffed, MatchDeclared(declared_type_, head_));
  const std::string kind(KindName(sniffed.kind));
  if (!terms_.kinds.empty() &&
      std::find(terms_.kinds.begin(), terms_.kinds.end(), kind) == terms_.kinds.end()) {
    return Status::UnsupportedMedia("upload-token-kind",
                                    "the upload token does not allow " + kind + " media");
  }
  kind_ = kind;
  content_type_ = sniffed.content_type;
  container_ = std::string(SniffContainer(head_).value_or(""));
  if (scrub_ && container_ == "mp4") {
    blanker_ = std::make_unique<Mp4Blanker>(
        [this](std::span<const uint8_t> bytes) { return SealAsIs(bytes); });
  }
  std::vector<uint8_t> head = std::move(head_);
  head_.clear();
  return Seal(head);
}

Status MediaIngest::Seal(std::span<const uint8_t> bytes) {
  return blanker_ ? blanker_->Feed(bytes) : SealAsIs(bytes);
}

Status MediaIngest::SealAsIs(std::span<const uint8_t> bytes) {
  sha256_.Update(bytes);
  return sealer_->Append(bytes);
}

Status MediaIngest::Append(std::span<const uint8_t> bytes) {
  if (!failed_.ok()) return failed_;
  if (bytes.size() > library_.max_bytes_ - std::min(bytes_, library_.max_bytes_)) {
    failed_ = Status::TooLarge("media exceeds " + std::to_string(library_.max_bytes_) + " bytes");
    return failed_;
  }
  if (terms_.max_bytes && bytes.size() > *terms_.max_bytes - std::min(bytes_, *terms_.max_bytes)) {
    failed_ = Status(Status::Code::kTooLarge, "upload-token-size",
                     "media exceeds the upload token's limit of " +
                         std::to_string(*terms_.max_bytes) + " bytes");
    return failed_;
  }
  bytes_ += bytes.size();
  Status st;
  if (kind_.empty()) {
    // Hold the first bytes until there are enough to check the type.
    size_t take = std::min(bytes.size(), kSniffBytes - std::min(head_.size(), kSniffBytes));
    head_.insert(head_.end(), bytes.begin(), bytes.begin() + static_cast<ptrdiff_t>(take));
    bytes = bytes.subspan(take);
    if (head_.size() >= kSniffBytes) st = Sniff();
  }
  if (st.ok() && !bytes.empty()) st = Seal(bytes);
  if (!st.ok()) failed_ = st;
  return st;
}

Result<MediaRecord> MediaIngest::Commit(const MediaFields& fields) {
  if (!failed_.ok()) return failed_;
  Status st = CheckMediaFields(fields);
  if (st.ok() && kind_.empty()) st = Sniff();  // a file shorter than the sniff window
  if (st.ok() && blanker_) st = blanker_->Finish();
  if (st.ok()) st = sealer_->Finish();
  if (st.ok()) st = Flush();
  if (!st.ok()) {
    failed_ = st;
    return st;
  }
  return library_.Commit(*this, fields);
}

Result<MediaRecord> MediaLibrary::Commit(MediaIngest& in, const MediaFields& fields) {
  MediaRecord m;
  m.id = in.media_id_;
  m.account_id = in.who_.account.id;
  m.end_user = fields.end_user.value_or("");
  m.kind = in.kind_;
  m.content_type = in.content_type_;
  m.bytes = static_cast<int64_t>(in.bytes_);
  m.sha256 = in.sha256_.Final();
  m.title = fields.title.value_or("");
  m.tags = fields.tags.value_or(std::vector<std::string>{});
  m.created_ms = clock_.NowMillis();
  if (fields.expiration_days) m.expires_ms = m.created_ms + *fields.expiration_days * kMillisPerDay;
  if (fields.expire_on) {
    int64_t at = DaysFromCivil(*ParseDate(*fields.expire_on)) * kMillisPerDay;
    if (at <= m.created_ms || at > m.created_ms + kMaxExpirationDays * kMillisPerDay) {
      return Status::InvalidArgument("invalid-field",
                                     "expire_on must be a day after today, within 100 years");
    }
    m.expires_ms = at;
  }
  m.blob_id = in.blob_id_;
  // Durable blob first, record second: a crash in between leaves an orphan
  // blob that Recover() removes, never a record without its bytes.
  auto blob_gone = [&] {
    Status removed = blobs_.Remove(m.blob_id);
    // Not known to be gone: the intent stays for Recover().
    if (!removed.ok() && removed.code() != Status::Code::kNotFound) in.intent_settled_ = true;
  };
  if (Status st = in.writer_->Commit(); !st.ok()) {
    blob_gone();  // in case it got as far as the rename
    return st;
  }
  IntakeOutcome intake;
  if (intake_ != nullptr) {
    if (Status st = TakeIn(in, m, intake); !st.ok()) {
      blob_gone();
      return st;
    }
  }
  auto wrapped = keys_.WrapDataKey(m.account_id, m.end_user, m.blob_id, in.data_key_);
  if (!wrapped.ok()) {
    blob_gone();
    return wrapped.status();
  }
  m.wrapped_key = std::move(*wrapped);
  Status st = store_.Transact([&](MetadataTx& tx) -> Status {
    if (!m.expires_ms) {  // the account's default retention, read where it is written
      LETHE_ASSIGN_OR_RETURN(AccountRecord account, tx.FindAccountById(m.account_id));
      if (account.retention_days) {
        m.expires_ms = m.created_ms + *account.retention_days * kMillisPerDay;
        m.expiry_from_account = true;
      }
    }
    if (in.terms_.in_commit) LETHE_RETURN_IF_ERROR(in.terms_.in_commit(tx, m));
    LETHE_ASSIGN_OR_RETURN(m.seq, tx.InsertMedia(m));
    LETHE_RETURN_IF_ERROR(tx.DeleteBlobIntents({m.blob_id}));
    LETHE_RETURN_IF_ERROR(audit_.Record(tx, in.who_.actor(), "media.create",
                                        ids_.Of("media", m.account_id, m.id), m.account_id,
                                        in.origin_));
    LETHE_RETURN_IF_ERROR(AuditIntake(tx, in.who_.actor(), intake, m, in.origin_));
    if (!events_) return Status::Ok();
    DomainEvent created{"media.created", m.account_id, m.end_user, {{"media_id", m.id}}};
    if (fields.web_rendition.value_or(false)) created.asks.push_back("web_rendition");
    return events_->Emit(tx, created);
  });
  if (!st.ok()) {
    // A commit whose sync failed is in the store though not durable: its
    // bytes must stay. Only a record that is absent lets the blob go.
    if (store_.FindMedia(m.account_id, m.id).status().code() == Status::Code::kNotFound) {
      blob_gone();
    } else {
      in.intent_settled_ = true;  // went with the record
    }
    return st;
  }
  in.intent_settled_ = true;
  return m;
}

// ---- metadata ----

Result<MediaRecord> MediaLibrary::Get(const std::string& account_id, const std::string& id) {
  uint64_t generation;
  {
    std::shared_lock lock(cache_mu_);
    generation = generation_;
    auto it = CacheStale() ? cache_.end() : cache_.find(id);
    if (it != cache_.end() && it->second.account_id == account_id) {
      if (Expired(it->second)) return Status::NotFound("media not found");
      return it->second;
    }
  }
  LETHE_ASSIGN_OR_RETURN(MediaRecord m, store_.FindMedia(account_id, id));
  if (Expired(m)) return Status::NotFound("media not found");
  std::unique_lock lock(cache_mu_);
  if (generation == generation_) {
    if (CacheStale()) {
      cache_.clear();
      cache_born_ = std::chrono::steady_clock::now();
    }
    if (cache_.size() >= kMaxCached) cache_.clear();
    cache_.insert_or_assign(id, m);
  }
  return m;
}

void MediaLibrary::Evict(const std::string& media_id) {
  std::unique_lock lock(cache_mu_);
  ++generation_;
  cache_.erase(media_id);
}

Result<MediaLibrary::Page> MediaLibrary::List(MediaQuery query) {
  query.limit = std::clamp(query.limit, 1, 1000);
  Page page;
  LETHE_ASSIGN_OR_RETURN(page.items, store_.ListMedia(query));
  if (static_cast<int>(page.items.size()) == query.limit) {
    page.next_after_seq = page.items.back().seq;
  }
  std::erase_if(page.items, [this](const MediaRecord& m) { return Expired(m); });
  return page;
}

Result<MediaRecord> MediaLibrary::Update(const Principal& who, const std::string& media_id,
                                         const MediaFields& patch, const RequestOrigin& origin) {
  LETHE_RETURN_IF_ERROR(CheckMediaFields(patch));
  if (patch.expiration_days) {
    return Status::InvalidArgument("unknown-field", "expiration_days cannot be patched yet");
  }
  MediaRecord m;
  Status updated = store_.Transact([&](MetadataTx& tx) -> Status {
    LETHE_ASSIGN_OR_RETURN(m, tx.FindMedia(who.account.id, media_id));
    if (patch.end_user && *patch.end_user != m.end_user) {
      // The data key moves to the new owner's key; the bytes stay as they are.
      LETHE_ASSIGN_OR_RETURN(
          Key dek, keys_.UnwrapDataKey(m.account_id, m.end_user, m.blob_id, m.wrapped_key));
      KeyWiper wipe(dek);
      LETHE_ASSIGN_OR_RETURN(m.wrapped_key,
                             keys_.WrapDataKey(m.account_id, *patch.end_user, m.blob_id, dek));
      m.end_user = *patch.end_user;
    }
    if (patch.title) m.title = *patch.title;
    if (patch.tags) m.tags = *patch.tags;
    LETHE_RETURN_IF_ERROR(tx.UpdateMedia(m));
    return audit_.Record(tx, who.actor(), "media.update", ids_.Of("media", m.account_id, m.id),
                         m.account_id, origin);
  });
  Evict(media_id);  // even on error: a commit whose sync failed has happened
  LETHE_RETURN_IF_ERROR(updated);
  return m;
}

Result<int> MediaLibrary::EraseMediaOf(const std::string& account_id,
                                       const std::optional<std::string>& end_user,
                                       const Actor& actor, const RequestOrigin& origin) {
  // Batches: one transaction (and one forget of the WAL) per batch, not per
  // media, so an end user with 10,000 media is purged in seconds.
  constexpr int kBatch = 500;
  // Blobs go in larger lots, since each lot waits for one sync of every
  // directory it touches (up to 1,024). Their records, and with them their
  // data keys, are already gone; a blob left by a crash or a failure
  // before it goes is an orphan for Recover().
  constexpr size_t kBlobLot = 10'000;
  // Each blob's intent goes in with its record's deletion and is cleared
  // once the lot is removed.
  struct Lot {
    MediaLibrary& library;
    std::vector<std::string> ids;
    void Remove() {
      if (ids.empty()) return;
      if (library.blobs_.RemoveMany(ids).ok()) library.ClearIntents(ids);
      ids.clear();
    }
    ~Lot() { Remove(); }  // whichever way EraseMediaOf returns
  } lot{*this, {}};
  int removed = 0;
  for (;;) {
    MediaQuery q;
    q.account_id = account_id;
    q.end_user = end_user;
    q.limit = kBatch;
    LETHE_ASSIGN_OR_RETURN(auto batch, store_.ListMedia(q));
    if (batch.empty()) return removed;
    std::vector<std::string> blob_ids;  // the media's and their artifacts'
    int erased = 0;
    Status st = store_.Transact([&](MetadataTx& tx) -> Status {
      blob_ids.clear();
      erased = 0;
      for (const MediaRecord& m : batch) {
        Status del = tx.DeleteMedia(account_id, m.id);
        if (del.code() == Status::Code::kNotFound) continue;  // deleted meanwhile
        LETHE_RETURN_IF_ERROR(del);
        for (const std::string& id : MediaBlobIds(m.blob_id)) {
          LETHE_RETURN_IF_ERROR(NoteBlobIntent(tx, id));
          blob_ids.push_back(id);
        }
        LETHE_RETURN_IF_ERROR(audit_.Record(
            tx, actor, "media.erase", ids_.Of("media", account_id, m.id), account_id, origin));
        ++erased;
      }
      return Status::Ok();
    });
    for (const MediaRecord& m : batch) Evict(m.id);
    LETHE_RETURN_IF_ERROR(st);
    lot.ids.insert(lot.ids.end(), blob_ids.begin(), blob_ids.end());
    if (lot.ids.size() >= kBlobLot) lot.Remove();
    removed += erased;
  }
}

Status MediaLibrary::Remove(const std::string& account_id, const std::string& media_id,
                            const Actor& actor, const std::string& action,
                            const RequestOrigin& origin, const RemovalStep& in_tx) {
  std::string blob_id;
  auto remove_record = [&] {
    return store_.Transact([&](MetadataTx& tx) -> Status {
      LETHE_ASSIGN_OR_RETURN(MediaRecord m, tx.FindMedia(account_id, media_id));
      blob_id = m.blob_id;
      LETHE_RETURN_IF_ERROR(tx.DeleteMedia(account_id, media_id));
      for (const std::string& id : MediaBlobIds(blob_id)) {
        LETHE_RETURN_IF_ERROR(NoteBlobIntent(tx, id));
      }
      LETHE_RETURN_IF_ERROR(audit_.Record(tx, actor, action, ids_.Of("media", account_id, media_id),
                                          account_id, origin));
      // Ids only: the end user is not named once their media is gone.
      if (events_) {
        LETHE_RETURN_IF_ERROR(
            events_->Emit(tx, {"media.deleted", account_id, "", {{"media_id", media_id}}}));
      }
      return in_tx ? in_tx(tx, m) : Status::Ok();
    });
  };
  Status removed = remove_record();
  // A full volume must not stop a deletion: it is how space comes back.
  if (removed.code() == Status::Code::kInsufficientStorage && reserve_ && reserve_->Release()) {
    removed = remove_record();
  }
  // Whatever the outcome (a commit whose sync failed has still happened),
  // no cached copy may outlive the record.
  Evict(media_id);
  LETHE_RETURN_IF_ERROR(removed);
  // The record is gone, so the object is gone for every reader: the deletion
  // has happened, and an error now would tell the client it had not. A blob
  // that fails to go is an orphan, as after a crash here, and Recover()
  // removes it (its intent went in with the deletion); its data key went
  // with the record.
  Status gone = blobs_.Remove(blob_id);
  if (gone.ok() || gone.code() == Status::Code::kNotFound) ClearIntents({blob_id});
  // Its posters and transcripts with it (RemoveMany skips the absent ones).
  std::vector<std::string> artifacts = MediaBlobIds(blob_id);
  artifacts.erase(artifacts.begin());
  if (blobs_.RemoveMany(artifacts).ok()) ClearIntents(artifacts);
  if (reserve_) reserve_->Restore();
  return Status::Ok();
}

void MediaLibrary::ClearIntents(const std::vector<std::string>& blob_ids) {
  // Losing this on power loss only brings the intents back for Recover().
  (void)store_.Transact([&](MetadataTx& tx) { return tx.DeleteBlobIntents(blob_ids); },
                        Durability::kProcessCrash);
}

Result<int> MediaLibrary::SweepAllOrphans() {
  LETHE_ASSIGN_OR_RETURN(auto referenced, store_.ListBlobIds());
  std::unordered_set<std::string> keep(referenced.begin(), referenced.end());
  LETHE_ASSIGN_OR_RETURN(auto stored, blobs_.List());
  int removed = 0;
  for (const std::string& id : stored) {
    if (keep.count(id)) continue;
    LETHE_RETURN_IF_ERROR(blobs_.Remove(id));
    ++removed;
  }
  return removed;
}

Result<int> MediaLibrary::Recover(const RecoveryScope& scope) {
  LETHE_ASSIGN_OR_RETURN(int removed,
                         blobs_.RemoveIncomplete(scope.own_blob_store ? std::chrono::milliseconds{0}
                                                                      : scope.peer_age));
  const std::chrono::milliseconds min_age = scope.peer_age;
  const int64_t cutoff_ms = clock_.NowMillis() - min_age.count();
  constexpr int kPage = 1000;
  for (;;) {
    LETHE_ASSIGN_OR_RETURN(std::vector<BlobIntent> page, store_.ListBlobIntents(kPage));
    if (page.empty()) return removed;
    std::vector<std::string> done;
    for (const BlobIntent& intent : page) {
      // Another instance's and younger: maybe its upload or deletion in
      // flight. Our own instance's are a dead predecessor's.
      const bool ours = !instance_.empty() && intent.owner == instance_;
      if (!ours && min_age.count() > 0 && intent.created_ms > cutoff_ms) continue;
      if (intent.blob_id == "*") {
        LETHE_ASSIGN_OR_RETURN(int swept, SweepAllOrphans());
        removed += swept;
      } else if (!intent.referenced) {
        Status st = blobs_.Remove(intent.blob_id);
        if (st.ok()) ++removed;
        if (!st.ok() && st.code() != Status::Code::kNotFound) return st;
      }
      done.push_back(intent.blob_id);
    }
    if (done.empty()) return removed;  // only young intents left in this page
    LETHE_RETURN_IF_ERROR(
        store_.Transact([&](MetadataTx& tx) { return tx.DeleteBlobIntents(done); }));
  }
}

// ---- reading ----

Result<std::unique_ptr<MediaReader>> MediaLibrary::OpenSealed(
    const MediaRecord& m, const std::string& blob_id, uint64_t plain_size, std::string_view what,
    uint64_t first, uint64_t last, uint64_t window_chunks) {
  LETHE_ASSIGN_OR_RETURN(Key dek,
                         keys_.UnwrapDataKey(m.account_id, m.end_user, m.blob_id, m.wrapped_key));
  KeyWiper wipe(dek);
  auto blob = blobs_.Open(blob_id);
  if (!blob.ok()) {
    // A record without its bytes is damage, not absence: never a 404, and
    // the internal blob id stays out of the message.
    if (blob.status().code() == Status::Code::kNotFound) {
      return Status::DataLoss("the stored bytes of this " + std::string(what) + " are missing");
    }
    return blob.status();
  }
  if ((*blob)->size() != SealedSize(plain_size)) {
    return Status::DataLoss("stored blob has the wrong length");
  }
  return std::make_unique<MediaReader>(std::move(*blob), dek, blob_id, plain_size, first, last,
                                       window_chunks);
}

MediaReader::MediaReader(std::unique_ptr<BlobReader> blob, const Key& data_key,
                         const std::string& blob_id, uint64_t plain_size, uint64_t first,
                         uint64_t last, uint64_t window_chunks)
    : blob_(std::move(blob)),
      opener_(data_key, blob_id, plain_size),
      key_(data_key),
      pos_(first),
      end_(plain_size == 0 ? 0 : last + 1),
      window_chunks_(std::max<uint64_t>(1, window_chunks)),
      sealed_(window_chunks_ * kChunkSealedBytes),
      plain_(kChunkPlainBytes) {}

MediaReader::~MediaReader() { WipeKey(key_); }

Result<std::span<const uint8_t>> MediaReader::SealedChunk(uint64_t index) {
  if (index < window_first_ || index >= window_first_ + window_count_) {
    // One read for several chunks of the range: fewer system calls.
    uint64_t last_needed = (end_ - 1) / kChunkPlainBytes;
    uint64_t count = std::min<uint64_t>(window_chunks_, last_needed - index + 1);
    uint64_t bytes = 0;
    for (uint64_t i = index; i < index + count; ++i) bytes += opener_.SealedChunkSize(i);
    LETHE_RETURN_IF_ERROR(
        blob_->ReadAt(opener_.SealedOffset(index), std::span<uint8_t>(sealed_.data(), bytes)));
    window_first_ = index;
    window_count_ = count;
  }
  size_t at =
      static_cast<size_t>(opener_.SealedOffset(index) - opener_.SealedOffset(window_first_));
  return std::span<const uint8_t>(sealed_.data() + at, opener_.SealedChunkSize(index));
}

Result<size_t> MediaReader::Read(std::span<uint8_t> out) {
  size_t written = 0;
  while (written < out.size() && pos_ < end_) {
    uint64_t index = pos_ / kChunkPlainBytes;
    size_t offset = static_cast<size_t>(pos_ % kChunkPlainBytes);
    size_t plain_len = opener_.PlainChunkSize(index);
    size_t want = static_cast<size_t>(
        std::min<uint64_t>({plain_len - offset, end_ - pos_, out.size() - written}));
    if (plain_index_ != index) {
      LETHE_ASSIGN_OR_RETURN(std::span<const uint8_t> sealed, SealedChunk(index));
      // A whole chunk wanted and room for it: decrypt straight into `out`.
      bool direct = offset == 0 && want == plain_len;
      std::span<uint8_t> target =
          direct ? out.subspan(written, plain_len) : std::span<uint8_t>(plain_.data(), plain_len);
      LETHE_RETURN_IF_ERROR(opener_.Open(index, sealed, target));
      if (direct) {
        written += want;
        pos_ += want;
        continue;
      }
      plain_index_ = index;
    }
    std::memcpy(out.data() + written, plain_.data() + offset, want);
    written += want;
    pos_ += want;
  }
  return written;
}

}  // namespace lethe
