#include "http/static_site.h"

#include <array>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <utility>

#include "crypto/secret_hash.h"

namespace lethe {
namespace {

namespace fs = std::filesystem;

Status BadPortal(const std::string& message) {
  return Status::InvalidArgument("bad-portal", message);
}

Result<std::string> ReadWhole(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return BadPortal("cannot read " + path.string());
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return BadPortal("cannot read " + path.string());
  return bytes;
}

// True when a path component is hidden (".git", ".DS_Store", ".vite").
bool Hidden(const fs::path& relative) {
  for (const fs::path& part : relative) {
    if (!part.empty() && part.native().front() == '.') return true;
  }
  return false;
}

std::string_view Extension(std::string_view name) {
  size_t slash = name.rfind('/');
  size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) return "";
  return name.substr(dot + 1);
}

// An entity tag is a quoted string, optionally weak (W/). If-None-Match
// compares weakly (RFC 9110 section 13.1.2): the W/ prefix is ignored.
bool IfNoneMatchHits(std::string_view header, std::string_view etag) {
  size_t pos = 0;
  while (pos < header.size()) {
    size_t comma = header.find(',', pos);
    if (comma == std::string_view::npos) comma = header.size();
    std::string_view item = header.substr(pos, comma - pos);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (item == "*") return true;
    if (item.substr(0, 2) == "W/") item.remove_prefix(2);
    if (item == etag) return true;
    pos = comma + 1;
  }
  return false;
}

}  // namespace

Result<StaticSite> StaticSite::Load(const std::string& root) {
  std::error_code ec;
  if (!fs::is_directory(root, ec)) return BadPortal(root + " is not a directory");
  StaticSite site;
  // Directory links are not followed, and entries are judged by their own
  // status (symlink_status): a link is never read, whatever it points to.
  fs::recursive_directory_iterator it(root, fs::directory_options::none, ec);
  if (ec) return BadPortal("cannot list " + root + ": " + ec.message());
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) return BadPortal("cannot list " + root + ": " + ec.message());
    const fs::directory_entry& entry = *it;
    fs::path relative = entry.path().lexically_relative(root);
    if (Hidden(relative)) {
      if (entry.is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    if (!entry.is_regular_file(ec) || entry.is_symlink(ec)) continue;
    if (site.files_.size() >= kMaxSiteFiles) {
      return BadPortal(root + " holds more than " + std::to_string(kMaxSiteFiles) + " files");
    }
    // Judged by the size before reading, and again by what was read.
    uint64_t size = entry.file_size(ec);
    if (ec || site.total_bytes_ + size > kMaxSiteBytes) {
      return BadPortal(root + " holds more than " + std::to_string(kMaxSiteBytes) + " bytes");
    }
    LETHE_ASSIGN_OR_RETURN(std::string bytes, ReadWhole(entry.path()));
    site.total_bytes_ += bytes.size();
    if (site.total_bytes_ > kMaxSiteBytes) {
      return BadPortal(root + " holds more than " + std::to_string(kMaxSiteBytes) + " bytes");
    }
    StaticFile file;
    const std::string name = relative.generic_string();
    file.content_type = std::string(ContentTypeFor(name));
    file.etag = "\"" + Sha256Hex(bytes).substr(0, 32) + "\"";
    file.immutable = name.compare(0, kAssetDir.size(), kAssetDir) == 0;
    file.body = std::move(bytes);
    site.files_.emplace(name, std::move(file));
  }
  if (site.Find("index.html") == nullptr) return BadPortal(root + " has no index.html");
  return site;
}

const StaticFile* StaticSite::Find(std::string_view relative) const {
  auto it = files_.find(relative);
  return it == files_.end() ? nullptr : &it->second;
}

std::string_view ContentTypeFor(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 17> kTypes = {{
      {"html", "text/html; charset=utf-8"},
      {"js", "text/javascript; charset=utf-8"},
      {"mjs", "text/javascript; charset=utf-8"},
      {"css", "text/css; charset=utf-8"},
      {"json", "application/json"},
      {"map", "application/json"},
      {"txt", "text/plain; charset=utf-8"},
      {"svg", "image/svg+xml"},
      {"png", "image/png"},
      {"jpg", "image/jpeg"},
      {"jpeg", "image/jpeg"},
      {"webp", "image/webp"},
      {"ico", "image/vnd.microsoft.icon"},
      {"woff2", "font/woff2"},
      {"woff", "font/woff"},
      {"wasm", "application/wasm"},
      {"webmanifest", "application/manifest+json"},
  }};
  std::string_view ext = Extension(name);
  for (const auto& [known, type] : kTypes) {
    if (ext == known) return type;
  }
  return "application/octet-stream";
}

void AddPortalSecurityHeaders(HttpResponse& r) {
  r.SetHeader("Content-Security-Policy", std::string(kPortalCsp));
  r.SetHeader("X-Content-Type-Options", "nosniff");
  // same-origin, not no-referrer: under no-referrer a browser sends
  // "Origin: null" on the page's own POSTs, and the CSRF check needs it.
  r.SetHeader("Referrer-Policy", "same-origin");
  r.SetHeader("Cross-Origin-Opener-Policy", "same-origin");
  r.SetHeader("X-Frame-Options", "DENY");  // for browsers without frame-ancestors
}

HttpResponse ServeStaticFile(const StaticFile& file, const HttpRequest& req) {
  const std::string& if_none_match = req.Header("if-none-match");
  HttpResponse r;
  r.status = !if_none_match.empty() && IfNoneMatchHits(if_none_match, file.etag) ? 304 : 200;
  if (r.status == 200) r.body = file.body;
  r.SetHeader("Content-Type", file.content_type);
  r.SetHeader("ETag", file.etag);
  r.SetHeader("Cache-Control", file.immutable ? "public, max-age=31536000, immutable" : "no-cache");
  AddPortalSecurityHeaders(r);
  return r;
}

}  // namespace lethe
