#include "testing/s3_test_env.h"

#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

namespace lethe {

Result<std::string> TestS3Endpoint() {
  const char* env = std::getenv("LETHE_TEST_S3");
  if (!env || !*env) {
    return Status::FailedPrecondition(
        "no-test-s3",
        "LETHE_TEST_S3 is not set: run the S3 tests through ctest, which starts s3rver "
        "(tests/s3/s3rver.sh), or point it at one (http://127.0.0.1:PORT)");
  }
  std::string endpoint = env;
  if (endpoint[0] == '@') {
    std::ifstream in(endpoint.substr(1));
    std::getline(in, endpoint);
    if (!in && endpoint.empty()) {
      return Status::FailedPrecondition(
          "no-test-s3", "cannot read " + std::string(env + 1) + ": did the s3rver fixture start?");
    }
  }
  while (!endpoint.empty() && (endpoint.back() == '\n' || endpoint.back() == '/')) {
    endpoint.pop_back();
  }
  return endpoint;
}

Result<S3Config> NewTestS3Bucket() {
  LETHE_ASSIGN_OR_RETURN(std::string endpoint, TestS3Endpoint());
  std::random_device rd;
  std::ostringstream name;
  name << "lethe-test-" << std::hex << rd() << rd();
  S3Config c;
  c.endpoint = endpoint;
  c.bucket = name.str();
  c.region = "us-east-1";
  c.access_key = "S3RVER";
  c.secret_key = "S3RVER";
  S3Client client(c);
  LETHE_RETURN_IF_ERROR(client.CreateBucket());
  return c;
}

namespace {

// One request to the proxy's /_sigv4/keys/ACCESS_KEY: through S3Client,
// as if "_sigv4" were a bucket (no bucket has a '_', so no S3 route does).
Status ProxyKeyRequest(const std::string& method, const std::string& access_key,
                       const std::string& body) {
  LETHE_ASSIGN_OR_RETURN(std::string endpoint, TestS3Endpoint());
  S3Config c;
  c.endpoint = endpoint;
  c.bucket = "_sigv4";
  c.access_key = "proxy-control";
  c.secret_key = "proxy-control";
  S3Client client(c);
  S3Client::Request r;
  r.method = method;
  r.key = "keys/" + access_key;
  r.body = {reinterpret_cast<const uint8_t*>(body.data()), body.size()};
  LETHE_ASSIGN_OR_RETURN(S3Response res, client.Send(r));
  if (res.status != 204) {
    return Status::FailedPrecondition(
        "no-test-s3-proxy", method + " /_sigv4/keys/: " + res.Describe() +
                                ": is LETHE_TEST_S3 the SigV4 proxy of tests/s3/s3rver.sh?");
  }
  return Status::Ok();
}

}  // namespace

Status SetTestS3Key(const std::string& access_key, const std::string& secret_key) {
  return ProxyKeyRequest("PUT", access_key, secret_key);
}

Status RevokeTestS3Key(const std::string& access_key) {
  return ProxyKeyRequest("DELETE", access_key, "");
}

}  // namespace lethe
