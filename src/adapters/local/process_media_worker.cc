#include "adapters/local/process_media_worker.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <vector>

#include "media/worker_main.h"

namespace lethe {
namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kLimitAddressSpace = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kLimitAddressSpace = false;
#else
constexpr bool kLimitAddressSpace = true;
#endif
#else
constexpr bool kLimitAddressSpace = true;
#endif

struct Fd {
  int fd = -1;
  ~Fd() { Close(); }
  void Close() {
    if (fd >= 0) close(fd);
    fd = -1;
  }
};

Status Limit(const std::string& what) {
  return Status::Unprocessable("processing-limit", "the media worker " + what);
}

// The limits one task runs under: the web rendition's are its own.
struct TaskLimits {
  int cpu_seconds;
  int wall_seconds;
  uint64_t memory_bytes;
  uint64_t max_output_bytes;
};
TaskLimits LimitsFor(const std::string& task, const MediaWorkerLimits& l) {
  if (task == "web") {
    return {l.transcode_cpu_seconds, l.transcode_wall_seconds,
            l.memory_bytes + l.max_rendition_bytes, l.max_rendition_bytes};
  }
  return {l.cpu_seconds, l.wall_seconds, l.memory_bytes, l.max_output_bytes};
}

// Splits the child's stderr into its progress lines ("progress 0.42"),
// told to `progress`, and the rest, kept (capped) as its reason.
class ErrLines {
 public:
  explicit ErrLines(const MediaWorker::Progress& progress) : progress_(progress) {}
  void Add(const char* data, size_t n) {
    line_.append(data, n);
    size_t nl;
    while ((nl = line_.find('\n')) != std::string::npos) {
      Take(line_.substr(0, nl + 1));
      line_.erase(0, nl + 1);
    }
    if (line_.size() > 4096) {  // no progress line is this long
      Take(line_);
      line_.clear();
    }
  }
  std::string Reason() {
    Take(line_);
    line_.clear();
    return text_;
  }

 private:
  void Take(const std::string& line) {
    constexpr std::string_view kProgress = "progress ";
    if (line.rfind(kProgress, 0) == 0) {
      if (progress_) {
        double f = std::strtod(line.c_str() + kProgress.size(), nullptr);
        progress_(std::clamp(f, 0.0, 1.0));
      }
      return;
    }
    if (text_.size() < 4096) text_ += line;
  }
  const MediaWorker::Progress& progress_;
  std::string line_, text_;
};

}  // namespace

ProcessMediaWorker::ProcessMediaWorker(std::string exe, MediaWorkerLimits limits)
    : exe_(std::move(exe)), limits_(limits) {}

Status ProcessMediaWorker::Stream(const std::string& task, const std::string& kind,
                                  const Source& source, const Sink& sink,
                                  const Progress& progress) {
  // Never a guess such as /proc/self/exe: in a test binary that would fork
  // the tests again.
  if (exe_.empty()) {
    return Status::FailedPrecondition("media-worker-missing",
                                      "no media worker binary is configured");
  }
  const TaskLimits limits = LimitsFor(task, limits_);
  // stdin: a socket pair, so that a write after the child died is EPIPE,
  // not a SIGPIPE for the whole server (MSG_NOSIGNAL).
  int in_pair[2], out_pipe[2], err_pipe[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in_pair) != 0) {
    return Status::Internal("cannot start the media worker");
  }
  Fd in_parent{in_pair[0]}, in_child{in_pair[1]};
  if (pipe2(out_pipe, O_CLOEXEC) != 0) return Status::Internal("cannot start the media worker");
  Fd out_parent{out_pipe[0]}, out_child{out_pipe[1]};
  if (pipe2(err_pipe, O_CLOEXEC) != 0) return Status::Internal("cannot start the media worker");
  Fd err_parent{err_pipe[0]}, err_child{err_pipe[1]};

  // Everything the child needs is made before fork: after it, only
  // async-signal-safe calls.
  std::vector<std::string> argv_s = {exe_, "worker", task, kind};
  if (task == "web") argv_s.push_back(std::to_string(limits.max_output_bytes));
  std::vector<char*> argv;
  for (std::string& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  rlimit cpu{static_cast<rlim_t>(limits.cpu_seconds), static_cast<rlim_t>(limits.cpu_seconds + 1)};
  rlimit mem{static_cast<rlim_t>(limits.memory_bytes), static_cast<rlim_t>(limits.memory_bytes)};
  rlimit core{0, 0};

  pid_t pid = fork();
  if (pid < 0) return Status::Internal("cannot start the media worker");
  if (pid == 0) {
    dup2(in_child.fd, STDIN_FILENO);
    dup2(out_child.fd, STDOUT_FILENO);
    dup2(err_child.fd, STDERR_FILENO);
    setrlimit(RLIMIT_CPU, &cpu);
    setrlimit(RLIMIT_CORE, &core);
    if (kLimitAddressSpace) setrlimit(RLIMIT_AS, &mem);
    execv(argv[0], argv.data());
    _exit(127);
  }
  in_child.Close();
  out_child.Close();
  err_child.Close();
  fcntl(in_parent.fd, F_SETFL, O_NONBLOCK);

  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(limits.wall_seconds);
  uint64_t written = 0;
  ErrLines err(progress);
  std::vector<uint8_t> pending(256 * 1024);
  size_t pending_at = 0, pending_len = 0;
  uint64_t fed = 0;
  bool source_done = false;
  Status failure;  // why the child was killed, if it was
  while (out_parent.fd >= 0 || err_parent.fd >= 0) {
    // Refill from the source when what was read has gone to the child.
    if (!source_done && in_parent.fd >= 0 && pending_at == pending_len) {
      Result<size_t> n = source(std::span<uint8_t>(pending.data(), pending.size()));
      if (!n.ok()) {
        failure = n.status();
        break;
      }
      pending_at = 0;
      pending_len = *n;
      fed += *n;
      if (*n == 0) {
        source_done = true;
        in_parent.Close();  // EOF for the child
      } else if (fed > limits_.max_input_bytes) {
        failure =
            Limit("input is larger than " + std::to_string(limits_.max_input_bytes) + " bytes");
        break;
      }
    }
    pollfd fds[3];
    int nfds = 0;
    int in_slot = -1, out_slot = -1, err_slot = -1;
    if (in_parent.fd >= 0 && pending_at < pending_len) {
      in_slot = nfds;
      fds[nfds++] = {in_parent.fd, POLLOUT, 0};
    }
    if (out_parent.fd >= 0) {
      out_slot = nfds;
      fds[nfds++] = {out_parent.fd, POLLIN, 0};
    }
    if (err_parent.fd >= 0) {
      err_slot = nfds;
      fds[nfds++] = {err_parent.fd, POLLIN, 0};
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      failure = Limit("ran past " + std::to_string(limits.wall_seconds) + " s");
      break;
    }
    int ready = poll(fds, nfds, static_cast<int>(std::min<int64_t>(left.count(), INT_MAX)));
    if (ready < 0 && errno != EINTR) {
      failure = Status::Internal("poll failed");
      break;
    }
    if (ready <= 0) continue;
    if (in_slot >= 0 && (fds[in_slot].revents & (POLLOUT | POLLERR | POLLHUP))) {
      ssize_t n =
          send(in_parent.fd, pending.data() + pending_at, pending_len - pending_at, MSG_NOSIGNAL);
      if (n > 0) {
        pending_at += static_cast<size_t>(n);
      } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
        in_parent.Close();  // the child stopped reading: its exit status tells why
        source_done = true;
      }
    }
    char buf[64 * 1024];
    if (out_slot >= 0 && (fds[out_slot].revents & (POLLIN | POLLHUP | POLLERR))) {
      ssize_t n = read(out_parent.fd, buf, sizeof(buf));
      if (n > 0) {
        written += static_cast<uint64_t>(n);
        if (written > limits.max_output_bytes) {
          failure = Limit("wrote more than " + std::to_string(limits.max_output_bytes) + " bytes");
          break;
        }
        Status taken = sink(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(buf),
                                                     static_cast<size_t>(n)));
        if (!taken.ok()) {
          failure = taken;
          break;
        }
      } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        out_parent.Close();
      }
    }
    if (err_slot >= 0 && (fds[err_slot].revents & (POLLIN | POLLHUP | POLLERR))) {
      ssize_t n = read(err_parent.fd, buf, sizeof(buf));
      if (n > 0) {
        err.Add(buf, static_cast<size_t>(n));
      } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        err_parent.Close();
      }
    }
  }
  if (!failure.ok()) kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!failure.ok()) return failure;
  std::string reason = err.Reason();
  while (!reason.empty() && (reason.back() == '\n' || reason.back() == '\r')) reason.pop_back();
  if (reason.size() > 300) reason.resize(300);
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    if (sig == SIGXCPU || sig == SIGKILL) {
      return Limit("used more than " + std::to_string(limits.cpu_seconds) + " s of CPU");
    }
    return Status::Unprocessable("media-undecodable",
                                 "the media worker died (signal " + std::to_string(sig) + ")");
  }
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 1;
  if (code == 0) return Status::Ok();
  if (code == kWorkerLimit) return Limit("stopped: " + reason);
  if (code == kWorkerUndecodable) return Status::Unprocessable("media-undecodable", reason);
  return Status::Internal("the media worker failed (exit " + std::to_string(code) + ")");
}

}  // namespace lethe
