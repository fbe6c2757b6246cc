// The local S3 server of the tests (s3rver behind a SigV4-checking proxy,
// started by tests/s3/s3rver.sh as a ctest fixture): where it is, a fresh
// bucket on it per test, so tests run in parallel without seeing each
// other's objects, and the keys the proxy accepts.
//
// LETHE_TEST_S3 is the endpoint ("http://127.0.0.1:PORT"), or "@FILE" for a
// file holding it (what ctest passes: the port is chosen when the server
// starts). Missing, it is an error, never a skip: `make test` runs every
// backend.
#pragma once

#include <string>

#include "adapters/s3/s3_client.h"
#include "common/status.h"

namespace lethe {

// The endpoint from LETHE_TEST_S3; FailedPrecondition if it is not set.
Result<std::string> TestS3Endpoint();

// A config for a new bucket named "lethe-test-<random>" on the test
// server, created, with s3rver's credentials (S3RVER/S3RVER).
Result<S3Config> NewTestS3Bucket();

// The test endpoint is a SigV4-checking proxy (tests/s3/sigv4_proxy.mjs)
// in front of s3rver; it accepts the keys it knows. These add (or replace
// the secret of) one and revoke one, so a test can have a key refused while
// a server uses it. OK, or FailedPrecondition if the endpoint is no proxy.
Status SetTestS3Key(const std::string& access_key, const std::string& secret_key);
Status RevokeTestS3Key(const std::string& access_key);

}  // namespace lethe
