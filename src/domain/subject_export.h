// SubjectExports: the copy of one data subject's data (RGT-1 access and
// portability, RGT-3 CCPA "know", ACC-9), as one ZIP written with
// libarchive:
//
//   README.txt        what each file is
//   subject.json      profile, accounts, media metadata, usage events within
//                     the lookback, consents, disclosures, retention periods;
//                     documented by docs/schemas/subject-export.schema.json
//   media/<id>.<ext>  each original media file, decrypted, byte-identical
//                     to the upload
//
// The subject is either an end user of one of the customer's accounts
// (Lethe as processor: their media and usage events in that account) or the
// customer itself (Lethe as controller: profile, accounts and API keys, no
// end users' content: that is other people's data, which the customer reads
// through the data plane or exports per end user).
//
// Lookback (RGT-3): "ccpa" keeps usage events of the 12 calendar months
// before the export is built; "gdpr" keeps all of them.
//
// The export streams with flat memory: Read() pulls it, and each call does
// only enough work (a page of records, one piece of one media file) to fill
// the caller's buffer. Media files alone are read a few pieces ahead, by a
// MediaReadAhead thread, so that decrypting overlaps checksumming and
// sending; no file is held whole.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "common/status.h"
#include "domain/closures.h"
#include "domain/media_library.h"
#include "ports/clock.h"
#include "ports/metadata_store.h"

namespace lethe {

// Whose data an export holds.
struct ExportSubject {
  std::string customer_id;
  std::string account_id;  // the end user's account; "" for the customer itself
  std::string end_user;    // "" for the customer itself
  bool is_customer() const { return account_id.empty(); }
};

// The bytes of one export ZIP, pulled by the caller.
class ExportStream {
 public:
  virtual ~ExportStream() = default;
  // Fills the front of `out` with the next bytes; returns the count, 0 only
  // at the end. DataLoss when a media chunk fails authentication, Internal
  // when a store or libarchive fails; after an error the stream is dead and
  // every later call returns the same error.
  virtual Result<size_t> Read(std::span<uint8_t> out) = 0;
};

class SubjectExports {
 public:
  // `classes` are the closure retention periods stated in subject.json.
  SubjectExports(MetadataStore& store, MediaLibrary& media, const Clock& clock,
                 RetentionClasses classes)
      : store_(store), media_(media), clock_(clock), classes_(classes) {}

  // The export of `subject` under `jurisdiction` ("gdpr" or "ccpa"), ready
  // to be read. InvalidArgument("invalid-field") for another jurisdiction;
  // NotFound for an unknown customer, or an account that is not the
  // customer's; Internal when libarchive cannot start.
  Result<std::unique_ptr<ExportStream>> Open(const ExportSubject& subject,
                                             const std::string& jurisdiction);

  // The first instant whose usage events an export built at `now_ms` under
  // `jurisdiction` holds: 12 calendar months back for "ccpa", 0 for "gdpr".
  static int64_t LookbackStart(const std::string& jurisdiction, int64_t now_ms);

 private:
  MetadataStore& store_;
  MediaLibrary& media_;
  const Clock& clock_;
  RetentionClasses classes_;
};

// The file extension an export gives media of `content_type` ("bin" when
// unknown).
std::string ExportExtension(const std::string& content_type);

}  // namespace lethe
