#include "app/region_cells.h"

#include <gtest/gtest.h>

namespace lethe {
namespace {

TEST(RegionCellsTest, ACellSpecNamesEachStoreAndKeepsCommasInsideValues_XFR1) {
  auto spec = ParseCellSpec(
      "eu=listen:127.0.0.1:8082,data:/srv/eu,metadata:postgres://db1,db2/meta_eu,"
      "keys:postgres:///keys_eu,blobs:s3://media-eu?endpoint=https://s3.eu&region=eu-west-1");
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_EQ(spec->region, "eu");
  EXPECT_EQ(spec->listen, "127.0.0.1:8082");
  EXPECT_EQ(spec->data_dir, "/srv/eu");
  EXPECT_EQ(spec->metadata_url, "postgres://db1,db2/meta_eu");
  EXPECT_EQ(spec->keys_url, "postgres:///keys_eu");
  EXPECT_EQ(spec->blobs_url, "s3://media-eu?endpoint=https://s3.eu&region=eu-west-1");
}

TEST(RegionCellsTest, BadCellSpecsAreRefused_XFR1) {
  for (const char* bad : {"eu", "mars=listen:1.2.3.4:80", "eu=data:/x", "eu=bogus:1,listen:a:1",
                          "eu=listen:a:1,listen:b:2", "eu=listen"}) {
    auto spec = ParseCellSpec(bad);
    EXPECT_FALSE(spec.ok()) << bad;
    EXPECT_EQ(spec.status().reason(), "bad-region") << bad;
  }
}

std::vector<CellSpec> TwoCells() {
  std::vector<CellSpec> cells(2);
  cells[0].region = "us";
  cells[0].listen = "127.0.0.1:0";
  cells[1].region = "eu";
  cells[1].listen = "127.0.0.1:0";
  return cells;
}

TEST(RegionCellsTest, EachCellGetsItsOwnDataDirectoryAndItsRegion_XFR1) {
  ServeConfig base;
  base.data_dir = "/srv/lethe";
  base.sms_outbox = "/srv/sms";
  auto configs = CellConfigs(base, TwoCells());
  ASSERT_TRUE(configs.ok()) << configs.status().ToString();
  ASSERT_EQ(configs->size(), 2u);
  EXPECT_EQ((*configs)[0].region, "us");
  EXPECT_EQ((*configs)[0].data_dir, "/srv/lethe/us");
  EXPECT_EQ((*configs)[1].data_dir, "/srv/lethe/eu");
  EXPECT_EQ((*configs)[1].sms_outbox, "/srv/sms/eu");
  EXPECT_FALSE((*configs)[1].handle_signals);
}

TEST(RegionCellsTest, TwoRegionsNamingOneStoreAreRefused_XFR1) {
  ServeConfig base;
  for (auto field : {&CellSpec::metadata_url, &CellSpec::keys_url, &CellSpec::blobs_url,
                     &CellSpec::data_dir, &CellSpec::backup_dir}) {
    std::vector<CellSpec> cells = TwoCells();
    cells[0].*field = "postgres:///shared";
    cells[1].*field = "postgres:///shared";
    auto configs = CellConfigs(base, cells);
    EXPECT_EQ(configs.status().reason(), "cells-share-a-store");
  }
  std::vector<CellSpec> twice = TwoCells();
  twice[1].region = "us";
  EXPECT_EQ(CellConfigs(base, twice).status().reason(), "bad-region");
}

TEST(RegionCellsTest, AProcessWideStoreIsRefusedWithRegions_XFR1) {
  ServeConfig base;
  base.metadata_url = "postgres:///one";
  EXPECT_EQ(CellConfigs(base, TwoCells()).status().reason(), "region-needs-own-stores");
  base = {};
  base.blobs.url = "s3://one?endpoint=http://x";
  EXPECT_EQ(CellConfigs(base, TwoCells()).status().reason(), "region-needs-own-stores");
  base = {};
  base.backup_dir = "/backups";
  EXPECT_EQ(CellConfigs(base, TwoCells()).status().reason(), "region-needs-own-stores");
}

}  // namespace
}  // namespace lethe
