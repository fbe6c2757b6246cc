// The master key: the root of Lethe's key hierarchy (master, then account,
// then end user, then object). It wraps account keys and nothing else.
//
// Taken, in order, from the LETHE_MASTER_KEY environment variable (64 hex
// characters), from an explicitly named file, or from <data>/master.key,
// which is generated on first start with mode 0600.
#pragma once

#include <string>

#include "common/status.h"
#include "crypto/key_wrap.h"
#include "ports/random.h"

namespace lethe {

// `env_hex`: the variable's value or "". `file`: the key file to use.
// `create_if_missing`: generate `file` when absent (only for the default path).
// Returns InvalidArgument for a malformed key, Internal for I/O failures.
Result<Key> LoadMasterKey(const std::string& env_hex, const std::string& file,
                          bool create_if_missing, Random& random);

// The seed of the deployment's Ed25519 signing key (SigningKey), from
// `file` (64 hex characters, mode 0600), generated there on first start.
// Returns InvalidArgument for a malformed or group-readable file, Internal
// for I/O failures.
Result<Key> LoadSigningSeed(const std::string& file, Random& random);

}  // namespace lethe
