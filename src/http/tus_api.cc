#include "http/tus_api.h"

#include <charconv>

#include "common/encoding.h"
#include "common/time_format.h"
#include "http/api_support.h"
#include "http/media_upload.h"

namespace lethe {
namespace {

constexpr const char* kTusVersion = "1.0.0";
constexpr const char* kExtensions = "creation,creation-with-upload,termination,expiration,checksum";
constexpr size_t kMaxMetadataBytes = 4096;

// Every tus answer, errors included, says which protocol it speaks; a
// version we do not speak is refused before anything else.
Status StartTus(HttpRequest& req) {
  req.problem_headers.emplace_back("Tus-Resumable", kTusVersion);
  if (req.Header("tus-resumable") != kTusVersion) {
    req.problem_headers.emplace_back("Tus-Version", kTusVersion);
    return Status::FailedPrecondition("tus-version", "Tus-Resumable: 1.0.0 is required");
  }
  return Status::Ok();
}

Result<int64_t> NumberHeader(const HttpRequest& req, const std::string& name) {
  const std::string& v = req.Header(name);
  int64_t n = -1;
  auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (v.empty() || ec != std::errc() || ptr != v.data() + v.size() || n < 0) {
    return Status::InvalidArgument("invalid-field", name + " must be a whole number");
  }
  return n;
}

std::string Trim(std::string s) {
  while (!s.empty() && s.front() == ' ') s.erase(s.begin());
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

// Upload-Metadata: "key base64,key base64,key" (values optional).
Result<NewUpload> ParseCreation(const HttpRequest& req, const UploadGrant* grant) {
  NewUpload spec;
  if (!req.Header("upload-defer-length").empty()) {
    return Status::InvalidArgument("invalid-field", "Upload-Defer-Length is not supported");
  }
  LETHE_ASSIGN_OR_RETURN(spec.length, NumberHeader(req, "upload-length"));
  spec.metadata = req.Header("upload-metadata");
  if (spec.metadata.size() > kMaxMetadataBytes) {
    return Status::InvalidArgument("invalid-field", "Upload-Metadata exceeds 4096 bytes");
  }
  size_t start = 0;
  while (start < spec.metadata.size()) {
    size_t comma = spec.metadata.find(',', start);
    if (comma == std::string::npos) comma = spec.metadata.size();
    std::string pair = Trim(spec.metadata.substr(start, comma - start));
    start = comma + 1;
    if (pair.empty()) continue;
    size_t space = pair.find(' ');
    std::string key = pair.substr(0, space);
    std::string value;
    if (space != std::string::npos) {
      auto decoded = Base64Decode(Trim(pair.substr(space + 1)));
      if (!decoded) {
        return Status::InvalidArgument("invalid-field", "Upload-Metadata values must be base64");
      }
      value.assign(decoded->begin(), decoded->end());
    }
    if (key == "filetype") {
      spec.content_type = value;
    } else if (key == "title") {
      spec.fields.title = value;
    } else if (key == "end_user") {
      spec.fields.end_user = value;
    } else if (key == "web_rendition") {
      if (value != "true" && value != "false") {
        return Status::InvalidArgument("invalid-field", "web_rendition must be true or false");
      }
      spec.fields.web_rendition = value == "true";
    } else if (key == "tags") {
      std::vector<std::string> tags;
      size_t at = 0;
      while (at <= value.size()) {
        size_t c = value.find(',', at);
        if (c == std::string::npos) c = value.size();
        std::string tag = Trim(value.substr(at, c - at));
        if (!tag.empty()) tags.push_back(tag);
        at = c + 1;
      }
      spec.fields.tags = std::move(tags);
    }
  }
  // The Lethe-End-User header names the end user too (metadata wins).
  if (!spec.fields.end_user && !req.end_user.empty()) spec.fields.end_user = req.end_user;
  LETHE_RETURN_IF_ERROR(ApplyGrant(grant, spec.fields));
  return spec;
}

// Upload-Checksum: "sha256 <base64 digest>", as hex; nullopt when absent.
Result<std::optional<std::string>> ChecksumOf(const HttpRequest& req) {
  const std::string& v = req.Header("upload-checksum");
  if (v.empty()) return std::optional<std::string>();
  size_t space = v.find(' ');
  if (space == std::string::npos || v.substr(0, space) != "sha256") {
    return Status::InvalidArgument("checksum-algorithm",
                                   "Upload-Checksum must use sha256, the one algorithm supported");
  }
  auto digest = Base64Decode(Trim(v.substr(space + 1)));
  if (!digest || digest->size() != 32) {
    return Status::InvalidArgument("invalid-field", "Upload-Checksum needs a base64 sha256 digest");
  }
  return std::optional<std::string>(HexEncode(*digest));
}

Status CheckPatchType(const HttpRequest& req) {
  if (req.Header("content-type") != "application/offset+octet-stream") {
    return Status::UnsupportedMedia("tus-content-type",
                                    "the body must be application/offset+octet-stream");
  }
  return Status::Ok();
}

void SetUploadHeaders(HttpResponse& r, const UploadRecord& u) {
  r.SetHeader("Tus-Resumable", kTusVersion);
  r.SetHeader("Upload-Offset", std::to_string(u.offset));
  r.SetHeader("Upload-Expires", FormatHttpDate(u.expires_ms));
  if (u.media_id) r.SetHeader("Lethe-Media-Id", *u.media_id);
}

bool HasBody(const HttpRequest& req) {
  return req.chunked || (req.content_length && *req.content_length > 0);
}

// The body of a PATCH, or of a creation with upload, into an UploadPart.
// A body cut short keeps what arrived (tus): the server destroys the sink
// without Finish() when the client goes away, so the destructor stores it.
class TusSink final : public UploadSink {
 public:
  TusSink(HttpRequest& req, std::unique_ptr<UploadPart> part, UploadRecord upload, int status)
      : req_(req), part_(std::move(part)), upload_(std::move(upload)), status_(status) {}
  ~TusSink() override {
    if (part_ && !settled_) part_->Keep();
  }

  Status Write(std::span<const uint8_t> bytes) override {
    if (!part_) return Status::InvalidArgument("invalid-field", "no body was announced");
    Status st = part_->Append(bytes);
    if (!st.ok()) settled_ = true;
    return st;
  }

  Result<HttpResponse> Finish() override {
    settled_ = true;
    if (part_) {
      LETHE_ASSIGN_OR_RETURN(upload_, part_->Finish());
    }
    HttpResponse r = HttpResponse::Empty(status_);
    if (status_ == 201) r.SetHeader("Location", "/v1/uploads/" + upload_.id);
    SetUploadHeaders(r, upload_);
    req_.end_user = upload_.end_user;
    return r;
  }

 private:
  HttpRequest& req_;
  std::unique_ptr<UploadPart> part_;  // null: no body
  UploadRecord upload_;
  int status_;
  bool settled_ = false;
};

Result<std::unique_ptr<UploadSink>> Create(ResumableUploads& uploads, HttpRequest& req,
                                           const Caller& c) {
  LETHE_RETURN_IF_ERROR(StartTus(req));
  const bool body = HasBody(req);
  if (body) LETHE_RETURN_IF_ERROR(CheckPatchType(req));
  LETHE_ASSIGN_OR_RETURN(auto checksum, ChecksumOf(req));
  LETHE_ASSIGN_OR_RETURN(NewUpload spec, ParseCreation(req, c.upload_grant()));
  LETHE_ASSIGN_OR_RETURN(UploadRecord u, uploads.Create(c.principal(), c.upload_grant(), spec));
  req.end_user = u.end_user;
  std::unique_ptr<UploadPart> part;
  if (body) {
    LETHE_ASSIGN_OR_RETURN(part, uploads.BeginPart(c.principal(), c.upload_grant(), u.id, 0,
                                                   std::move(checksum), OriginOf(req)));
  }
  return std::unique_ptr<UploadSink>(new TusSink(req, std::move(part), std::move(u), 201));
}

Result<std::unique_ptr<UploadSink>> Patch(ResumableUploads& uploads, HttpRequest& req,
                                          const Caller& c) {
  LETHE_RETURN_IF_ERROR(StartTus(req));
  LETHE_RETURN_IF_ERROR(CheckPatchType(req));
  LETHE_ASSIGN_OR_RETURN(int64_t offset, NumberHeader(req, "upload-offset"));
  LETHE_ASSIGN_OR_RETURN(auto checksum, ChecksumOf(req));
  LETHE_ASSIGN_OR_RETURN(UploadRecord u,
                         uploads.Find(c.principal(), c.upload_grant(), req.Param("id")));
  req.end_user = u.end_user;
  LETHE_ASSIGN_OR_RETURN(auto part, uploads.BeginPart(c.principal(), c.upload_grant(), u.id, offset,
                                                      std::move(checksum), OriginOf(req)));
  return std::unique_ptr<UploadSink>(new TusSink(req, std::move(part), std::move(u), 204));
}

Result<HttpResponse> Head(ResumableUploads& uploads, HttpRequest& req, const Caller& c) {
  LETHE_RETURN_IF_ERROR(StartTus(req));
  LETHE_ASSIGN_OR_RETURN(UploadRecord u,
                         uploads.Find(c.principal(), c.upload_grant(), req.Param("id")));
  req.end_user = u.end_user;
  HttpResponse r = HttpResponse::Empty(200);
  SetUploadHeaders(r, u);
  r.SetHeader("Upload-Length", std::to_string(u.length));
  if (!u.metadata.empty()) r.SetHeader("Upload-Metadata", u.metadata);
  r.SetHeader("Cache-Control", "no-store");
  return r;
}

Result<HttpResponse> Terminate(ResumableUploads& uploads, HttpRequest& req, const Caller& c) {
  LETHE_RETURN_IF_ERROR(StartTus(req));
  LETHE_RETURN_IF_ERROR(uploads.Terminate(c.principal(), c.upload_grant(), req.Param("id")));
  HttpResponse r = HttpResponse::Empty(204);
  r.SetHeader("Tus-Resumable", kTusVersion);
  return r;
}

}  // namespace

void AddTusRoutes(Router& router, ResumableUploads& uploads, uint64_t max_json_body,
                  uint64_t max_media_bytes) {
  router.AddUpload(
      "POST", "/v1/uploads", Auth::kUpload, max_media_bytes,
      [&uploads](HttpRequest& req, const Caller& c) { return Create(uploads, req, c); });
  router.AddUpload(
      "PATCH", "/v1/uploads/{id}", Auth::kUpload, max_media_bytes,
      [&uploads](HttpRequest& req, const Caller& c) { return Patch(uploads, req, c); });
  router.Add("HEAD", "/v1/uploads/{id}", Auth::kUpload, max_json_body,
             [&uploads](HttpRequest& req, const Caller& c) { return Head(uploads, req, c); });
  router.Add("DELETE", "/v1/uploads/{id}", Auth::kUpload, max_json_body,
             [&uploads](HttpRequest& req, const Caller& c) { return Terminate(uploads, req, c); });
  std::vector<std::pair<std::string, std::string>> discovery = {
      {"Tus-Resumable", kTusVersion},
      {"Tus-Version", kTusVersion},
      {"Tus-Extension", kExtensions},
      {"Tus-Max-Size", std::to_string(max_media_bytes)},
      {"Tus-Checksum-Algorithm", "sha256"}};
  router.SetOptionsHeaders("/v1/uploads", discovery);
  router.SetOptionsHeaders("/v1/uploads/{id}", discovery);
}

}  // namespace lethe
