#include "testing/faulty_blob_store.h"

namespace lethe {
namespace {

constexpr size_t Op(BlobOp op) { return static_cast<size_t>(op); }

class FaultyBlobWriter final : public BlobWriter {
 public:
  FaultyBlobWriter(std::shared_ptr<FaultPlan> plan, std::unique_ptr<BlobWriter> base)
      : plan_(std::move(plan)), base_(std::move(base)) {}

  Status Append(std::span<const uint8_t> bytes) override {
    return plan_->Run(Op(BlobOp::kAppend), [&] { return base_->Append(bytes); });
  }
  Status Commit() override {
    return plan_->Run(Op(BlobOp::kCommit), [&] { return base_->Commit(); });
  }

 private:
  std::shared_ptr<FaultPlan> plan_;
  std::unique_ptr<BlobWriter> base_;
};

class FaultyBlobReader final : public BlobReader {
 public:
  FaultyBlobReader(std::shared_ptr<FaultPlan> plan, std::unique_ptr<BlobReader> base)
      : plan_(std::move(plan)), base_(std::move(base)) {}

  uint64_t size() const override { return base_->size(); }
  Status ReadAt(uint64_t offset, std::span<uint8_t> out) override {
    return plan_->Run(Op(BlobOp::kReadAt), [&] { return base_->ReadAt(offset, out); });
  }

 private:
  std::shared_ptr<FaultPlan> plan_;
  std::unique_ptr<BlobReader> base_;
};

}  // namespace

FaultyBlobStore::FaultyBlobStore(std::unique_ptr<BlobStore> base)
    : base_(std::move(base)), plan_(std::make_shared<FaultPlan>(Op(BlobOp::kCount))) {}

void FaultyBlobStore::FailNth(BlobOp op, uint64_t nth, Status status, FaultMode mode) {
  plan_->Arm(Op(op), nth, std::move(status), mode);
}

Result<std::unique_ptr<BlobWriter>> FaultyBlobStore::Create(const std::string& blob_id) {
  return plan_->Run(Op(BlobOp::kCreate), [&]() -> Result<std::unique_ptr<BlobWriter>> {
    LETHE_ASSIGN_OR_RETURN(auto writer, base_->Create(blob_id));
    return std::unique_ptr<BlobWriter>(new FaultyBlobWriter(plan_, std::move(writer)));
  });
}

Result<std::unique_ptr<BlobReader>> FaultyBlobStore::Open(const std::string& blob_id) {
  return plan_->Run(Op(BlobOp::kOpen), [&]() -> Result<std::unique_ptr<BlobReader>> {
    LETHE_ASSIGN_OR_RETURN(auto reader, base_->Open(blob_id));
    return std::unique_ptr<BlobReader>(new FaultyBlobReader(plan_, std::move(reader)));
  });
}

Status FaultyBlobStore::Remove(const std::string& blob_id) {
  return plan_->Run(Op(BlobOp::kRemove), [&] { return base_->Remove(blob_id); });
}

Status FaultyBlobStore::RemoveMany(const std::vector<std::string>& blob_ids) {
  return plan_->Run(Op(BlobOp::kRemoveMany), [&] { return base_->RemoveMany(blob_ids); });
}

Result<std::vector<std::string>> FaultyBlobStore::List() {
  return plan_->Run(Op(BlobOp::kList), [&] { return base_->List(); });
}

Result<int> FaultyBlobStore::RemoveIncomplete(std::chrono::milliseconds min_age) {
  return plan_->Run(Op(BlobOp::kRemoveIncomplete),
                    [&] { return base_->RemoveIncomplete(min_age); });
}

}  // namespace lethe
