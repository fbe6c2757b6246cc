#include "app/blob_config.h"

#include "adapters/local/local_blob_store.h"
#include "adapters/s3/s3_blob_store.h"

namespace lethe {

Result<std::unique_ptr<BlobStore>> OpenBlobStore(const BlobStoreConfig& config,
                                                 const std::string& data_dir) {
  if (config.url.empty()) {
    LETHE_ASSIGN_OR_RETURN(auto local, LocalBlobStore::OpenAt(data_dir + "/media"));
    return std::unique_ptr<BlobStore>(std::move(local));
  }
  LETHE_ASSIGN_OR_RETURN(S3Config s3, ParseS3Url(config.url));
  if (config.access_key.empty() || config.secret_key.empty()) {
    return Status::InvalidArgument(
        "no-s3-credentials", "--blobs s3:// needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
  }
  s3.access_key = config.access_key;
  s3.secret_key = config.secret_key;
  LETHE_ASSIGN_OR_RETURN(auto store, S3BlobStore::Connect(std::move(s3)));
  return std::unique_ptr<BlobStore>(std::move(store));
}

}  // namespace lethe
