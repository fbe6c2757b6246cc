// tus 1.0 resumable uploads (issue 9; https://tus.io/protocols/resumable-upload),
// on the data plane, open to account credentials and upload tokens alike
// (Auth::kUpload):
//   OPTIONS /v1/uploads        Tus-Version, Tus-Extension, Tus-Max-Size,
//                              Tus-Checksum-Algorithm (sha256)
//   POST    /v1/uploads        creation (Upload-Length, Upload-Metadata),
//                              with a body: creation-with-upload
//   HEAD    /v1/uploads/{id}   Upload-Offset, Upload-Length, Upload-Expires
//   PATCH   /v1/uploads/{id}   the bytes at Upload-Offset
//                              (application/offset+octet-stream)
//   DELETE  /v1/uploads/{id}   termination
// Extensions: creation, creation-with-upload, termination, expiration,
// checksum (sha256). Every answer but OPTIONS carries Tus-Resumable; a
// request without Tus-Resumable: 1.0.0 is 412 with Tus-Version. Errors stay
// problem+json: 409 upload-offset-mismatch, 412 tus-version, 415
// tus-content-type, 460 checksum-mismatch, 404 for an upload of another
// account or (for an upload token) another credential.
//
// Upload-Metadata keys read: filetype (the declared Content-Type; absent:
// sniffed), title, tags (comma-separated), end_user, web_rendition ("true"
// asks for a web rendition, media_artifacts.h); others (filename...)
// are kept and echoed by HEAD only. Once complete, HEAD and the last PATCH
// name the media in Lethe-Media-Id.
#pragma once

#include <cstdint>

#include "domain/resumable_uploads.h"
#include "http/router.h"

namespace lethe {

void AddTusRoutes(Router& router, ResumableUploads& uploads, uint64_t max_json_body,
                  uint64_t max_media_bytes);

}  // namespace lethe
