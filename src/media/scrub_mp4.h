// The MP4/MOV half of scrub.h: a remux without re-encoding that leaves
// out where, when and with what device the file was made. Internal to
// src/media; callers use ScrubMetadata().
#pragma once

#include "media/scrub.h"

namespace lethe {

// ScrubMetadata() for "mp4" (ISO BMFF and QuickTime), same contract.
Result<ScrubResult> ScrubMp4(ByteSource& source, const ScrubLimits& limits);

}  // namespace lethe
