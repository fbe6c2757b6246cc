#include "adapters/s3/s3_blob_store.h"

#include <openssl/evp.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <future>
#include <utility>

#include "common/encoding.h"
#include "common/time_format.h"

namespace lethe {

struct S3BlobStore::Shared {
  std::unique_ptr<S3Client> client;
  S3BlobStoreOptions options;
  std::atomic<uint64_t> puts{0}, parts{0}, gets{0}, heads{0}, lists{0}, deletes{0};
};

namespace {

using Request = S3Client::Request;

bool ValidId(const std::string& id) {
  if (id.empty() || id.size() > 200 || id[0] == '.') return false;
  for (char c : id) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.')) {
      return false;
    }
  }
  return true;
}

std::span<const uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// HEAD: the object's size, or NotFound.
Result<uint64_t> Head(S3BlobStore::Shared& shared, const std::string& key) {
  ++shared.heads;
  Request r;
  r.method = "HEAD";
  r.key = key;
  LETHE_ASSIGN_OR_RETURN(S3Response res, shared.client->Send(r));
  if (res.status == 404) return Status::NotFound("blob not found");
  if (res.status != 200) return S3Unexpected("HEAD " + key, res);
  auto it = res.headers.find("content-length");
  if (it == res.headers.end()) return Status::Internal("s3: HEAD " + key + ": no Content-Length");
  try {
    return static_cast<uint64_t>(std::stoull(it->second));
  } catch (const std::exception&) {
    return Status::Internal("s3: HEAD " + key + ": bad Content-Length");
  }
}

class S3Writer final : public BlobWriter {
 public:
  S3Writer(std::shared_ptr<S3BlobStore::Shared> shared, std::string key)
      : shared_(std::move(shared)), key_(std::move(key)) {
    buffer_.reserve(std::min<size_t>(shared_->options.part_bytes, 1 << 20));
  }

  ~S3Writer() override {
    (void)WaitInFlight();
    if (!upload_id_.empty() && !committed_) (void)Abort();
  }

  Status Append(std::span<const uint8_t> bytes) override {
    if (!failed_.ok()) return failed_;
    if (committed_) return Status::Internal("s3: append after commit");
    const size_t part = shared_->options.part_bytes;
    while (!bytes.empty()) {
      size_t take = std::min(bytes.size(), part - buffer_.size());
      buffer_.insert(buffer_.end(), bytes.begin(), bytes.begin() + static_cast<ptrdiff_t>(take));
      bytes = bytes.subspan(take);
      if (buffer_.size() == part) {
        if (Status st = StartPart(); !st.ok()) return Fail(st);
      }
    }
    return Status::Ok();
  }

  Status Commit() override {
    if (!failed_.ok()) return failed_;
    if (committed_) return Status::Ok();
    if (upload_id_.empty()) {
      // One PUT for a blob that fits in one buffer.
      ++shared_->puts;
      Request r;
      r.method = "PUT";
      r.key = key_;
      r.body = buffer_;
      r.headers = {"If-None-Match: *", "Content-Type: application/octet-stream"};
      auto res = shared_->client->Send(r);
      if (!res.ok()) return Fail(res.status());
      if (res->status == 412) return Fail(Status::AlreadyExists("blob-exists", "blob id taken"));
      if (res->status != 200) return Fail(S3Unexpected("PUT " + key_, *res));
    } else {
      if (!buffer_.empty()) {
        if (Status st = StartPart(); !st.ok()) return Fail(st);
      }
      if (Status st = WaitInFlight(); !st.ok()) return Fail(st);
      std::string xml = "<CompleteMultipartUpload>";
      for (size_t i = 0; i < etags_.size(); ++i) {
        xml += "<Part><PartNumber>" + std::to_string(i + 1) + "</PartNumber><ETag>" +
               XmlEscape(etags_[i]) + "</ETag></Part>";
      }
      xml += "</CompleteMultipartUpload>";
      Request r;
      r.method = "POST";
      r.key = key_;
      r.query = "uploadId=" + S3Client::UriEncode(upload_id_, false);
      r.body = Bytes(xml);
      r.headers = {"If-None-Match: *", "Content-Type: application/xml"};
      auto res = shared_->client->Send(r);
      if (!res.ok()) return Fail(res.status());
      // CompleteMultipartUpload can fail with 200 and an <Error> body.
      if (res->status == 412) return Fail(Status::AlreadyExists("blob-exists", "blob id taken"));
      if (res->status != 200 || res->body.find("<Error>") != std::string::npos) {
        return Fail(S3Unexpected("CompleteMultipartUpload " + key_, *res));
      }
    }
    committed_ = true;
    buffer_.clear();
    buffer_.shrink_to_fit();
    return Status::Ok();
  }

 private:
  Status Fail(Status st) {
    if (failed_.ok()) failed_ = st;
    (void)WaitInFlight();
    if (!upload_id_.empty()) (void)Abort();
    upload_id_.clear();
    return st;
  }

  // Uploads `buffer_` as the next part, in the background; waits for the
  // part before it first (one part in flight while the next one fills).
  Status StartPart() {
    if (upload_id_.empty()) {
      Request r;
      r.method = "POST";
      r.key = key_;
      r.query = "uploads=";
      r.headers = {"Content-Type: application/octet-stream"};
      LETHE_ASSIGN_OR_RETURN(S3Response res, shared_->client->Send(r));
      if (res.status != 200) return S3Unexpected("CreateMultipartUpload " + key_, res);
      upload_id_ = XmlValue(res.body, "UploadId");
      if (upload_id_.empty()) return Status::Internal("s3: CreateMultipartUpload: no UploadId");
    }
    LETHE_RETURN_IF_ERROR(WaitInFlight());
    int number = static_cast<int>(etags_.size()) + 1;
    etags_.emplace_back();
    std::vector<uint8_t> part;
    part.swap(buffer_);
    buffer_.reserve(std::min<size_t>(shared_->options.part_bytes, 1 << 20));
    ++shared_->parts;
    in_flight_ = std::async(std::launch::async,
                            [shared = shared_, key = key_, upload = upload_id_, number,
                             part = std::move(part)]() -> Result<std::string> {
                              Request r;
                              r.method = "PUT";
                              r.key = key;
                              r.query = "partNumber=" + std::to_string(number) +
                                        "&uploadId=" + S3Client::UriEncode(upload, false);
                              r.body = part;
                              LETHE_ASSIGN_OR_RETURN(S3Response res, shared->client->Send(r));
                              if (res.status != 200) return S3Unexpected("UploadPart " + key, res);
                              auto it = res.headers.find("etag");
                              if (it == res.headers.end())
                                return Status::Internal("s3: UploadPart: no ETag");
                              return it->second;
                            });
    in_flight_part_ = number;
    return Status::Ok();
  }

  Status WaitInFlight() {
    if (!in_flight_.valid()) return Status::Ok();
    Result<std::string> etag = in_flight_.get();
    if (!etag.ok()) return etag.status();
    etags_[static_cast<size_t>(in_flight_part_ - 1)] = *etag;
    return Status::Ok();
  }

  Status Abort() {
    Request r;
    r.method = "DELETE";
    r.key = key_;
    r.query = "uploadId=" + S3Client::UriEncode(upload_id_, false);
    LETHE_ASSIGN_OR_RETURN(S3Response res, shared_->client->Send(r));
    if (res.status != 204 && res.status != 200 && res.status != 404) {
      return S3Unexpected("AbortMultipartUpload " + key_, res);
    }
    return Status::Ok();
  }

  std::shared_ptr<S3BlobStore::Shared> shared_;
  std::string key_;
  std::vector<uint8_t> buffer_;
  std::string upload_id_;
  std::vector<std::string> etags_;
  std::future<Result<std::string>> in_flight_;
  int in_flight_part_ = 0;
  bool committed_ = false;
  Status failed_ = Status::Ok();
};

class S3Reader final : public BlobReader {
 public:
  S3Reader(std::shared_ptr<S3BlobStore::Shared> shared, std::string key, uint64_t size)
      : shared_(std::move(shared)), key_(std::move(key)), size_(size) {}

  ~S3Reader() override {
    if (next_.valid()) next_.wait();
  }

  uint64_t size() const override { return size_; }

  Status ReadAt(uint64_t offset, std::span<uint8_t> out) override {
    if (offset > size_ || out.size() > size_ - offset) {
      return Status::DataLoss("read past the end of the blob");
    }
    if (out.empty()) return Status::Ok();
    const uint64_t end = offset + out.size();
    if (!Covers(offset, end)) {
      // The prefetched window, if it holds the start of what is wanted.
      if (next_.valid() && next_first_ <= offset && offset < next_first_ + next_len_) {
        Result<std::vector<uint8_t>> got = next_.get();
        if (!got.ok()) return got.status();
        window_ = std::move(*got);
        window_first_ = next_first_;
      }
      if (!Covers(offset, end)) {
        if (next_.valid()) next_.wait();  // its bytes are not wanted now
        next_ = {};
        uint64_t len =
            std::min<uint64_t>(std::max<uint64_t>(out.size(), ReadAhead()), size_ - offset);
        LETHE_ASSIGN_OR_RETURN(window_, Fetch(*shared_, key_, offset, len));
        window_first_ = offset;
      }
    }
    std::memcpy(out.data(), window_.data() + (offset - window_first_), out.size());
    // Past the middle of the window: fetch the next one in the background.
    const uint64_t window_end = window_first_ + window_.size();
    if (!next_.valid() && window_end < size_ && end >= window_first_ + window_.size() / 2) {
      next_first_ = window_end;
      next_len_ = std::min<uint64_t>(ReadAhead(), size_ - window_end);
      next_ = std::async(std::launch::async,
                         [shared = shared_, key = key_, first = next_first_, len = next_len_] {
                           return Fetch(*shared, key, first, len);
                         });
    }
    return Status::Ok();
  }

 private:
  uint64_t ReadAhead() const { return shared_->options.read_ahead_bytes; }

  bool Covers(uint64_t first, uint64_t end) const {
    return first >= window_first_ && end <= window_first_ + window_.size() && !window_.empty();
  }

  static Result<std::vector<uint8_t>> Fetch(S3BlobStore::Shared& shared, const std::string& key,
                                            uint64_t first, uint64_t len) {
    ++shared.gets;
    std::vector<uint8_t> bytes(len);
    Request r;
    r.method = "GET";
    r.key = key;
    r.headers = {"Range: bytes=" + std::to_string(first) + "-" + std::to_string(first + len - 1)};
    r.into = bytes;
    r.use_into = true;
    LETHE_ASSIGN_OR_RETURN(S3Response res, shared.client->Send(r));
    if (res.status == 404 || res.status == 416) {
      return Status::DataLoss("s3: the blob is gone or shorter than it was: " + res.Describe());
    }
    if (res.status != 206 && !(res.status == 200 && first == 0 && len == bytes.size())) {
      return S3Unexpected("GET " + key, res);
    }
    return bytes;
  }

  std::shared_ptr<S3BlobStore::Shared> shared_;
  std::string key_;
  uint64_t size_;
  std::vector<uint8_t> window_;
  uint64_t window_first_ = 0;
  std::future<Result<std::vector<uint8_t>>> next_;
  uint64_t next_first_ = 0, next_len_ = 0;
};

std::string Md5Base64(const std::string& body) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(body.data(), body.size(), md, &len, EVP_md5(), nullptr);
  return Base64Encode(std::span<const uint8_t>(md, len));
}

}  // namespace

S3BlobStore::S3BlobStore(std::shared_ptr<Shared> shared) : shared_(std::move(shared)) {}
S3BlobStore::~S3BlobStore() = default;

S3Client& S3BlobStore::client() { return *shared_->client; }

Result<std::unique_ptr<S3BlobStore>> S3BlobStore::Connect(S3Config config,
                                                          S3BlobStoreOptions options) {
  if (options.part_bytes < (5u << 20)) {
    return Status::InvalidArgument("bad-option", "S3 parts are at least 5 MiB");
  }
  auto shared = std::make_shared<Shared>();
  shared->client = std::make_unique<S3Client>(std::move(config));
  shared->options = options;
  LETHE_RETURN_IF_ERROR(shared->client->CheckBucket());
  return std::unique_ptr<S3BlobStore>(new S3BlobStore(std::move(shared)));
}

S3BlobStore::Stats S3BlobStore::stats() const {
  return {shared_->puts.load(),  shared_->parts.load(), shared_->gets.load(),
          shared_->heads.load(), shared_->lists.load(), shared_->deletes.load()};
}

Result<std::unique_ptr<BlobWriter>> S3BlobStore::Create(const std::string& blob_id) {
  if (!ValidId(blob_id)) return Status::InvalidArgument("bad-blob-id", "bad blob id");
  auto size = Head(*shared_, blob_id);
  if (size.ok()) return Status::AlreadyExists("blob-exists", "blob id taken");
  if (size.status().code() != Status::Code::kNotFound) return size.status();
  return std::unique_ptr<BlobWriter>(new S3Writer(shared_, blob_id));
}

Result<std::unique_ptr<BlobReader>> S3BlobStore::Open(const std::string& blob_id) {
  if (!ValidId(blob_id)) return Status::NotFound("blob not found");
  LETHE_ASSIGN_OR_RETURN(uint64_t size, Head(*shared_, blob_id));
  return std::unique_ptr<BlobReader>(new S3Reader(shared_, blob_id, size));
}

Status S3BlobStore::Remove(const std::string& blob_id) {
  if (!ValidId(blob_id)) return Status::NotFound("blob not found");
  LETHE_RETURN_IF_ERROR(Head(*shared_, blob_id).status());
  ++shared_->deletes;
  Request r;
  r.method = "DELETE";
  r.key = blob_id;
  LETHE_ASSIGN_OR_RETURN(S3Response res, shared_->client->Send(r));
  if (res.status != 204 && res.status != 200) return S3Unexpected("DELETE " + blob_id, res);
  return Status::Ok();
}

Status S3BlobStore::RemoveMany(const std::vector<std::string>& blob_ids) {
  constexpr size_t kBatch = 1000;  // DeleteObjects' limit
  Status first = Status::Ok();
  std::vector<std::string> valid;
  for (const std::string& id : blob_ids) {
    if (ValidId(id)) valid.push_back(id);
  }
  std::sort(valid.begin(), valid.end());
  valid.erase(std::unique(valid.begin(), valid.end()), valid.end());
  for (size_t at = 0; at < valid.size(); at += kBatch) {
    std::string xml = "<Delete><Quiet>true</Quiet>";
    for (size_t i = at; i < std::min(valid.size(), at + kBatch); ++i) {
      xml += "<Object><Key>" + XmlEscape(shared_->client->config().prefix + valid[i]) +
             "</Key></Object>";
    }
    xml += "</Delete>";
    ++shared_->deletes;
    Request r;
    r.method = "POST";
    r.query = "delete=";
    r.body = Bytes(xml);
    r.headers = {"Content-MD5: " + Md5Base64(xml), "Content-Type: application/xml"};
    auto res = shared_->client->Send(r);
    Status st = Status::Ok();
    if (!res.ok()) {
      st = res.status();
    } else if (res->status != 200) {
      st = S3Unexpected("DeleteObjects", *res);
    } else if (res->body.find("<Error>") != std::string::npos) {
      st = Status::Internal("s3: DeleteObjects left " +
                            std::to_string(XmlValues(res->body, "Error").size()) +
                            " object(s): " + XmlValue(res->body, "Code"));
    }
    if (!st.ok() && first.ok()) first = st;
  }
  return first;
}

Result<std::vector<std::string>> S3BlobStore::List() {
  const std::string& prefix = shared_->client->config().prefix;
  std::vector<std::string> ids;
  std::string token;
  for (;;) {
    ++shared_->lists;
    Request r;
    r.method = "GET";
    // Sorted by name, as the signature's canonical query wants.
    r.query =
        (token.empty() ? "" : "continuation-token=" + S3Client::UriEncode(token, false) + "&") +
        "list-type=2&max-keys=" + std::to_string(shared_->options.list_page) +
        (prefix.empty() ? "" : "&prefix=" + S3Client::UriEncode(prefix, false));
    LETHE_ASSIGN_OR_RETURN(S3Response res, shared_->client->Send(r));
    if (res.status != 200) return S3Unexpected("ListObjectsV2", res);
    for (std::string& key : XmlValues(res.body, "Key")) {
      if (key.rfind(prefix, 0) == 0) ids.push_back(key.substr(prefix.size()));
    }
    if (XmlValue(res.body, "IsTruncated") != "true") break;
    token = XmlValue(res.body, "NextContinuationToken");
    if (token.empty()) return Status::Internal("s3: ListObjectsV2 truncated without a token");
  }
  return ids;
}

Result<int> S3BlobStore::RemoveIncomplete(std::chrono::milliseconds min_age) {
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  const std::string& prefix = shared_->client->config().prefix;
  int aborted = 0;
  std::string key_marker, upload_marker;
  for (;;) {
    ++shared_->lists;
    Request r;
    r.method = "GET";
    r.query =
        (key_marker.empty() ? "" : "key-marker=" + S3Client::UriEncode(key_marker, false) + "&") +
        (prefix.empty() ? "" : "prefix=" + S3Client::UriEncode(prefix, false) + "&") +
        (upload_marker.empty()
             ? ""
             : "upload-id-marker=" + S3Client::UriEncode(upload_marker, false) + "&") +
        "uploads=";
    LETHE_ASSIGN_OR_RETURN(S3Response res, shared_->client->Send(r));
    if (res.status == 501 || res.ErrorCode() == "NotImplemented") return aborted;
    if (res.status != 200) return S3Unexpected("ListMultipartUploads", res);
    std::vector<std::string> uploads = XmlValues(res.body, "Upload");
    for (const std::string& u : uploads) {
      std::string key = XmlValue(u, "Key"), id = XmlValue(u, "UploadId");
      if (key.rfind(prefix, 0) != 0 || id.empty()) continue;
      if (min_age.count() > 0) {  // another server's upload may be in flight
        std::optional<int64_t> initiated = ParseRfc3339(XmlValue(u, "Initiated"));
        if (!initiated || now_ms - *initiated < min_age.count()) continue;
      }
      Request abort;
      abort.method = "DELETE";
      abort.key = key.substr(prefix.size());
      abort.query = "uploadId=" + S3Client::UriEncode(id, false);
      LETHE_ASSIGN_OR_RETURN(S3Response done, shared_->client->Send(abort));
      if (done.status != 204 && done.status != 200 && done.status != 404) {
        return S3Unexpected("AbortMultipartUpload", done);
      }
      ++aborted;
    }
    if (XmlValue(res.body, "IsTruncated") != "true") break;
    key_marker = XmlValue(res.body, "NextKeyMarker");
    upload_marker = XmlValue(res.body, "NextUploadIdMarker");
    if (key_marker.empty() && upload_marker.empty()) break;
  }
  return aborted;
}

}  // namespace lethe
