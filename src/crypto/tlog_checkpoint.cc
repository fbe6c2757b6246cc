#include "crypto/tlog_checkpoint.h"

#include <vector>

#include "common/encoding.h"
#include "crypto/signed_note.h"

namespace lethe {
namespace {

Status BadCheckpoint(std::string message) {
  return Status::InvalidArgument("bad-checkpoint", std::move(message));
}

// Decimal without sign or leading zeros ("0" alone is fine), fits uint64.
bool ParseSize(std::string_view text, uint64_t& out) {
  if (text.empty() || text.size() > 20 || (text.size() > 1 && text[0] == '0')) return false;
  uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    uint64_t digit = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - digit) / 10) return false;
    v = v * 10 + digit;
  }
  out = v;
  return true;
}

}  // namespace

std::string CheckpointText(const Checkpoint& c) {
  return c.origin + "\n" + std::to_string(c.size) + "\n" + Base64Encode(c.root) + "\n";
}

Result<std::string> SignCheckpoint(const Checkpoint& c, const SigningKey& key) {
  if (!IsValidNoteKeyName(c.origin)) {
    return BadCheckpoint("the origin must be non-empty, without spaces or \"+\"");
  }
  return SignNote(CheckpointText(c), c.origin, key);
}

Result<Checkpoint> OpenCheckpoint(std::string_view note, const SigningKey::PublicKey& trusted) {
  size_t first = note.find('\n');
  if (first == std::string_view::npos || first == 0) return BadCheckpoint("no origin line");
  std::string origin(note.substr(0, first));
  LETHE_ASSIGN_OR_RETURN(std::string text, OpenNote(note, origin, trusted));
  // Verified: now read the lines it vouches for.
  std::vector<std::string_view> lines;
  std::string_view rest = text;
  while (!rest.empty()) {
    size_t eol = rest.find('\n');
    lines.push_back(rest.substr(0, eol));
    rest.remove_prefix(eol + 1);
  }
  if (lines.size() < 3) return BadCheckpoint("a checkpoint has at least three lines");
  for (std::string_view line : lines) {
    if (line.empty()) return BadCheckpoint("a checkpoint has no empty lines");
  }
  Checkpoint c;
  c.origin = origin;
  if (!ParseSize(lines[1], c.size)) return BadCheckpoint("the tree size is not a decimal number");
  auto root = Base64Decode(lines[2]);
  if (!root || root->size() != c.root.size()) {
    return BadCheckpoint("the root hash is not 32 bytes of base64");
  }
  std::copy(root->begin(), root->end(), c.root.begin());
  return c;
}

}  // namespace lethe
