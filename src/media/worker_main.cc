#include "media/worker_main.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <new>

#include "media/poster.h"
#include "media/transcribe.h"
#include "media/web_rendition.h"

namespace lethe {
namespace {

bool ReadAll(int fd, std::vector<uint8_t>& out) {
  uint8_t buf[64 * 1024];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n == 0) return true;
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    out.insert(out.end(), buf, buf + n);
  }
}

bool WriteAll(int fd, const std::string& s) {
  size_t at = 0;
  while (at < s.size()) {
    ssize_t n = write(fd, s.data() + at, s.size() - at);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    at += static_cast<size_t>(n);
  }
  return true;
}

// A progress line on stderr, written whole in one call.
void TellProgress(double done) {
  char line[32];
  int n = std::snprintf(line, sizeof(line), "progress %.3f\n", done);
  if (n > 0) (void)!write(STDERR_FILENO, line, static_cast<size_t>(n));
}

int Fail(const Status& st) {
  std::cerr << st.reason() << ": " << st.message() << "\n";
  if (st.reason() == "processing-limit") return kWorkerLimit;
  if (st.code() == Status::Code::kUnprocessable) return kWorkerUndecodable;
  return 1;
}

}  // namespace

int RunMediaWorker(const std::vector<std::string>& args) {
  const bool web = !args.empty() && args[0] == "web";
  WebRenditionOptions web_options;
  if (web && args.size() == 3) {
    char* end = nullptr;
    web_options.max_bytes = std::strtoull(args[2].c_str(), &end, 10);
    if (end == args[2].c_str() || *end != '\0') web_options.max_bytes = 0;
  }
  if ((args.size() != 2 && !(web && args.size() == 3 && web_options.max_bytes > 0)) ||
      (args[0] != "poster" && args[0] != "transcript" && !web)) {
    std::cerr << "usage: lethe worker poster|transcript|web video|audio|image [max bytes]"
                 " < media > artifact\n";
    return 2;
  }
  try {
    std::vector<uint8_t> media;
    if (!ReadAll(STDIN_FILENO, media)) return Fail(Status::Internal("cannot read the media"));
    Result<std::string> out = Status::Internal("unset");
    if (args[0] == "poster") {
      out = MakePoster(media);
    } else if (web) {
      if (args[1] == "image") {
        return Fail(Status::Unprocessable("media-undecodable", "images are not transcoded"));
      }
      web_options.progress = TellProgress;
      out = MakeWebRendition(media, web_options);
    } else {
      Result<std::vector<TranscriptWord>> words = Transcribe(media);
      out = words.ok() ? Result<std::string>(TranscriptJson(*words))
                       : Result<std::string>(words.status());
    }
    if (!out.ok()) return Fail(out.status());
    return WriteAll(STDOUT_FILENO, *out) ? 0 : 1;
  } catch (const std::bad_alloc&) {
    return Fail(Status::Unprocessable("processing-limit", "out of memory"));
  }
}

}  // namespace lethe
