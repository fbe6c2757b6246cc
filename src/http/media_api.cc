#include "http/media_api.h"

#include <boost/json.hpp>

#include "common/time_format.h"
#include "http/api_support.h"
#include "http/json_body.h"
#include "http/media_artifact_api.h"
#include "http/media_upload.h"
#include "http/range.h"

namespace lethe {
namespace {

using boost::json::object;

// Streams a MediaReader as a response body.
class MediaBody final : public BodySource {
 public:
  explicit MediaBody(std::unique_ptr<MediaReader> reader) : reader_(std::move(reader)) {}
  Result<size_t> Read(std::span<uint8_t> out) override { return reader_->Read(out); }

 private:
  std::unique_ptr<MediaReader> reader_;
};

// True when an If-None-Match / If-Range list names `etag` (or is "*").
bool EtagListed(const std::string& header, const std::string& etag) {
  if (header == "*") return true;
  size_t pos = 0;
  while (pos < header.size()) {
    size_t comma = header.find(',', pos);
    if (comma == std::string::npos) comma = header.size();
    std::string item = header.substr(pos, comma - pos);
    while (!item.empty() && item.front() == ' ') item.erase(item.begin());
    while (!item.empty() && item.back() == ' ') item.pop_back();
    if (item.rfind("W/", 0) == 0) item = item.substr(2);
    if (item == etag) return true;
    pos = comma + 1;
  }
  return false;
}

Result<HttpResponse> ListMedia(MediaLibrary& library, HttpRequest& req, const Principal& who) {
  MediaQuery q;
  q.account_id = who.account.id;
  if (auto v = req.Query("end_user")) q.end_user = *v;
  if (auto v = req.Query("tag")) q.tag = *v;
  if (auto v = req.Query("kind")) {
    if (*v != "video" && *v != "audio" && *v != "image") {
      return Status::InvalidArgument("bad-request", "kind must be video, audio or image");
    }
    q.kind = *v;
  }
  LETHE_ASSIGN_OR_RETURN(PageRequest page, PageParams(req, 100, 1000));
  q.limit = page.limit;
  q.after_seq = page.after_seq;
  LETHE_ASSIGN_OR_RETURN(MediaLibrary::Page page_out, library.List(q));
  boost::json::array items;
  for (const MediaRecord& m : page_out.items) items.push_back(MediaView(m));
  boost::json::value next = nullptr;
  if (page_out.next_after_seq) next = EncodeCursor(*page_out.next_after_seq);
  return HttpResponse::Json(200, object{{"media", std::move(items)}, {"next_cursor", next}});
}

Result<HttpResponse> PatchMedia(MediaLibrary& library, HttpRequest& req, const Principal& who) {
  LETHE_ASSIGN_OR_RETURN(JsonFields body, JsonBody(req, {"title", "tags", "end_user"}));
  MediaFields patch;
  LETHE_ASSIGN_OR_RETURN(patch.title, body.Optional("title"));
  LETHE_ASSIGN_OR_RETURN(patch.tags, body.OptionalStrings("tags"));
  LETHE_ASSIGN_OR_RETURN(patch.end_user, body.Optional("end_user"));
  LETHE_ASSIGN_OR_RETURN(MediaRecord m, library.Update(who, req.Param("id"), patch, OriginOf(req)));
  req.end_user = m.end_user;
  return HttpResponse::Json(200, MediaView(m));
}

// What the content route serves: the media as uploaded, or a rendition.
struct Representation {
  uint64_t size = 0;
  std::string etag;
  std::string content_type;
  int64_t modified_ms = 0;
  // Opens plaintext bytes [first, last].
  std::function<Result<std::unique_ptr<MediaReader>>(uint64_t, uint64_t)> open;
};

Representation Original(MediaLibrary& library, const MediaRecord& m) {
  // Content never changes after upload: its creation time is its last change.
  return {static_cast<uint64_t>(m.bytes), "\"" + m.sha256 + "\"", m.content_type, m.created_ms,
          [&library, m](uint64_t first, uint64_t last) { return library.Open(m, first, last); }};
}

// The ready web rendition; artifact-pending while it is being made,
// not-found when there is none.
Result<Representation> WebRendition(MediaArtifacts* artifacts, const MediaRecord& m) {
  if (artifacts == nullptr) return Status::NotFound("this server makes no web renditions");
  LETHE_ASSIGN_OR_RETURN(MediaArtifactRecord a, artifacts->Ready(m, kArtifactWeb));
  // Made again (a retry), it is another representation: its time is in the tag.
  return Representation{static_cast<uint64_t>(a.bytes),
                        "\"" + m.sha256 + "-web-" + std::to_string(a.updated_ms) + "\"",
                        WebRenditionType(m), a.updated_ms,
                        [artifacts, m, a](uint64_t first, uint64_t last) {
                          return artifacts->Open(m, a, first, last);
                        }};
}

// GET and HEAD of the content: ranges, validators and the right headers.
Result<HttpResponse> ServeContent(HttpRequest& req, const Representation& rep) {
  const uint64_t size = rep.size;
  const std::string& etag = rep.etag;
  auto base = [&](int status) {
    HttpResponse r = HttpResponse::Empty(status);
    r.SetHeader("ETag", etag);
    r.SetHeader("Last-Modified", FormatHttpDate(rep.modified_ms));
    r.SetHeader("Accept-Ranges", "bytes");
    r.SetHeader("Cache-Control", "private, no-cache");
    r.SetHeader("X-Content-Type-Options", "nosniff");
    return r;
  };
  if (const std::string& inm = req.Header("if-none-match"); !inm.empty() && EtagListed(inm, etag)) {
    return base(304);
  }
  RangeDecision range = ParseRange(req.Header("range"), size);
  // If-Range: honour the range only while the representation is unchanged.
  if (const std::string& if_range = req.Header("if-range"); !if_range.empty() && if_range != etag) {
    range.outcome = RangeOutcome::kNone;
  }
  if (range.outcome == RangeOutcome::kUnsatisfiable) {
    req.problem_headers.emplace_back("Content-Range", "bytes */" + std::to_string(size));
    return Status::RangeNotSatisfiable("the range is outside the content");
  }
  uint64_t first = 0, last = size == 0 ? 0 : size - 1;
  int status = 200;
  if (range.outcome == RangeOutcome::kSatisfiable) {
    first = range.range.first;
    last = range.range.last;
    status = 206;
  }
  HttpResponse r = base(status);
  r.SetHeader("Content-Type", rep.content_type);
  if (status == 206) {
    r.SetHeader("Content-Range", "bytes " + std::to_string(first) + "-" + std::to_string(last) +
                                     "/" + std::to_string(size));
  }
  uint64_t length = size == 0 ? 0 : last - first + 1;
  LETHE_ASSIGN_OR_RETURN(std::unique_ptr<MediaReader> reader, rep.open(first, last));
  r.stream = std::make_unique<MediaBody>(std::move(reader));
  r.stream_length = length;
  return r;
}

Result<HttpResponse> IssueLink(MediaLibrary& library, MediaLinks& links, ProcessingGate& gate,
                               HttpRequest& req, const Principal& who) {
  int64_t lifetime = kDefaultLinkLifetimeMs;
  const Status bad_lifetime =
      Status::InvalidArgument("invalid-field", "expires_in must be 1 to 86400 seconds");
  if (!req.body.empty()) {  // the body is optional here
    LETHE_ASSIGN_OR_RETURN(JsonFields body, JsonBody(req, {"expires_in"}));
    LETHE_ASSIGN_OR_RETURN(std::optional<int64_t> secs, body.OptionalInt("expires_in"));
    if (secs) {
      if (*secs < 1 || *secs > kMaxLinkLifetimeMs / 1000) return bad_lifetime;
      lifetime = *secs * 1000;
    }
  }
  if (lifetime < 1000 || lifetime > kMaxLinkLifetimeMs) return bad_lifetime;
  LETHE_ASSIGN_OR_RETURN(MediaRecord m, library.Get(who.account.id, req.Param("id")));
  req.end_user = m.end_user;
  LETHE_RETURN_IF_ERROR(gate.Admit(m.account_id, m.end_user, ProcessingUse::kShareLink));
  MediaLink link = links.Issue(who.account.id, m.id, lifetime);
  std::string url = "/v1/media/" + m.id + "/content?account=" + link.account_id +
                    "&expires=" + std::to_string(link.expires_ms) + "&sig=" + link.signature;
  return HttpResponse::Json(201,
                            object{{"url", url}, {"expires_at", FormatRfc3339(link.expires_ms)}});
}

}  // namespace

void AddMediaRoutes(Router& router, MediaLibrary& library, MediaLinks& links, ProcessingGate& gate,
                    uint64_t max_json_body, uint64_t max_media_bytes, MediaArtifacts* artifacts) {
  const Auth kData = Auth::kDataPlane;
  // The one route an upload token opens (Auth::kUpload).
  router.AddUpload("POST", "/v1/media", Auth::kUpload, max_media_bytes,
                   [&library](HttpRequest& req, const Caller& c) {
                     return StartMediaUpload(library, req, c.principal(), c.upload_grant());
                   });
  router.Add("GET", "/v1/media", kData, max_json_body,
             [&library](HttpRequest& req, const Caller& c) {
               return ListMedia(library, req, c.principal());
             });
  router.Add("GET", "/v1/media/{id}", kData, max_json_body,
             [&library, artifacts](HttpRequest& req, const Caller& c) -> Result<HttpResponse> {
               LETHE_ASSIGN_OR_RETURN(MediaRecord m,
                                      library.Get(c.principal().account.id, req.Param("id")));
               req.end_user = m.end_user;
               boost::json::object view = MediaView(m);
               if (artifacts != nullptr) {
                 LETHE_ASSIGN_OR_RETURN(std::vector<MediaArtifactRecord> all, artifacts->List(m));
                 AddArtifactViews(view, m, all);
               }
               return HttpResponse::Json(200, view);
             });
  router.Add("PATCH", "/v1/media/{id}", kData, max_json_body,
             [&library](HttpRequest& req, const Caller& c) {
               return PatchMedia(library, req, c.principal());
             });
  router.Add("POST", "/v1/media/{id}/links", kData, max_json_body,
             [&library, &links, &gate](HttpRequest& req, const Caller& c) {
               return IssueLink(library, links, gate, req, c.principal());
             });
  // Players fetch content with a signed link (no credential in the URL);
  // the media's link covers its renditions (?rendition=web) too.
  router.Add(
      "GET", "/v1/media/{id}/content", Auth::kSignedLink, 0,
      [&library, &gate, artifacts](HttpRequest& req, const Caller& c) -> Result<HttpResponse> {
        std::optional<std::string> rendition = req.Query("rendition");
        if (rendition && *rendition != "original" && *rendition != "web") {
          return Status::InvalidArgument("unknown-rendition", "rendition must be original or web");
        }
        LETHE_ASSIGN_OR_RETURN(MediaRecord m,
                               library.Get(c.principal().account.id, req.Param("id")));
        req.end_user = m.end_user;
        LETHE_RETURN_IF_ERROR(gate.Admit(m.account_id, m.end_user, ProcessingUse::kStream));
        if (rendition && *rendition == "web") {
          LETHE_ASSIGN_OR_RETURN(Representation web, WebRendition(artifacts, m));
          return ServeContent(req, web);
        }
        return ServeContent(req, Original(library, m));
      });
}

}  // namespace lethe
