// Which BlobStore `lethe serve` uses: --blobs URL. Empty (the default) is
// the local directory <data_dir>/media; "s3://BUCKET[/PREFIX]?endpoint=URL&
// region=REGION" is an S3-compatible object store (adapters/s3), the bucket
// made beforehand, with the credentials given here (from AWS_ACCESS_KEY_ID
// and AWS_SECRET_ACCESS_KEY: never from the URL, so never in `ps`).
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "ports/blob_store.h"

namespace lethe {

struct BlobStoreConfig {
  std::string url;  // "" or s3://...
  std::string access_key;
  std::string secret_key;
};

// Opens the store. InvalidArgument for a bad URL or missing credentials;
// NotFound if the bucket does not exist; Unavailable if the endpoint does
// not answer; whatever opening the local directory returns.
Result<std::unique_ptr<BlobStore>> OpenBlobStore(const BlobStoreConfig& config,
                                                 const std::string& data_dir);

}  // namespace lethe
