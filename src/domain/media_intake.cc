#include "domain/media_intake.h"

#include "domain/purposes.h"

namespace lethe {

Result<IntakeOutcome> MediaIntake::Examine(const std::string& account_id,
                                           const std::string& end_user, std::string_view kind,
                                           std::string_view container, ByteSource& bytes) const {
  IntakeOutcome out;
  Result<MediaProbe> probe = ProbeMedia(bytes, limits_.probe);
  if (probe.ok()) {
    out.probe = std::move(*probe);
  } else if (probe.status().code() != Status::Code::kUnsupportedMedia ||
             probe.status().reason() != "undecodable-media" || kind == "video") {
    return probe.status();
  }
  if (!ScrubHandles(container)) return out;
  LETHE_ASSIGN_OR_RETURN(bool scrub, store_.FindAccountScrub(account_id));
  if (!scrub) return out;
  Status admitted = gate_.Admit(account_id, end_user, ProcessingUse::kProcessing, kPurposeService);
  if (admitted.code() == Status::Code::kPermissionDenied) {
    out.scrub_refused = admitted.reason();
    return out;
  }
  LETHE_RETURN_IF_ERROR(admitted);
  LETHE_ASSIGN_OR_RETURN(ScrubResult scrubbed, ScrubMetadata(container, bytes, limits_.scrub));
  out.removed = std::move(scrubbed.removed);
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
