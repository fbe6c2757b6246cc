// StaticSite: the built portal (web/portal, `vite build`), read into memory
// once at startup and served from there (issue 15).
//
// Why in memory: no request ever reads the disk, so no network thread can
// block on it and no handler needs the blocking pool; the files served are
// one consistent build (index.html and the assets it names), even while a
// new build is being written over the directory; and a request can only
// name a file the site holds, looked up by its exact relative path, so
// `..`, encoded slashes, NUL bytes or symlinks out of the directory never
// reach the file system. The portal is small (a few hundred KiB); a site
// over kMaxSiteBytes or kMaxSiteFiles is refused at startup.
//
// Only regular files are read. Symbolic links, hidden names (a leading
// '.') and anything else are skipped, so a link planted in the build
// directory cannot publish a file from elsewhere.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "common/status.h"
#include "http/exchange.h"

namespace lethe {

inline constexpr uint64_t kMaxSiteBytes = 64ULL << 20;
inline constexpr size_t kMaxSiteFiles = 4096;
// Assets (content-hashed names, `vite build`) live under this directory of
// the site; everything else (index.html) is revalidated on every use.
inline constexpr std::string_view kAssetDir = "assets/";

// The Content-Security-Policy of every portal response: scripts, styles
// and connections to this origin only, no inline script or style, no
// plugins, no framing by any page, Trusted Types for DOM sinks. Images
// and media may also come from blob: URLs the page makes itself.
inline constexpr std::string_view kPortalCsp =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob:; "
    "media-src 'self' blob:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'; "
    "require-trusted-types-for 'script'; trusted-types 'none'";

struct StaticFile {
  std::string body;
  std::string content_type;
  std::string etag;        // strong, quoted: the first 128 bits of SHA-256, hex
  bool immutable = false;  // an asset: its name changes when its bytes do
};

class StaticSite {
 public:
  StaticSite() = default;

  // Reads every regular file under `root`, recursively. Returns
  // InvalidArgument("bad-portal") when `root` is not a readable directory,
  // holds no index.html, or holds more than kMaxSiteFiles files or
  // kMaxSiteBytes bytes.
  static Result<StaticSite> Load(const std::string& root);

  // The file at `relative` ("index.html", "assets/index-1a2b3c.js"), or
  // null when the site holds none by exactly that name.
  const StaticFile* Find(std::string_view relative) const;

  size_t file_count() const { return files_.size(); }
  uint64_t total_bytes() const { return total_bytes_; }

 private:
  std::map<std::string, StaticFile, std::less<>> files_;
  uint64_t total_bytes_ = 0;
};

// The Content-Type for a file name, by its extension (UTF-8 text types
// say so); application/octet-stream for unknown ones.
std::string_view ContentTypeFor(std::string_view name);

// Adds the headers every portal response carries, errors included: the
// CSP, nosniff, the referrer and opener policies, and no framing.
void AddPortalSecurityHeaders(HttpResponse& r);

// The answer to a GET or HEAD of `file`: 200 with its body, or 304 when
// the request's If-None-Match names its ETag (or is "*"). Either way with
// Content-Type, ETag, Cache-Control (assets: a year, immutable; others:
// no-cache) and AddPortalSecurityHeaders.
HttpResponse ServeStaticFile(const StaticFile& file, const HttpRequest& req);

}  // namespace lethe
