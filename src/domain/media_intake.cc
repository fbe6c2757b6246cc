#include "domain/media_intake.h"

#include <algorithm>

#include "domain/purposes.h"

namespace lethe {

Result<IntakeOutcome> MediaIntake::Examine(const std::string& account_id,
                                           const std::string& end_user, std::string_view kind,
                                           std::string_view container, bool scrub,
                                           ByteSource& bytes,
                                           const std::vector<BytePatch>& blanked) const {
  IntakeOutcome out;
  Result<MediaProbe> probe = ProbeMedia(bytes, limits_.probe);
  if (probe.ok()) {
    out.probe = std::move(*probe);
  } else if (probe.status().code() != Status::Code::kUnsupportedMedia ||
             probe.status().reason() != "undecodable-media" || kind == "video") {
    return probe.status();
  }
  if (!scrub || !ScrubHandles(container)) return out;
  Status admitted = gate_.Admit(account_id, end_user, ProcessingUse::kProcessing, kPurposeService);
  if (admitted.code() == Status::Code::kPermissionDenied) {
    out.scrub_refused = admitted.reason();
    out.restore_original = !blanked.empty();
    return out;
  }
  LETHE_RETURN_IF_ERROR(admitted);
  std::vector<std::string> removed;
  if (!blanked.empty()) {
    UndoneByteSource sent(bytes, blanked);
    LETHE_ASSIGN_OR_RETURN(Mp4Metadata said, ReadMp4Metadata(sent, limits_.scrub));
    // Blanked, but nothing there was revealing (an encoder tag): a file
    // with nothing to remove is kept byte for byte.
    if (said.revealing.empty()) {
      out.restore_original = true;
      return out;
    }
    removed = std::move(said.removed);
  }
  // What the blanking could not reach, or the whole scrub of a file that
  // was not blanked.
  LETHE_ASSIGN_OR_RETURN(ScrubResult scrubbed, ScrubMetadata(container, bytes, limits_.scrub));
  removed.insert(removed.end(), scrubbed.removed.begin(), scrubbed.removed.end());
  std::sort(removed.begin(), removed.end());
  removed.erase(std::unique(removed.begin(), removed.end()), removed.end());
  out.removed = std::move(removed);
  out.scrubbed = std::move(scrubbed.bytes);
  if (out.scrubbed && out.probe) {
    // Same streams, fewer tags; the rotation and sizes are unchanged, but
    // the probe is of the file as stored.
    MemoryByteSource stored(*out.scrubbed);
    LETHE_ASSIGN_OR_RETURN(out.probe, ProbeMedia(stored, limits_.probe));
  }
  return out;
}

}  // namespace lethe
