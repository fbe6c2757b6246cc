#include "http/media_artifact_api.h"

#include <cstdio>

#include "http/api_support.h"
#include "http/json_body.h"

namespace lethe {
namespace {

using boost::json::object;

std::string VttTime(int64_t ms) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%02lld:%02lld:%02lld.%03lld",
                static_cast<long long>(ms / 3'600'000), static_cast<long long>(ms / 60'000 % 60),
                static_cast<long long>(ms / 1000 % 60), static_cast<long long>(ms % 1000));
  return buf;
}

object SettingsView(const MediaProcessingSettings& s) {
  return object{{"transcription", s.transcription}, {"web_rendition", s.web_rendition}};
}

HttpResponse Bytes(const std::string& type, std::string body) {
  HttpResponse r = HttpResponse::Empty(200);
  r.SetHeader("Content-Type", type);
  r.SetHeader("Cache-Control", "private, no-cache");
  r.SetHeader("X-Content-Type-Options", "nosniff");
  r.body = std::move(body);
  return r;
}

bool WantsVtt(const HttpRequest& req) {
  if (auto f = req.Query("format")) return *f == "vtt";
  return req.Header("accept").find("text/vtt") != std::string::npos;
}

// The media, for the caller's account, once the gate admits serving it.
Result<MediaRecord> Served(MediaLibrary& library, ProcessingGate& gate, HttpRequest& req,
                           const Caller& c) {
  LETHE_ASSIGN_OR_RETURN(MediaRecord m, library.Get(c.principal().account.id, req.Param("id")));
  req.end_user = m.end_user;
  LETHE_RETURN_IF_ERROR(gate.Admit(m.account_id, m.end_user, ProcessingUse::kStream));
  return m;
}

}  // namespace

Result<std::string> TranscriptVtt(const std::string& json) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(json, ec);
  if (ec || !v.is_object() || !v.as_object().contains("words") ||
      !v.as_object().at("words").is_array()) {
    return Status::InvalidArgument("bad-transcript", "not a stored transcript");
  }
  std::string out = "WEBVTT\n\n";
  const boost::json::array& words = v.as_object().at("words").as_array();
  size_t i = 0;
  while (i < words.size()) {
    const object& first = words[i].as_object();
    int64_t start = first.at("start_ms").to_number<int64_t>();
    int64_t end = start;
    std::string text;
    size_t n = 0;
    while (i < words.size() && n < 8) {
      const object& w = words[i].as_object();
      if (n > 0 && w.at("end_ms").to_number<int64_t>() - start > 4000) break;
      end = w.at("end_ms").to_number<int64_t>();
      text += (text.empty() ? "" : " ") + std::string(w.at("word").as_string());
      ++i;
      ++n;
    }
    out += VttTime(start) + " --> " + VttTime(end) + "\n" + text + "\n\n";
  }
  return out;
}

void AddArtifactViews(object& view, const MediaRecord& m,
                      const std::vector<MediaArtifactRecord>& all) {
  view["poster"] = nullptr;
  view["transcript"] = nullptr;
  view["web_rendition"] = nullptr;
  int done = 0;
  double progress_sum = 0;  // each artifact counts 1 when done
  for (const MediaArtifactRecord& a : all) {
    // Only a rendition reports its progress; the others are quick.
    const double progress = a.state != "pending" ? 1.0 : a.progress_milli / 1000.0;
    if (a.state != "pending") ++done;
    progress_sum += progress;
    object item{{"state", a.state}};
    if (a.state == "failed" || a.state == "refused") item["reason"] = a.detail;
    if (a.kind == kArtifactTranscript) {
      item["engine"] = kTranscriptEngine;
      item["on_premises"] = true;  // SHR-3: no sub-processor heard it
    }
    if (a.kind == kArtifactWeb) {
      item["progress"] = progress;
      item["bytes"] = a.state == "ready" ? boost::json::value(a.bytes) : nullptr;
      item["content_type"] = WebRenditionType(m);
      item["on_premises"] = true;  // SHR-3: transcoded here, by no sub-processor
      view["web_rendition"] = std::move(item);
      continue;
    }
    view[a.kind] = std::move(item);
  }
  std::string state = all.empty()                            ? "none"
                      : done == static_cast<int>(all.size()) ? "done"
                                                             : "pending";
  double progress = all.empty() ? 1.0 : progress_sum / static_cast<double>(all.size());
  view["processing"] = object{{"state", state}, {"progress", progress}};
}

std::string WebRenditionType(const MediaRecord& m) {
  return m.kind == "audio" ? "audio/mp4" : "video/mp4";
}

void AddMediaArtifactRoutes(Router& router, MediaLibrary& library, MediaArtifacts& artifacts,
                            ProcessingGate& gate, uint64_t max_json_body) {
  router.Add("GET", "/v1/media/{id}/poster", Auth::kSignedLink, 0,
             [&](HttpRequest& req, const Caller& c) -> Result<HttpResponse> {
               LETHE_ASSIGN_OR_RETURN(MediaRecord m, Served(library, gate, req, c));
               LETHE_ASSIGN_OR_RETURN(std::string webp, artifacts.Read(m, kArtifactPoster));
               return Bytes("image/webp", std::move(webp));
             });
  router.Add("GET", "/v1/media/{id}/transcript", Auth::kSignedLink, 0,
             [&](HttpRequest& req, const Caller& c) -> Result<HttpResponse> {
               LETHE_ASSIGN_OR_RETURN(MediaRecord m, Served(library, gate, req, c));
               LETHE_ASSIGN_OR_RETURN(std::string json, artifacts.Read(m, kArtifactTranscript));
               if (!WantsVtt(req)) return Bytes("application/json", std::move(json));
               LETHE_ASSIGN_OR_RETURN(std::string vtt, TranscriptVtt(json));
               return Bytes("text/vtt; charset=utf-8", std::move(vtt));
             });
  router.Add("GET", "/v1/media-processing", Auth::kDataPlane, max_json_body,
             [&](HttpRequest&, const Caller& c) -> Result<HttpResponse> {
               LETHE_ASSIGN_OR_RETURN(MediaProcessingSettings s,
                                      artifacts.Settings(c.principal().account.id));
               return HttpResponse::Json(200, SettingsView(s));
             });
  // Each field present changes its setting; an absent one stays.
  router.Add(
      "PUT", "/v1/media-processing", Auth::kDataPlane, max_json_body,
      [&](HttpRequest& req, const Caller& c) -> Result<HttpResponse> {
        LETHE_ASSIGN_OR_RETURN(JsonFields body, JsonBody(req, {"transcription", "web_rendition"}));
        MediaArtifacts::SettingsPatch patch;
        LETHE_ASSIGN_OR_RETURN(patch.transcription, body.OptionalBool("transcription"));
        LETHE_ASSIGN_OR_RETURN(patch.web_rendition, body.OptionalBool("web_rendition"));
        if (!patch.transcription && !patch.web_rendition) {
          return Status::InvalidArgument("invalid-field",
                                         "transcription or web_rendition must be a boolean");
        }
        LETHE_ASSIGN_OR_RETURN(MediaProcessingSettings s,
                               artifacts.UpdateSettings(c.principal().account.id, patch));
        return HttpResponse::Json(200, SettingsView(s));
      });
}

}  // namespace lethe
