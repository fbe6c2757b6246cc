// Media routes (USE-2), all on the data plane:
//   POST   /v1/media                 ingest (raw body or multipart/form-data)
//   GET    /v1/media                 list: end_user, tag, kind, limit, cursor
//   GET    /v1/media/{id}            metadata
//   PATCH  /v1/media/{id}            correct title, tags, end_user
//   DELETE /v1/media/{id}            remove record and blob
//   POST   /v1/media/{id}/links      a short-lived signed content URL
//   GET|HEAD /v1/media/{id}/content  the bytes: Range, ETag, If-None-Match,
//                                    If-Range; credentials or a signed link;
//                                    ?rendition=web: the web rendition
//                                    (404 artifact-pending while it is made,
//                                    not-found when there is none; another
//                                    value is 400 unknown-rendition)
// Content and links pass the ProcessingGate first (RGT-1): a subject under
// a restriction gets 403 processing-restricted.
#pragma once

#include <cstdint>

#include "domain/media_artifacts.h"
#include "domain/media_library.h"
#include "domain/media_links.h"
#include "domain/processing_gate.h"
#include "http/router.h"

namespace lethe {

// With `artifacts`, GET /v1/media/{id} tells of posters, transcripts and
// the web rendition (media_artifact_api.h), and the content route serves
// the rendition.
void AddMediaRoutes(Router& router, MediaLibrary& library, MediaLinks& links, ProcessingGate& gate,
                    uint64_t max_json_body, uint64_t max_media_bytes,
                    MediaArtifacts* artifacts = nullptr);

}  // namespace lethe
