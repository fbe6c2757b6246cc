// DomainEvents: what happened, told to whoever must react in the same
// transaction (today: the customer's webhooks). A domain service that
// changes state hands its event to Emit inside the transaction of the
// change, so the reaction (a queued delivery) exists exactly when the
// change commits. Events carry ids only; the end user an event is about
// travels beside them, for the processing gate, and is never stored in a
// payload.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "ports/metadata_store.h"

namespace lethe {

struct DomainEvent {
  std::string type;  // media.created, media.deleted, erasure.completed, ...
  std::string account_id;
  std::string end_user;                                  // "" when it names none
  std::vector<std::pair<std::string, std::string>> ids;  // the payload's data
  // What the change asked the receivers for ("web_rendition" on an
  // upload that wants one); never part of a payload.
  std::vector<std::string> asks;
};

class DomainEvents {
 public:
  virtual ~DomainEvents() = default;
  // Queues what `event` calls for in `tx`. The store's error rolls the
  // change back with it.
  virtual Status Emit(MetadataTx& tx, const DomainEvent& event) = 0;
};

// Hands every event to each of several receivers in turn (webhooks, the
// abuse signals), in the same transaction; the first error stops it.
class EventFanOut final : public DomainEvents {
 public:
  explicit EventFanOut(std::vector<DomainEvents*> receivers) : receivers_(std::move(receivers)) {}
  Status Emit(MetadataTx& tx, const DomainEvent& event) override {
    for (DomainEvents* r : receivers_) LETHE_RETURN_IF_ERROR(r->Emit(tx, event));
    return Status::Ok();
  }

 private:
  std::vector<DomainEvents*> receivers_;
};

}  // namespace lethe
