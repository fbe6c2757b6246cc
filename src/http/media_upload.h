// Media upload bodies for POST /v1/media, in the two forms clients send:
// a raw body with its own Content-Type and metadata in the query string, or
// multipart/form-data with a `file` part and metadata fields (curl -F,
// browser forms). Both stream into a MediaIngest; neither buffers the file.
#pragma once

#include <memory>

#include "domain/media_library.h"
#include "domain/upload_tokens.h"
#include "http/exchange.h"

namespace lethe {

// Metadata fields from the query string (`end_user`, `title`, `tags` as a
// comma-separated list or repeated, `expiration_days`, `expire_on`,
// `web_rendition` true or false).
// InvalidArgument for malformed values or unknown parameters.
Result<MediaFields> MediaFieldsFromQuery(const HttpRequest& req);

// With an upload token (`grant`, may be null): narrows `f` to the token's
// end user and fixed title and tags, which the upload may repeat but not
// change, and refuses a retention of the upload's own (the account's to
// set): PermissionDenied("upload-token-scope").
Status ApplyGrant(const UploadGrant* grant, MediaFields& f);

// The JSON view of a media record.
boost::json::object MediaView(const MediaRecord& m);

// Starts the upload that `req` carries, as `who`. Returns a sink, or the
// error that refuses the upload before its body is read: InvalidArgument
// for bad metadata or a multipart type without a boundary, and whatever
// MediaLibrary::BeginIngest refuses.
//
// With `grant` (an upload token, upload_tokens.h) the upload is narrowed
// to the token's end user, fixed fields, size and kinds, and takes one of
// its uses when the media commits: PermissionDenied("upload-token-scope")
// for a field the token fixes otherwise or a retention of its own,
// TooLarge("upload-token-size"), UnsupportedMedia("upload-token-kind"),
// Unauthenticated when no use is left at commit. Each stores nothing.
Result<std::unique_ptr<UploadSink>> StartMediaUpload(MediaLibrary& library, HttpRequest& req,
                                                     const Principal& who,
                                                     const UploadGrant* grant = nullptr);

}  // namespace lethe
