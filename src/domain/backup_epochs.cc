#include "domain/backup_epochs.h"

#include <cstdio>

#include "common/time_format.h"

namespace lethe {

namespace {

std::string WrapContext(const std::string& epoch) { return "backup-epoch:" + epoch; }

}  // namespace

BackupEpochs::BackupEpochs(const Key& master, BackupKeyStore& store, const Clock& clock,
                           Random& random, int max_age_days)
    : master_(master),
      store_(store),
      clock_(clock),
      random_(random),
      max_age_days_(max_age_days < 1 ? 1 : max_age_days) {}

std::string BackupEpochs::EpochOf(int64_t millis) {
  CivilDate d = DateOf(millis);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.year, d.month, d.day);
  return buf;
}

Result<BackupEpochs::EpochKey> BackupEpochs::Current() {
  EpochKey out{EpochOf(clock_.NowMillis()), {}};
  auto existing = Open(out.epoch);
  if (existing.ok()) {
    out.key = *existing;
    return out;
  }
  if (existing.status().code() != Status::Code::kNotFound) return existing.status();
  out.key = GenerateKey(random_);
  Status put = store_.Put(out.epoch, WrapKey(master_, out.key, WrapContext(out.epoch), random_));
  if (put.code() == Status::Code::kAlreadyExists) {  // made by a racing backup: use that one
    WipeKey(out.key);
    LETHE_ASSIGN_OR_RETURN(out.key, Open(out.epoch));
    return out;
  }
  if (!put.ok()) {
    WipeKey(out.key);
    return put;
  }
  return out;
}

Result<Key> BackupEpochs::Open(const std::string& epoch) {
  auto wrapped = store_.Get(epoch);
  if (!wrapped.ok()) {
    const Status& s = wrapped.status();
    if (s.reason() == "epoch-key-destroyed") {
      return Status::FailedPrecondition(
          "backup-epoch-destroyed",
          "backup epoch key destroyed: backup unreadable (epoch " + epoch + ")");
    }
    if (s.code() == Status::Code::kNotFound) {
      return Status::NotFound("backup epoch key " + epoch +
                              " not found (destroyed long ago, or another --backup-keys "
                              "directory)");
    }
    return s;
  }
  auto key = UnwrapKey(master_, *wrapped, WrapContext(epoch));
  if (!key.ok()) {
    if (key.status().code() == Status::Code::kDataLoss) {
      return Status::FailedPrecondition("master-key-mismatch",
                                        "the master key does not open backup epoch key " + epoch);
    }
    return key.status();
  }
  return *key;
}

Result<int> BackupEpochs::DestroyExpired() {
  LETHE_ASSIGN_OR_RETURN(auto epochs, store_.List());
  int64_t today = DaysFromCivil(DateOf(clock_.NowMillis()));
  int destroyed = 0;
  for (const std::string& epoch : epochs) {
    auto date = ParseDate(epoch);
    if (!date) continue;  // not ours
    if (today - DaysFromCivil(*date) <= max_age_days_) continue;
    Status s = store_.Destroy(epoch);
    if (s.code() == Status::Code::kNotFound) continue;  // destroyed meanwhile
    LETHE_RETURN_IF_ERROR(s);
    ++destroyed;
  }
  return destroyed;
}

}  // namespace lethe
