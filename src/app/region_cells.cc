#include "app/region_cells.h"

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <set>
#include <thread>

#include "app/shutdown_signals.h"

namespace lethe {

namespace {

constexpr std::array<std::string_view, 10> kCellKeys = {
    "listen",     "data",       "metadata", "keys",        "blobs",
    "master-key", "public-url", "backups",  "backup-keys", "journal"};

Status BadRegion(const std::string& why) { return Status::InvalidArgument("bad-region", why); }

// The key a field starts with ("listen" for "listen:1.2.3.4:80"), or "".
std::string_view KeyOf(std::string_view field) {
  size_t colon = field.find(':');
  if (colon == std::string_view::npos) return {};
  std::string_view key = field.substr(0, colon);
  bool known = std::find(kCellKeys.begin(), kCellKeys.end(), key) != kCellKeys.end();
  return known ? key : std::string_view{};
}

std::string* FieldOf(CellSpec& spec, std::string_view key) {
  if (key == "listen") return &spec.listen;
  if (key == "data") return &spec.data_dir;
  if (key == "metadata") return &spec.metadata_url;
  if (key == "keys") return &spec.keys_url;
  if (key == "blobs") return &spec.blobs_url;
  if (key == "master-key") return &spec.master_key_file;
  if (key == "public-url") return &spec.public_url;
  if (key == "backups") return &spec.backup_dir;
  if (key == "backup-keys") return &spec.backup_keys;
  return &spec.erasure_journal;  // "journal", the last of kCellKeys
}

// Fails when two cells give the same non-empty `what`.
Status Distinct(const std::vector<ServeConfig>& configs,
                const std::function<std::string(const ServeConfig&)>& what, const char* name) {
  std::set<std::string> seen;
  for (const ServeConfig& c : configs) {
    std::string v = what(c);
    if (v.empty()) continue;
    if (!seen.insert(v).second) {
      // The value may hold a password: only the field is named.
      return Status::InvalidArgument("cells-share-a-store",
                                     std::string("two regions name the same ") + name);
    }
  }
  return Status::Ok();
}

}  // namespace

Result<CellSpec> ParseCellFields(const std::string& region, std::string_view fields) {
  if (region != "us" && region != "eu") return BadRegion("a region is us or eu");
  CellSpec spec;
  spec.region = region;
  std::set<std::string> given;
  std::string* current = nullptr;
  size_t start = 0;
  while (start <= fields.size()) {
    size_t comma = fields.find(',', start);
    std::string_view part = fields.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    std::string_view key = KeyOf(part);
    if (!key.empty()) {
      if (!given.insert(std::string(key)).second) {
        return BadRegion("region " + region + " gives " + std::string(key) + " twice");
      }
      current = FieldOf(spec, key);
      *current = std::string(part.substr(key.size() + 1));
    } else if (current != nullptr) {
      *current += "," + std::string(part);  // a comma inside the value
    } else if (!part.empty()) {
      return BadRegion("region " + region + ": each field is KEY:VALUE, KEY one of listen, data, " +
                       "metadata, keys, blobs, master-key, public-url, backups, backup-keys, " +
                       "journal");
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  if (spec.listen.empty()) return BadRegion("region " + region + " needs listen:HOST:PORT");
  return spec;
}

Result<CellSpec> ParseCellSpec(std::string_view arg) {
  size_t eq = arg.find('=');
  if (eq == std::string_view::npos) return BadRegion("--region takes REGION=listen:HOST:PORT,...");
  return ParseCellFields(std::string(arg.substr(0, eq)), arg.substr(eq + 1));
}

Result<std::vector<ServeConfig>> CellConfigs(const ServeConfig& base,
                                             const std::vector<CellSpec>& cells) {
  if (!base.metadata_url.empty() || !base.keys_url.empty() || !base.blobs.url.empty() ||
      !base.backup_dir.empty() || !base.backup_keys.empty() || !base.erasure_journal.empty()) {
    return Status::InvalidArgument(
        "region-needs-own-stores",
        "with --region, each region names its own stores (metadata:, keys:, blobs:, backups:, "
        "backup-keys:, journal:); --metadata, --keys, --blobs, --backup-dir, --backup-keys and "
        "--erasure-journal would be shared by every region");
  }
  std::vector<ServeConfig> out;
  std::set<std::string> regions;
  for (const CellSpec& cell : cells) {
    if (cell.region != "us" && cell.region != "eu") return BadRegion("a region is us or eu");
    if (!regions.insert(cell.region).second) return BadRegion("region " + cell.region + " twice");
    ServeConfig c = base;
    c.region = cell.region;
    c.listen = cell.listen;
    c.data_dir = cell.data_dir.empty() ? base.data_dir + "/" + cell.region : cell.data_dir;
    c.metadata_url = cell.metadata_url;
    c.keys_url = cell.keys_url;
    c.blobs.url = cell.blobs_url;
    if (!cell.master_key_file.empty()) c.master_key_file = cell.master_key_file;
    if (!cell.public_url.empty()) c.public_url = cell.public_url;
    c.backup_dir = cell.backup_dir;
    c.backup_keys = cell.backup_keys;
    c.erasure_journal = cell.erasure_journal;
    // SMS files name phone numbers: each region's stay apart.
    if (!base.sms_outbox.empty()) c.sms_outbox = base.sms_outbox + "/" + cell.region;
    // The process's signals stop every cell (RegionCells::Start).
    c.handle_signals = false;
    out.push_back(std::move(c));
  }
  LETHE_RETURN_IF_ERROR(Distinct(
      out, [](const ServeConfig& c) { return c.data_dir; }, "data directory"));
  LETHE_RETURN_IF_ERROR(Distinct(
      out, [](const ServeConfig& c) { return c.metadata_url; }, "metadata store"));
  LETHE_RETURN_IF_ERROR(Distinct(
      out, [](const ServeConfig& c) { return c.keys_url; }, "key store"));
  LETHE_RETURN_IF_ERROR(Distinct(
      out, [](const ServeConfig& c) { return c.blobs.url; }, "blob store"));
  LETHE_RETURN_IF_ERROR(Distinct(
      out, [](const ServeConfig& c) { return c.backup_dir; }, "backup directory"));
  LETHE_RETURN_IF_ERROR(Distinct(
      out, [](const ServeConfig& c) { return c.backup_keys; }, "backup key directory"));
  LETHE_RETURN_IF_ERROR(Distinct(
      out, [](const ServeConfig& c) { return c.erasure_journal; }, "erasure journal"));
  return out;
}

struct RegionCells::Parts {
  std::mutex mu;
  bool stop_requested = false;  // under mu
  // Made before any cell starts a thread (ShutdownSignals' rule), released
  // first in ~RegionCells.
  std::unique_ptr<ShutdownSignals> signals;
  std::vector<std::string> regions;
  std::vector<std::unique_ptr<LetheServer>> servers;  // appended under mu

  void StopAll() {
    std::lock_guard lock(mu);
    stop_requested = true;
    for (auto& s : servers) s->Stop();
  }
};

RegionCells::RegionCells(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

RegionCells::~RegionCells() { parts_->signals.reset(); }

Result<std::unique_ptr<RegionCells>> RegionCells::Start(const ServeConfig& base,
                                                        const std::vector<CellSpec>& cells,
                                                        Clock& clock, Random& random,
                                                        const SeamsFor& seams) {
  LETHE_ASSIGN_OR_RETURN(std::vector<ServeConfig> configs, CellConfigs(base, cells));
  // The parent of the default cell directories (<--data>/<region>).
  if (std::any_of(cells.begin(), cells.end(),
                  [](const CellSpec& c) { return c.data_dir.empty(); }) &&
      ::mkdir(base.data_dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return Status::Internal("cannot create data directory " + base.data_dir + ": " +
                            std::strerror(errno));
  }
  auto p = std::make_unique<Parts>();
  if (base.handle_signals) {
    p->signals = std::make_unique<ShutdownSignals>([parts = p.get()](int) { parts->StopAll(); });
  }
  for (const ServeConfig& config : configs) {
    PortSeams cell_seams = seams ? seams(config.region) : PortSeams{};
    auto server = LetheServer::Start(config, clock, random, cell_seams);
    if (!server.ok()) {
      Status s = server.status();
      return Status(s.code(), s.reason(), "region " + config.region + ": " + s.message());
    }
    std::lock_guard lock(p->mu);
    // A signal during start-up: the loop that has not run yet stops at once.
    if (p->stop_requested) (*server)->Stop();
    p->regions.push_back(config.region);
    p->servers.push_back(std::move(*server));
  }
  return std::unique_ptr<RegionCells>(new RegionCells(std::move(p)));
}

std::vector<std::string> RegionCells::regions() const { return parts_->regions; }

std::string RegionCells::endpoint(const std::string& region) const {
  for (size_t i = 0; i < parts_->regions.size(); ++i) {
    if (parts_->regions[i] == region) return parts_->servers[i]->endpoint();
  }
  return "";
}

void RegionCells::Run() {
  std::vector<std::thread> threads;
  for (auto& server : parts_->servers) {
    threads.emplace_back([this, s = server.get()] {
      s->Run();
      parts_->StopAll();  // one cell down: the process goes down whole
    });
  }
  for (auto& t : threads) t.join();
}

void RegionCells::Stop() { parts_->StopAll(); }

}  // namespace lethe
