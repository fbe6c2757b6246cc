#include "http/media_upload.h"

#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include "common/time_format.h"
#include "http/api_support.h"
#include "http/multipart.h"

namespace lethe {
namespace {

constexpr size_t kMaxFieldBytes = 4096;

std::string LowerAscii(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

void AddTags(const std::string& value, std::vector<std::string>& tags) {
  size_t start = 0;
  while (start <= value.size()) {
    size_t comma = value.find(',', start);
    if (comma == std::string::npos) comma = value.size();
    std::string tag = value.substr(start, comma - start);
    while (!tag.empty() && tag.front() == ' ') tag.erase(tag.begin());
    while (!tag.empty() && tag.back() == ' ') tag.pop_back();
    if (!tag.empty()) tags.push_back(tag);
    start = comma + 1;
  }
}

// Applies one metadata field by name. unknown-field for other names.
Status ApplyField(const std::string& name, const std::string& value, MediaFields& f) {
  if (name == "end_user") {
    f.end_user = value;
  } else if (name == "title") {
    f.title = value;
  } else if (name == "tags" || name == "tag") {
    if (!f.tags) f.tags.emplace();
    AddTags(value, *f.tags);
  } else if (name == "expiration_days") {
    int64_t days = 0;
    auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), days);
    if (ec != std::errc() || ptr != value.data() + value.size()) {
      return Status::InvalidArgument("invalid-field", "expiration_days must be a whole number");
    }
    f.expiration_days = days;
  } else if (name == "expire_on") {
    f.expire_on = value;
  } else if (name == "web_rendition") {
    if (value != "true" && value != "false") {
      return Status::InvalidArgument("invalid-field", "web_rendition must be true or false");
    }
    f.web_rendition = value == "true";
  } else {
    return Status::InvalidArgument("unknown-field", "unknown media field");
  }
  return Status::Ok();
}

Status OutOfScope(const std::string& message) {
  return Status(Status::Code::kPermissionDenied, "upload-token-scope", message);
}

}  // namespace

Status ApplyGrant(const UploadGrant* grant, MediaFields& f) {
  if (grant == nullptr) return Status::Ok();
  const UploadTokenRecord& t = grant->token;
  if (f.end_user && *f.end_user != t.end_user) {
    return OutOfScope("end_user is fixed by the upload token");
  }
  f.end_user = t.end_user;
  if (t.title) {
    if (f.title && *f.title != *t.title) return OutOfScope("title is fixed by the upload token");
    f.title = t.title;
  }
  if (t.tags) {
    if (f.tags && *f.tags != *t.tags) return OutOfScope("tags are fixed by the upload token");
    f.tags = t.tags;
  }
  if (f.expiration_days || f.expire_on) {
    return OutOfScope("an upload token cannot set the media's retention");
  }
  return Status::Ok();
}

namespace {

// What an upload token narrows: size, kinds, and one use taken in the
// transaction that commits the media.
IngestTerms TermsOf(const UploadGrant* grant) {
  IngestTerms terms;
  if (grant == nullptr) return terms;
  terms.max_bytes = static_cast<uint64_t>(grant->token.max_bytes);
  terms.kinds = grant->token.kinds;
  terms.in_commit = [grant = *grant](MetadataTx& tx, const MediaRecord&) {
    return UploadTokens::Spend(tx, grant);
  };
  return terms;
}

HttpResponse Created(const MediaRecord& m) {
  HttpResponse r = HttpResponse::Json(201, MediaView(m));
  r.SetHeader("Location", "/v1/media/" + m.id);
  return r;
}

// A raw body: the bytes are the file.
class RawUpload final : public UploadSink {
 public:
  RawUpload(HttpRequest& req, std::unique_ptr<MediaIngest> ingest, MediaFields fields)
      : req_(req), ingest_(std::move(ingest)), fields_(std::move(fields)) {}

  Status Write(std::span<const uint8_t> bytes) override { return ingest_->Append(bytes); }

  Result<HttpResponse> Finish() override {
    LETHE_ASSIGN_OR_RETURN(MediaRecord m, ingest_->Commit(fields_));
    req_.end_user = m.end_user;
    return Created(m);
  }

 private:
  HttpRequest& req_;
  std::unique_ptr<MediaIngest> ingest_;
  MediaFields fields_;
};

// multipart/form-data: one `file` part plus metadata fields in any order.
class MultipartUpload final : public UploadSink {
 public:
  MultipartUpload(MediaLibrary& library, HttpRequest& req, const Principal& who,
                  std::string boundary, MediaFields fields, const UploadGrant* grant)
      : library_(library),
        req_(req),
        who_(who),
        fields_(std::move(fields)),
        grant_(grant ? std::optional<UploadGrant>(*grant) : std::nullopt),
        parser_(std::move(boundary),
                MultipartCallbacks{[this](const PartHeaders& h) { return BeginPart(h); },
                                   [this](std::span<const uint8_t> d) { return PartData(d); },
                                   [this]() { return EndPart(); }}) {}

  Status Write(std::span<const uint8_t> bytes) override { return parser_.Feed(bytes); }

  Result<HttpResponse> Finish() override {
    LETHE_RETURN_IF_ERROR(parser_.Finish());
    if (!ingest_) return Status::InvalidArgument("invalid-field", "the form has no \"file\" part");
    LETHE_RETURN_IF_ERROR(ApplyGrant(grant(), fields_));
    LETHE_ASSIGN_OR_RETURN(MediaRecord m, ingest_->Commit(fields_));
    req_.end_user = m.end_user;
    return Created(m);
  }

 private:
  Status BeginPart(const PartHeaders& h) {
    field_name_ = h.name;
    field_value_.clear();
    if (h.name != "file") return Status::Ok();
    if (ingest_) return Status::InvalidArgument("invalid-field", "only one \"file\" part allowed");
    LETHE_ASSIGN_OR_RETURN(
        ingest_, library_.BeginIngest(who_, h.content_type, OriginOf(req_), TermsOf(grant())));
    in_file_ = true;
    return Status::Ok();
  }

  Status PartData(std::span<const uint8_t> data) {
    if (in_file_) return ingest_->Append(data);
    if (field_value_.size() + data.size() > kMaxFieldBytes) {
      return Status::InvalidArgument("invalid-field", "a form field exceeds 4096 bytes");
    }
    field_value_.append(reinterpret_cast<const char*>(data.data()), data.size());
    return Status::Ok();
  }

  Status EndPart() {
    if (in_file_) {
      in_file_ = false;
      return Status::Ok();
    }
    return ApplyField(field_name_, field_value_, fields_);
  }

  const UploadGrant* grant() const { return grant_ ? &*grant_ : nullptr; }

  MediaLibrary& library_;
  HttpRequest& req_;
  Principal who_;
  MediaFields fields_;
  std::optional<UploadGrant> grant_;
  MultipartParser parser_;
  std::unique_ptr<MediaIngest> ingest_;
  bool in_file_ = false;
  std::string field_name_;
  std::string field_value_;
};

}  // namespace

Result<MediaFields> MediaFieldsFromQuery(const HttpRequest& req) {
  MediaFields f;
  for (const auto& [name, value] : req.query) LETHE_RETURN_IF_ERROR(ApplyField(name, value, f));
  return f;
}

namespace {

// An optional number as JSON (null when unknown).
boost::json::value OrNull(const std::optional<int64_t>& v) {
  return v ? boost::json::value(*v) : boost::json::value(nullptr);
}

// "30000/1001" as 29.97 (three decimals); null when unknown.
boost::json::value FrameRate(const std::optional<std::string>& rate) {
  if (!rate) return nullptr;
  size_t slash = rate->find('/');
  if (slash == std::string::npos) return nullptr;
  double num = std::strtod(rate->c_str(), nullptr);
  double den = std::strtod(rate->c_str() + slash + 1, nullptr);
  if (den <= 0) return nullptr;
  return std::round(num / den * 1000.0) / 1000.0;
}

}  // namespace

boost::json::object MediaView(const MediaRecord& m) {
  boost::json::array tags;
  for (const auto& t : m.tags) tags.emplace_back(t);
  boost::json::array codecs;
  for (const auto& c : m.codecs) codecs.emplace_back(c);
  return {{"id", m.id},
          {"kind", m.kind},
          {"content_type", m.content_type},
          {"bytes", m.bytes},
          {"sha256", m.sha256},
          {"title", m.title},
          {"tags", std::move(tags)},
          {"end_user",
           m.end_user.empty() ? boost::json::value(nullptr) : boost::json::value(m.end_user)},
          {"created_at", FormatRfc3339(m.created_ms)},
          {"expires_at", m.expires_ms ? boost::json::value(FormatRfc3339(*m.expires_ms))
                                      : boost::json::value(nullptr)},
          {"duration_ms", OrNull(m.duration_ms)},
          {"width", OrNull(m.width)},
          {"height", OrNull(m.height)},
          {"codecs", std::move(codecs)},
          {"frame_rate", FrameRate(m.frame_rate)},
          {"rotation", OrNull(m.rotation)}};
}

Result<std::unique_ptr<UploadSink>> StartMediaUpload(MediaLibrary& library, HttpRequest& req,
                                                     const Principal& who,
                                                     const UploadGrant* grant) {
  LETHE_ASSIGN_OR_RETURN(MediaFields fields, MediaFieldsFromQuery(req));
  // The Lethe-End-User header names the end user too (a form field wins).
  if (!fields.end_user && !req.end_user.empty()) fields.end_user = req.end_user;
  // Refused before the body is read when the query already says so.
  LETHE_RETURN_IF_ERROR(ApplyGrant(grant, fields));
  std::string type = req.Header("content-type");
  if (LowerAscii(type.substr(0, 19)) == "multipart/form-data") {
    LETHE_ASSIGN_OR_RETURN(std::string boundary, BoundaryFromContentType(type));
    return std::unique_ptr<UploadSink>(
        new MultipartUpload(library, req, who, boundary, std::move(fields), grant));
  }
  if (grant && req.content_length &&
      *req.content_length > static_cast<uint64_t>(grant->token.max_bytes)) {
    return Status(Status::Code::kTooLarge, "upload-token-size",
                  "media exceeds the upload token's limit of " +
                      std::to_string(grant->token.max_bytes) + " bytes");
  }
  LETHE_ASSIGN_OR_RETURN(std::unique_ptr<MediaIngest> ingest,
                         library.BeginIngest(who, type, OriginOf(req), TermsOf(grant)));
  return std::unique_ptr<UploadSink>(new RawUpload(req, std::move(ingest), std::move(fields)));
}

}  // namespace lethe
