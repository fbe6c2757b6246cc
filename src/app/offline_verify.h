// Offline checks a customer runs on what Lethe signed, with nothing but the
// deployment's public key (GET /.well-known/lethe/signing-key, `public_key`:
// standard base64 of 32 bytes; 64 hex digits are accepted too):
//
//   lethe receipt verify FILE --key PUBKEY
//       FILE holds an erasure receipt (the body of GET /v1/erasures/{id}).
//   lethe checkpoint verify OLD NEW --key PUBKEY [--proof FILE]
//       OLD and NEW hold checkpoint notes (GET /.well-known/lethe/checkpoint);
//       FILE the consistency proof between their sizes
//       (GET /.well-known/lethe/checkpoint/consistency?from=M&to=N), needed
//       unless both have the same size.
//
// Each returns the process exit code and prints one line: 0 with "receipt
// ok" or "checkpoint ok" on stdout; 1 with the reason on stdout when the
// signature fails, the content was edited, or NEW does not extend OLD; 2
// with a message on stderr for usage errors (bad arguments, an unreadable
// file, a malformed key).
#pragma once

#include <string>
#include <vector>

namespace lethe {

// `args` are the words after "receipt verify" / "checkpoint verify".
int ReceiptVerifyCommand(const std::vector<std::string>& args);
int CheckpointVerifyCommand(const std::vector<std::string>& args);

}  // namespace lethe
