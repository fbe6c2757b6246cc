#include "domain/subject_export.h"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "domain/legal_clock.h"
#include "domain/media_read_ahead.h"
#include "domain/subject_document.h"

namespace lethe {
namespace {

constexpr int kMediaPage = 100;
constexpr int kUsagePage = 1000;
constexpr int64_t kDayMs = 86'400'000;

// The ZIP, written by libarchive into out_ as the reader pulls it. Each
// Step() feeds libarchive one small piece of work; its write callback
// appends what it produced to out_, which Read() drains.
class ZipExport final : public ExportStream {
 public:
  ZipExport(MetadataStore& store, MediaLibrary& media, SubjectFacts facts)
      : store_(store), media_(media), facts_(std::move(facts)) {}
  ~ZipExport() override {
    if (archive_) archive_write_free(archive_);  // closes it too, if open
  }

  Status Start() {
    archive_ = archive_write_new();
    if (!archive_) return Status::Internal("libarchive: out of memory");
    // Stored, not deflated: media is compressed already (deflating it would
    // only cost CPU), and libarchive 3.6 takes the option only before the
    // first entry, so the text files are stored too.
    if (archive_write_set_format_zip(archive_) != ARCHIVE_OK ||
        archive_write_set_format_option(archive_, "zip", "compression", "store") != ARCHIVE_OK ||
        // No blocking: every write reaches the callback at once, unpadded.
        archive_write_set_bytes_per_block(archive_, 0) != ARCHIVE_OK ||
        archive_write_open2(archive_, this, nullptr, &ZipExport::OnWrite, nullptr, nullptr) !=
            ARCHIVE_OK) {
      return Failed("open");
    }
    return Status::Ok();
  }

  Result<size_t> Read(std::span<uint8_t> out) override {
    if (!failed_.ok()) return failed_;
    // libarchive's output goes straight into `out` while it has room (one
    // copy fewer); only what does not fit waits in out_ for the next call.
    direct_ = out;
    direct_n_ = 0;
    Status st;
    while (direct_n_ < out.size()) {
      if (out_pos_ < out_.size()) {
        size_t take = std::min(out.size() - direct_n_, out_.size() - out_pos_);
        std::memcpy(out.data() + direct_n_, out_.data() + out_pos_, take);
        out_pos_ += take;
        direct_n_ += take;
        continue;
      }
      out_.clear();
      out_pos_ = 0;
      if (phase_ == Phase::kDone) break;
      failed_ = Step();
      if (!failed_.ok()) {
        st = failed_;
        break;
      }
    }
    direct_ = {};
    if (!st.ok()) return st;
    return direct_n_;
  }

 private:
  enum class Phase { kReadme, kJsonHead, kJsonMedia, kJsonUsage, kMediaNext, kMediaData, kDone };

  static la_ssize_t OnWrite(struct archive*, void* self, const void* data, size_t size) {
    auto* z = static_cast<ZipExport*>(self);
    const auto* bytes = static_cast<const uint8_t*>(data);
    size_t n = size;
    if (z->out_pos_ == z->out_.size()) {  // nothing older waits: bytes may go straight out
      size_t take = std::min(n, z->direct_.size() - z->direct_n_);
      if (take > 0) std::memcpy(z->direct_.data() + z->direct_n_, bytes, take);
      z->direct_n_ += take;
      bytes += take;
      n -= take;
    }
    z->out_.insert(z->out_.end(), bytes, bytes + n);
    return static_cast<la_ssize_t>(size);
  }

  Status Failed(const char* what) {
    const char* why = archive_ ? archive_error_string(archive_) : nullptr;
    return Status::Internal(std::string("libarchive ") + what + ": " + (why ? why : "failed"));
  }

  // Starts entry `path`; `size` when known (media) lets libarchive write
  // its length up front (and pick ZIP64 for files over 4 GiB).
  Status Entry(const std::string& path, std::optional<int64_t> size) {
    archive_entry* e = archive_entry_new();
    if (!e) return Status::Internal("libarchive: out of memory");
    archive_entry_set_pathname(e, path.c_str());
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_mtime(e, facts_.generated_ms / 1000, 0);
    if (size) archive_entry_set_size(e, *size);
    int rc = archive_write_header(archive_, e);
    archive_entry_free(e);
    return rc < ARCHIVE_WARN ? Failed("header") : Status::Ok();
  }

  Status Write(const void* data, size_t size) {
    if (size == 0) return Status::Ok();
    la_ssize_t n = archive_write_data(archive_, data, size);
    return n < 0 || static_cast<size_t>(n) != size ? Failed("write") : Status::Ok();
  }
  Status Write(const std::string& text) { return Write(text.data(), text.size()); }
  // A list element, comma-separated from the one before.
  Status Element(const std::string& json, bool& first) {
    if (!first) LETHE_RETURN_IF_ERROR(Write(",", 1));
    first = false;
    return Write(json);
  }

  Status Step() {
    switch (phase_) {
      case Phase::kReadme:
        LETHE_RETURN_IF_ERROR(Entry("README.txt", std::nullopt));
        LETHE_RETURN_IF_ERROR(Write(ReadmeText(facts_)));
        phase_ = Phase::kJsonHead;
        return Status::Ok();
      case Phase::kJsonHead:
        LETHE_RETURN_IF_ERROR(Entry("subject.json", std::nullopt));
        LETHE_RETURN_IF_ERROR(Write(DocumentHead(facts_)));
        phase_ = Phase::kJsonMedia;
        return Status::Ok();
      case Phase::kJsonMedia: {
        LETHE_ASSIGN_OR_RETURN(MediaLibrary::Page page, NextMediaPage());
        for (const MediaRecord& m : page.items) {
          LETHE_RETURN_IF_ERROR(Element(MediaElement(m), first_element_));
        }
        if (!after_seq_) {
          LETHE_RETURN_IF_ERROR(Write(DocumentMiddle()));
          first_element_ = true;
          phase_ = Phase::kJsonUsage;
        }
        return Status::Ok();
      }
      case Phase::kJsonUsage:
        return UsageStep();
      case Phase::kMediaNext:
        return MediaNextStep();
      case Phase::kMediaData:
        return MediaDataStep();
      case Phase::kDone:
        return Status::Ok();
    }
    return Status::Internal("bad export phase");
  }

  // The subject's next page of media (none for a customer), oldest first;
  // after_seq_ is left unset after the last page.
  Result<MediaLibrary::Page> NextMediaPage() {
    MediaLibrary::Page page;
    if (facts_.subject.is_customer()) {
      after_seq_.reset();
      return page;
    }
    MediaQuery q;
    q.account_id = facts_.subject.account_id;
    q.end_user = facts_.subject.end_user;
    q.after_seq = after_seq_;
    q.limit = kMediaPage;
    LETHE_ASSIGN_OR_RETURN(page, media_.List(q));
    after_seq_ = page.next_after_seq;
    return page;
  }

  Status UsageStep() {
    std::vector<UsageEvent> events;
    if (!facts_.subject.is_customer()) {
      UsageQuery q;
      q.account_id = facts_.subject.account_id;
      q.end_user = facts_.subject.end_user;
      q.since_ms = facts_.since_ms;
      q.after_seq = after_seq_;
      q.limit = kUsagePage;
      LETHE_ASSIGN_OR_RETURN(events, store_.ListUsageEvents(q));
    }
    for (const UsageEvent& e : events) {
      LETHE_RETURN_IF_ERROR(Element(UsageElement(e), first_element_));
    }
    if (static_cast<int>(events.size()) == kUsagePage) {
      after_seq_ = events.back().seq;
      return Status::Ok();
    }
    LETHE_RETURN_IF_ERROR(Write(DocumentTail()));
    after_seq_.reset();
    phase_ = Phase::kMediaNext;
    return Status::Ok();
  }

  // Starts the next media file, or ends the archive after the last.
  Status MediaNextStep() {
    if (queue_pos_ == queue_.size()) {
      if (queue_started_ && !after_seq_) {
        if (archive_write_close(archive_) != ARCHIVE_OK) return Failed("close");
        phase_ = Phase::kDone;
        return Status::Ok();
      }
      LETHE_ASSIGN_OR_RETURN(MediaLibrary::Page page, NextMediaPage());
      queue_started_ = true;
      queue_ = std::move(page.items);
      queue_pos_ = 0;
      ahead_.reset();  // its files are all written
      if (!queue_.empty()) ahead_ = std::make_unique<MediaReadAhead>(media_, queue_);
      return Status::Ok();
    }
    const MediaRecord& m = queue_[queue_pos_++];
    LETHE_RETURN_IF_ERROR(Entry(MediaPath(m), m.bytes));
    phase_ = Phase::kMediaData;
    return Status::Ok();
  }

  // One piece of the current media file, read ahead on another thread.
  Status MediaDataStep() {
    LETHE_RETURN_IF_ERROR(ahead_->Next(piece_));
    if (piece_.end) {
      phase_ = Phase::kMediaNext;
      return Status::Ok();
    }
    return Write(piece_.bytes.data(), piece_.size);
  }

  MetadataStore& store_;
  MediaLibrary& media_;
  SubjectFacts facts_;
  struct archive* archive_ = nullptr;
  Phase phase_ = Phase::kReadme;
  Status failed_;
  std::vector<uint8_t> out_;  // produced, not yet read
  size_t out_pos_ = 0;
  std::span<uint8_t> direct_;  // the caller's buffer during Read()
  size_t direct_n_ = 0;
  std::optional<int64_t> after_seq_;  // listing cursor
  bool first_element_ = true;
  std::vector<MediaRecord> queue_;  // the media page being written
  size_t queue_pos_ = 0;
  bool queue_started_ = false;
  std::unique_ptr<MediaReadAhead> ahead_;  // reads queue_'s files
  MediaReadAhead::Piece piece_;
};

}  // namespace

std::string ExportExtension(const std::string& content_type) {
  static const std::map<std::string, std::string> kExtensions = {
      {"video/mp4", "mp4"},        {"audio/mp4", "m4a"},        {"audio/x-m4a", "m4a"},
      {"video/quicktime", "mov"},  {"video/webm", "webm"},      {"audio/webm", "weba"},
      {"video/x-matroska", "mkv"}, {"audio/x-matroska", "mka"}, {"audio/ogg", "ogg"},
      {"video/ogg", "ogv"},        {"audio/mpeg", "mp3"},       {"audio/mp3", "mp3"},
      {"audio/wav", "wav"},        {"audio/x-wav", "wav"},      {"audio/wave", "wav"},
      {"audio/vnd.wave", "wav"},   {"audio/flac", "flac"},      {"audio/x-flac", "flac"},
      {"image/jpeg", "jpg"},       {"image/png", "png"},        {"image/gif", "gif"},
      {"image/webp", "webp"},      {"image/avif", "avif"},      {"image/heic", "heic"}};
  auto it = kExtensions.find(content_type);
  return it == kExtensions.end() ? "bin" : it->second;
}

int64_t SubjectExports::LookbackStart(const std::string& jurisdiction, int64_t now_ms) {
  if (jurisdiction != "ccpa") return 0;
  // The same time of day, 12 calendar months back (29 February -> 28).
  CivilDate back = AddMonths(DateOf(now_ms), -12);
  int64_t time_of_day = ((now_ms % kDayMs) + kDayMs) % kDayMs;
  return DaysFromCivil(back) * kDayMs + time_of_day;
}

Result<std::unique_ptr<ExportStream>> SubjectExports::Open(const ExportSubject& subject,
                                                           const std::string& jurisdiction) {
  if (jurisdiction != "gdpr" && jurisdiction != "ccpa") {
    return Status::InvalidArgument("invalid-field", "the jurisdiction must be gdpr or ccpa");
  }
  SubjectFacts facts;
  facts.subject = subject;
  facts.jurisdiction = jurisdiction;
  facts.generated_ms = clock_.NowMillis();
  facts.since_ms = LookbackStart(jurisdiction, facts.generated_ms);
  facts.classes = classes_;
  LETHE_ASSIGN_OR_RETURN(facts.customer, store_.FindCustomer(subject.customer_id));
  if (subject.is_customer()) {
    LETHE_ASSIGN_OR_RETURN(facts.accounts, store_.ListAccounts(subject.customer_id));
    for (const AccountRecord& a : facts.accounts) {
      LETHE_ASSIGN_OR_RETURN(std::vector<ApiKeyRecord> keys, store_.ListApiKeys(a.id));
      for (ApiKeyRecord& k : keys) facts.api_keys.push_back(std::move(k));
    }
  } else {
    LETHE_ASSIGN_OR_RETURN(AccountRecord account,
                           store_.FindAccount(subject.customer_id, subject.account_id));
    facts.accounts.push_back(std::move(account));
  }
  auto zip = std::make_unique<ZipExport>(store_, media_, std::move(facts));
  LETHE_RETURN_IF_ERROR(zip->Start());
  return std::unique_ptr<ExportStream>(std::move(zip));
}

}  // namespace lethe
