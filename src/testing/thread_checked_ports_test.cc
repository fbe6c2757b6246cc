// The checker behind NetworkThreadsTest can fail: a port call made on a
// thread marked as a network thread is refused and named.
#include "testing/thread_checked_ports.h"

#include <gtest/gtest.h>

#include <thread>

#include "testing/domain_fixture.h"

namespace lethe {
namespace {

class ThreadCheckedPortsTest : public DomainFixture {};

TEST_F(ThreadCheckedPortsTest, ACallOnANetworkThreadIsRefusedAndNamed) {
  NetworkThreads threads;
  ThreadCheckedPorts checked;
  PortSeams seams = checked.Seams();
  seams.network_threads(threads);
  // The seams take ownership; hand them stores of their own on the same files.
  auto db = SqliteDatabase::Open(dir_.File("lethe.db"));
  ASSERT_TRUE(db.ok());
  auto own = SqlMetadataStore::Open(std::move(*db), clock_);
  ASSERT_TRUE(own.ok());
  std::unique_ptr<MetadataStore> store = seams.wrap_metadata(std::move(*own));
  auto blobs = LocalBlobStore::OpenAt(dir_.File("media2"));
  ASSERT_TRUE(blobs.ok());
  std::unique_ptr<BlobStore> blob_store = seams.wrap_blobs(std::move(*blobs));

  EXPECT_TRUE(store->FindCustomer("cus_none").status().code() == Status::Code::kNotFound);
  EXPECT_TRUE(blob_store->List().ok());
  EXPECT_TRUE(checked.violations().empty());

  std::thread network([&] {
    NetworkThreads::Scope scope(threads);
    EXPECT_EQ(store->FindCustomer("cus_none").status().reason(), "port-on-network-thread");
    EXPECT_EQ(store->Transact([](MetadataTx&) { return Status::Ok(); }).reason(),
              "port-on-network-thread");
    EXPECT_EQ(blob_store->List().status().reason(), "port-on-network-thread");
  });
  network.join();
  EXPECT_EQ(checked.violations(),
            (std::vector<std::string>{"FindCustomer", "Transact", "blob store"}));
}

}  // namespace
}  // namespace lethe
