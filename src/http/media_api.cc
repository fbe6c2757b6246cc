#include "http/media_api.h"

#include <boost/json.hpp>
#include <charconv>

#include "common/time_format.h"
#include "http/api_support.h"
#include "http/json_body.h"
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

HttpResponse ListMedia(MediaLibrary& library, HttpRequest& req, const Principal& who) {
  MediaQuery q;
  q.account_id = who.account.id;
  if (auto v = req.Query("end_user")) q.end_user = *v;
  if (auto v = req.Query("tag")) q.tag = *v;
  if (auto v = req.Query("kind")) {
    if (*v != "video" && *v != "audio" && *v != "image") {
      return Fail(Status::InvalidArgument("bad-request", "kind must be video, audio or image"),
                  req);
    }
    q.kind = *v;
  }
  auto page = PageParams(req, 100, 1000);
  if (!page.ok()) return Fail(page.status(), req);
  q.limit = page->limit;
  q.after_seq = page->after_seq;
  auto list = library.List(q);
  if (!list.ok()) return Fail(list.status(), req);
  boost::json::array items;
  for (const MediaRecord& m : *list) items.push_back(MediaView(m));
  boost::json::value next = nullptr;
  if (static_cast<int>(list->size()) == q.limit) next = EncodeCursor(list->back().seq);
  return HttpResponse::Json(200, object{{"media", std::move(items)}, {"next_cursor", next}});
}

HttpResponse PatchMedia(MediaLibrary& library, HttpRequest& req, const Principal& who) {
  auto body = JsonBody(req, {"title", "tags", "end_user"});
  if (!body.ok()) return Fail(body.status(), req);
  MediaFields patch;
  auto title = body->Optional("title");
  auto tags = body->OptionalStrings("tags");
  auto end_user = body->Optional("end_user");
  for (const Status* st : {&title.status(), &tags.status(), &end_user.status()}) {
    if (!st->ok()) return Fail(*st, req);
  }
  patch.title = *title;
  patch.tags = *tags;
  patch.end_user = *end_user;
  auto m = library.Update(who, req.Param("id"), patch, OriginOf(req));
  if (!m.ok()) return Fail(m.status(), req);
  req.end_user = m->end_user;
  return HttpResponse::Json(200, MediaView(*m));
}

// GET and HEAD of the content: ranges, validators and the right headers.
HttpResponse ServeContent(MediaLibrary& library, HttpRequest& req, const MediaRecord& m) {
  req.end_user = m.end_user;
  uint64_t size = static_cast<uint64_t>(m.bytes);
  std::string etag = "\"" + m.sha256 + "\"";
  auto base = [&](int status) {
    HttpResponse r = HttpResponse::Empty(status);
    r.SetHeader("ETag", etag);
    // Content never changes after upload: its creation time is its last change.
    r.SetHeader("Last-Modified", FormatHttpDate(m.created_ms));
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
    HttpResponse r = Fail(Status::RangeNotSatisfiable("the range is outside the content"), req);
    r.SetHeader("Content-Range", "bytes */" + std::to_string(size));
    return r;
  }
  uint64_t first = 0, last = size == 0 ? 0 : size - 1;
  int status = 200;
  if (range.outcome == RangeOutcome::kSatisfiable) {
    first = range.range.first;
    last = range.range.last;
    status = 206;
  }
  HttpResponse r = base(status);
  r.SetHeader("Content-Type", m.content_type);
  if (status == 206) {
    r.SetHeader("Content-Range", "bytes " + std::to_string(first) + "-" + std::to_string(last) +
                                     "/" + std::to_string(size));
  }
  uint64_t length = size == 0 ? 0 : last - first + 1;
  auto reader = library.Open(m, first, last);
  if (!reader.ok()) return Fail(reader.status(), req);
  r.stream = std::make_unique<MediaBody>(std::move(*reader));
  r.stream_length = length;
  return r;
}

HttpResponse Content(MediaLibrary& library, MediaLinks& links, Accounts& accounts, DataPlane& plane,
                     HttpRequest& req) {
  Principal who;
  if (auto sig = req.Query("sig")) {
    // A signed link: it names its account and grants this one object only.
    MediaLink link{req.Query("account").value_or(""), req.Param("id"), 0, *sig};
    const std::string expires = req.Query("expires").value_or("");
    auto [ptr, ec] =
        std::from_chars(expires.data(), expires.data() + expires.size(), link.expires_ms);
    Status st = ec == std::errc() && ptr == expires.data() + expires.size()
                    ? links.Check(link)
                    : Status::Unauthenticated("the link is malformed");
    if (!st.ok()) return Fail(st, req);
    auto account = accounts.FindForLink(link.account_id);
    if (!account.ok()) return Fail(Status::Unauthenticated("the link is not valid"), req);
    who = Principal{*account, "link"};
  } else {
    auto authed = plane.Authenticate(req);
    if (!authed.ok()) return Fail(authed.status(), req);
    who = *authed;
  }
  if (Status st = plane.Meter(req, who); !st.ok()) return Fail(st, req);
  // A link names no end user: the media's own is recorded once it is found.
  if (who.credential_id == "link") req.end_user.clear();
  auto m = library.Get(who.account.id, req.Param("id"));
  if (!m.ok()) return Fail(m.status(), req);
  return ServeContent(library, req, *m);
}

HttpResponse IssueLink(MediaLibrary& library, MediaLinks& links, HttpRequest& req,
                       const Principal& who) {
  int64_t lifetime = kDefaultLinkLifetimeMs;
  if (!req.body.empty()) {  // the body is optional here
    auto body = JsonBody(req, {"expires_in"});
    if (!body.ok()) return Fail(body.status(), req);
    auto secs = body->OptionalInt("expires_in");
    if (!secs.ok()) return Fail(secs.status(), req);
    if (*secs) {
      if (**secs < 1 || **secs > kMaxLinkLifetimeMs / 1000) {
        return Fail(
            Status::InvalidArgument("invalid-field", "expires_in must be 1 to 86400 seconds"), req);
      }
      lifetime = **secs * 1000;
    }
  }
  if (lifetime < 1000 || lifetime > kMaxLinkLifetimeMs) {
    return Fail(Status::InvalidArgument("invalid-field", "expires_in must be 1 to 86400 seconds"),
                req);
  }
  auto m = library.Get(who.account.id, req.Param("id"));
  if (!m.ok()) return Fail(m.status(), req);
  req.end_user = m->end_user;
  MediaLink link = links.Issue(who.account.id, m->id, lifetime);
  std::string url = "/v1/media/" + m->id + "/content?account=" + link.account_id +
                    "&expires=" + std::to_string(link.expires_ms) + "&sig=" + link.signature;
  return HttpResponse::Json(201,
                            object{{"url", url}, {"expires_at", FormatRfc3339(link.expires_ms)}});
}

}  // namespace

void AddMediaRoutes(Router& router, MediaLibrary& library, MediaLinks& links, Accounts& accounts,
                    DataPlane& plane, uint64_t max_json_body, uint64_t max_media_bytes) {
  router.AddUpload("POST", "/v1/media",
                   plane.WrapUpload([&library](HttpRequest& req, const Principal& who) {
                     return StartMediaUpload(library, req, who);
                   }),
                   max_media_bytes);
  router.Add("GET", "/v1/media", plane.Wrap([&library](HttpRequest& req, const Principal& who) {
    return ListMedia(library, req, who);
  }),
             max_json_body);
  router.Add("GET", "/v1/media/{id}",
             plane.Wrap([&library](HttpRequest& req, const Principal& who) {
               auto m = library.Get(who.account.id, req.Param("id"));
               if (!m.ok()) return Fail(m.status(), req);
               req.end_user = m->end_user;
               return HttpResponse::Json(200, MediaView(*m));
             }),
             max_json_body);
  router.Add("PATCH", "/v1/media/{id}",
             plane.Wrap([&library](HttpRequest& req, const Principal& who) {
               return PatchMedia(library, req, who);
             }),
             max_json_body);
  router.Add("DELETE", "/v1/media/{id}",
             plane.Wrap([&library](HttpRequest& req, const Principal& who) {
               Status st = library.Delete(who, req.Param("id"), OriginOf(req));
               return st.ok() ? HttpResponse::Empty(204) : Fail(st, req);
             }),
             max_json_body);
  router.Add("POST", "/v1/media/{id}/links",
             plane.Wrap([&library, &links](HttpRequest& req, const Principal& who) {
               return IssueLink(library, links, req, who);
             }),
             max_json_body);
  router.Add(
      "GET", "/v1/media/{id}/content",
      [&library, &links, &accounts, &plane](HttpRequest& req) {
        return Content(library, links, accounts, plane, req);
      },
      0);
}

}  // namespace lethe
