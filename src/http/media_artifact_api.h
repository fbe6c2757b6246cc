// Posters and transcripts of media (issue 14), made on the premises:
//   GET /v1/media/{id}/poster      image/webp; credentials or a signed link
//                                  for the media (the same link as /content)
//   GET /v1/media/{id}/transcript  JSON, or WebVTT with Accept: text/vtt or
//                                  ?format=vtt; credentials or a signed link
//   GET|PUT /v1/media-processing   {"transcription": bool, "web_rendition":
//                                  bool}: the account's opt-ins, for media
//                                  uploaded from then on
// The web rendition is served by the content route (media_api.h,
// ?rendition=web).
// Both artifacts are 404 until ready: problem type "artifact-pending" while
// being made, "not-found" when there is none (audio has no poster, the
// account did not ask for transcripts, it failed or the gate refused it).
// Serving them is a use of the end user's data: the processing gate admits
// it as streaming (a restriction refuses it, 403 processing-restricted).
#pragma once

#include <boost/json.hpp>
#include <cstdint>

#include "domain/media_artifacts.h"
#include "domain/media_library.h"
#include "domain/processing_gate.h"
#include "http/router.h"

namespace lethe {

void AddMediaArtifactRoutes(Router& router, MediaLibrary& library, MediaArtifacts& artifacts,
                            ProcessingGate& gate, uint64_t max_json_body);

// What the media object says about its derived artifacts:
//   "processing": {"state": "pending"|"done"|"none", "progress": 0..1},
//   "poster": {"state"} or null,
//   "transcript": {"state", "engine": "pocketsphinx", "on_premises": true} or null,
//   "web_rendition": {"state", "progress": 0..1, "bytes" (null until ready),
//                     "content_type", "on_premises": true} or null.
// "done" counts failed and refused artifacts as done: nothing more will come.
// The overall progress is the mean of the artifacts' (a pending poster or
// transcript counts 0, a pending rendition its worker's progress).
void AddArtifactViews(boost::json::object& view, const MediaRecord& media,
                      const std::vector<MediaArtifactRecord>& all);

// The Content-Type of a media's web rendition: audio/mp4 for audio,
// video/mp4 for video.
std::string WebRenditionType(const MediaRecord& media);

// The WebVTT of a stored transcript (TranscriptJson): cues of up to eight
// words or four seconds. InvalidArgument when `json` is not one.
Result<std::string> TranscriptVtt(const std::string& json);

}  // namespace lethe
