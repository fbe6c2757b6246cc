// SpaceReserve: room held back on the volume that holds Lethe's data, so
// that deleting still works when the volume is full. Deleting is how a full
// disk gets fixed, yet a deletion writes too (the record's removal, its
// audit event). When such a write fails for want of space, the caller
// releases the reserve and tries once more; the reserve is restored once
// space is free again.
#pragma once

namespace lethe {

class SpaceReserve {
 public:
  virtual ~SpaceReserve() = default;
  // Gives the reserved room back to the volume. Returns true if there was
  // any to give (false: it is already spent, retrying will not help).
  virtual bool Release() = 0;
  // Takes the room back if the volume has it; a no-op while it does not.
  virtual void Restore() = 0;
};

}  // namespace lethe
