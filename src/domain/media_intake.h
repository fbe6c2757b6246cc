// MediaIntake: what ingest learns from and does to an upload's bytes once
// they are sealed and durable, before its record commits and before the
// client is answered (issue 14; issue 9's media details).
//
//   Probe (always): libavformat reads the duration, resolution, codecs,
//   frame rate and rotation (media/probe.h). It is part of taking the file
//   in, as sniffing is: a file that sniffs as video but does not demux is
//   refused (UnsupportedMedia "undecodable-media", 415), and so is any file
//   that declares a picture over the pixel limit or cannot be read in the
//   time limit. Audio and images that libavformat cannot read are stored
//   as before, without details.
//
//   Scrub (when the account's scrub_metadata is on): location, device and
//   creation-time metadata and EXIF thumbnails are removed (media/scrub.h).
//   It is processing of the end user's data for the service the customer
//   configured, so it asks the ProcessingGate first (kProcessing, purpose
//   "service": no consent needed, but a restriction, objection or
//   limit_sensitive refuses it). Refused, the file is kept exactly as
//   given (store-only, which is what a restriction asks for) and the
//   outcome says why.
//
// Where the bytes are: the caller hands a ByteSource that decrypts the
// sealed blob a chunk at a time, so the probe streams and no plaintext
// file is ever written.
//
// MP4 and MOV are scrubbed as they stream in (mp4_blanker.h: metadata
// boxes blanked in place before sealing), when the account's scrubbing is
// on, so that the usual file costs no second pass. What comes here is then
// the blanked file and its undo. The ingest reads the account's setting
// once, as the upload starts, and hands it to Examine, so the blanking and
// the scrub follow the same answer. Examine names what was removed (read
// through the undo: what the client sent), and asks for the file as given
// back (restore_original) when the gate refuses the scrub, or when what
// was blanked held nothing revealing (an encoder tag alone: such a file is
// kept byte for byte, at the cost of storing it a second time). Whatever the
// blanking could not reach (a timed-metadata track, a box over its bound)
// is left to the remux, as for a file that was not blanked.
//
// The remux and image scrubs rewrite the whole file, in memory, bounded by
// ScrubLimits::max_bytes (default 512 MiB, --scrub-max-mb): an encrypted
// spill would need a seekable sealed writer (the MP4 muxer patches box
// sizes) that the at-rest format does not have, and only files that carry
// something to remove are rewritten at all. A file over the bound that
// needs scrubbing is refused (TooLarge "scrub-too-large", 413) rather than
// stored with its location; the account can turn scrubbing off for such
// files.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "domain/processing_gate.h"
#include "media/byte_source.h"
#include "media/mp4_blanker.h"
#include "media/probe.h"
#include "media/scrub.h"

namespace lethe {

struct IntakeLimits {
  ProbeLimits probe;
  ScrubLimits scrub;
};

struct IntakeOutcome {
  std::optional<MediaProbe> probe;  // unset: not readable (audio or image only)
  // Set when the scrub removed something: the bytes to store instead.
  std::optional<std::vector<uint8_t>> scrubbed;
  std::vector<std::string> removed;  // names of the removed fields, never values
  // Set when scrubbing was on but the gate refused it: its reason.
  std::optional<std::string> scrub_refused;
  // Set when the bytes were blanked as they came in but must be stored as
  // the client sent them (the gate refused, or nothing blanked was
  // revealing): the caller stores them again through the undo.
  bool restore_original = false;
};

class MediaIntake {
 public:
  MediaIntake(ProcessingGate& gate, IntakeLimits limits) : gate_(gate), limits_(limits) {}

  // Examines the plaintext `bytes` of an upload of `kind` ("video",
  // "audio", "image") whose container SniffContainer() named `container`,
  // for end user `end_user` ("" for the account's own) of `account_id`,
  // whose scrub_metadata the caller read as `scrub`; `blanked` is the undo
  // of an Mp4Blanker the bytes went through (empty when they were stored
  // as sent, and always when `scrub` is off). Returns what to record and,
  // if scrubbed, what to store. Errors: as above (415, 413), the gate's
  // errors other than a refusal, and the source's (DataLoss, Internal).
  Result<IntakeOutcome> Examine(const std::string& account_id, const std::string& end_user,
                                std::string_view kind, std::string_view container, bool scrub,
                                ByteSource& bytes,
                                const std::vector<BytePatch>& blanked = {}) const;

  const IntakeLimits& limits() const { return limits_; }

 private:
  ProcessingGate& gate_;
  IntakeLimits limits_;
};

}  // namespace lethe
