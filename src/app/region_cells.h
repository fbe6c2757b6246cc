// RegionCells: one `lethe serve` process holding a cell per region (XFR-1,
// issue 13). A cell is a complete LetheServer of its own: its metadata
// store, key store, blob store, data directory (lock, audit anchor, mail
// files, backups) and listening address, and the domain services built on
// them. Cells share nothing but the process, the clock and the random
// source, so no object in the `eu` cell holds a reference to a `us` store:
// a request for an eu account cannot touch one, by construction.
//
// Routing: each cell listens on its own address, and the load balancer
// sends each region's hostname there (eu.api.example -> the eu cells of
// every instance). The customer picks the territory by the endpoint it
// signs up at, and its login, sessions and accounts live in that cell, so
// there is no global directory at all: nothing about a customer or an end
// user is kept outside its region. An account of another region is refused
// at creation ("cross-region-refused", Accounts::SetHomeRegion), and no
// route changes an account's region, so nothing moves between cells.
//
// With no cell configured, `lethe serve` is the embedded default: one
// implicit cell (ServeConfig::region empty) holding both regions.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "app/lethe_server.h"
#include "common/status.h"

namespace lethe {

// One cell as configured: `--region eu=listen:HOST:PORT,metadata:URL,...`
// or LETHE_REGION_EU="listen:HOST:PORT,...". Empty fields take defaults.
struct CellSpec {
  std::string region;           // "us" or "eu"
  std::string listen;           // required
  std::string data_dir;         // default <--data>/<region>
  std::string metadata_url;     // default SQLite in data_dir
  std::string keys_url;         // default SQLite in data_dir
  std::string blobs_url;        // default <data_dir>/media
  std::string master_key_file;  // default the process's (--master-key-file), else data_dir's
  std::string public_url;       // default the process's --public-url
  std::string backup_dir;       // default <data_dir>/backups
  std::string backup_keys;      // default <data_dir>/backup-keys
  std::string erasure_journal;  // default <data_dir>/erasure.journal
};

// Parses "REGION=FIELDS". FIELDS is a comma-separated list of KEY:VALUE
// with KEY one of listen, data, metadata, keys, blobs, master-key,
// public-url, backups, backup-keys, journal; a comma not followed by a key
// belongs to the value (a PostgreSQL URL may list several hosts).
// InvalidArgument("bad-region") for a region other than us or eu, an
// unknown or repeated key, or no listen address.
Result<CellSpec> ParseCellSpec(std::string_view arg);
Result<CellSpec> ParseCellFields(const std::string& region, std::string_view fields);

// The ServeConfig of each cell: `base` (the process-wide settings) with the
// cell's stores, directories and address. InvalidArgument:
//  - "bad-region" for two cells of one region;
//  - "cells-share-a-store" when two cells name the same data directory,
//    metadata, key or blob store: one region's data would sit in the
//    other's store;
//  - "region-needs-own-stores" when `base` names a metadata, key or blob
//    store, a backup directory, backup keys or an erasure journal (every
//    cell would share it): each cell names its own.
Result<std::vector<ServeConfig>> CellConfigs(const ServeConfig& base,
                                             const std::vector<CellSpec>& cells);

class RegionCells {
 public:
  // The seams of one region's cell (tests count what each store receives).
  using SeamsFor = std::function<PortSeams(const std::string& region)>;

  // Starts every cell (CellConfigs), in order. With base.handle_signals,
  // SIGTERM/SIGINT stop them all. Returns CellConfigs' errors, or the
  // first cell's failure to start prefixed with its region (the cells
  // already started are stopped again).
  static Result<std::unique_ptr<RegionCells>> Start(const ServeConfig& base,
                                                    const std::vector<CellSpec>& cells,
                                                    Clock& clock, Random& random,
                                                    const SeamsFor& seams = {});
  ~RegionCells();
  RegionCells(const RegionCells&) = delete;
  RegionCells& operator=(const RegionCells&) = delete;

  // The regions, in the order given, and each one's bound "address:port"
  // ("" for a region with no cell).
  std::vector<std::string> regions() const;
  std::string endpoint(const std::string& region) const;
  // Serves every cell until a signal, Stop(), or one cell stopping (a
  // process missing a cell is better restarted whole), then drains them
  // all and returns.
  void Run();
  void Stop();

 private:
  struct Parts;
  explicit RegionCells(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace lethe
