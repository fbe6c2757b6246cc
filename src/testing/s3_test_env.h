// The local S3 server of the tests (s3rver, started by tests/s3/s3rver.sh
// as a ctest fixture): where it is, and a fresh bucket on it per test, so
// tests run in parallel without seeing each other's objects.
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

}  // namespace lethe
