// WriteFileDurably: puts a whole file in place so that a crash at any
// instant leaves either no file (or the previous one) or all of it. The
// bytes go to `temp_path` (same directory, created exclusively, mode
// 0600), are flushed with fdatasync, renamed onto `final_path`, and the
// directory is fsynced so the name is durable too. The file outboxes
// (mail, SMS) write every message this way.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace lethe {

// Returns Ok once the file and its name are durable. Every failure is
// Unavailable (a full or failing disk may recover; the caller retries),
// its message starting with `what` and naming the failed step; the temp
// file is removed on failure. When only the final directory fsync fails,
// the file is in place but its name may not be durable: a retry rewrites
// the same file.
Status WriteFileDurably(const std::string& dir, const std::string& temp_path,
                        const std::string& final_path, std::string_view bytes,
                        const std::string& what);

}  // namespace lethe
