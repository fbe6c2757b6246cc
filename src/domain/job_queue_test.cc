#include "domain/job_queue.h"

#include <gtest/gtest.h>

#include "testing/domain_fixture.h"

namespace lethe {
namespace {

class JobQueueTest : public DomainFixture {
 protected:
  JobQueueOptions Options() {
    JobQueueOptions o;
    o.lease = std::chrono::seconds(60);
    o.max_attempts = 4;
    o.first_backoff = std::chrono::seconds(2);
    return o;
  }
  // Enqueues one job of `kind` in a transaction that returns `outcome`.
  std::string Enqueue(JobQueue& q, const std::string& kind, Status outcome = Status::Ok()) {
    std::string id;
    Status st = metadata_->Transact([&](MetadataTx& tx) -> Status {
      LETHE_ASSIGN_OR_RETURN(id, q.Enqueue(tx, kind, "{\"n\":1}"));
      return outcome;
    });
    EXPECT_EQ(st.code(), outcome.code());
    return id;
  }
  // A worker of instance `owner` claims every due job for 60 s, then dies
  // without finishing.
  void ClaimAsADeadWorker(const std::string& owner = "ins_dead") {
    ASSERT_TRUE(metadata_
                    ->Transact([&](MetadataTx& tx) {
                      int64_t now = clock_.NowMillis();
                      return StatusOf(tx.ClaimJobs(now, now + 60'000, 10, owner));
                    })
                    .ok());
  }
  // Handles `kind` by counting its runs in `runs`.
  static void CountRuns(JobQueue& q, const std::string& kind, int& runs) {
    q.Handle(kind, [&runs](const JobRecord&) {
      ++runs;
      return Status::Ok();
    });
  }
  JobRecord Job(const std::string& id) {
    auto j = metadata_->FindJob(id);
    EXPECT_TRUE(j.ok()) << j.status().ToString();
    return j.ok() ? *j : JobRecord{};
  }
};

TEST_F(JobQueueTest, AJobExistsOnlyIfItsTransactionCommits) {
  JobQueue q(*metadata_, clock_, random_, Options());
  int runs = 0;
  q.Handle("count", [&](const JobRecord& j) {
    EXPECT_EQ(j.payload, "{\"n\":1}");
    ++runs;
    return Status::Ok();
  });
  std::string lost = Enqueue(q, "count", Status::Internal("rolled back"));
  EXPECT_EQ(metadata_->FindJob(lost).status().code(), Status::Code::kNotFound);
  std::string id = Enqueue(q, "count");
  EXPECT_EQ(*q.RunDue(), 1);
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(Job(id).state, "done");
  EXPECT_EQ(*q.RunDue(), 0);  // done jobs are not run again
}

TEST_F(JobQueueTest, RetryableFailuresBackOffThenSucceed) {
  JobQueue q(*metadata_, clock_, random_, Options());
  int runs = 0;
  q.Handle("flaky", [&](const JobRecord&) {
    return ++runs < 3 ? Status::Unavailable("smtp down") : Status::Ok();
  });
  std::string id = Enqueue(q, "flaky");
  EXPECT_EQ(*q.RunDue(), 1);
  EXPECT_EQ(Job(id).state, "pending");
  EXPECT_EQ(*q.RunDue(), 0);  // backing off: not due yet
  clock_.Advance(1999);
  EXPECT_EQ(*q.RunDue(), 0);
  clock_.Advance(1);
  EXPECT_EQ(*q.RunDue(), 1);  // second attempt after 2 s
  clock_.Advance(3999);
  EXPECT_EQ(*q.RunDue(), 0);  // third waits 4 s
  clock_.Advance(1);
  EXPECT_EQ(*q.RunDue(), 1);
  JobRecord done = Job(id);
  EXPECT_EQ(done.state, "done");
  EXPECT_EQ(done.attempts, 3);
  EXPECT_EQ(runs, 3);
}

TEST_F(JobQueueTest, PermanentFailuresAndUnknownKindsFailForGood) {
  JobQueue q(*metadata_, clock_, random_, Options());
  q.Handle("bad", [](const JobRecord&) {
    return Status::InvalidArgument("mail-rejected", "550 no such user");
  });
  std::string bad = Enqueue(q, "bad");
  std::string orphan = Enqueue(q, "nobody-handles-this");
  EXPECT_EQ(*q.RunDue(), 2);
  EXPECT_EQ(Job(bad).state, "failed");
  EXPECT_NE(Job(bad).last_error.find("550"), std::string::npos);
  EXPECT_EQ(Job(orphan).state, "failed");
  clock_.Advance(24 * 3600 * 1000LL);
  EXPECT_EQ(*q.RunDue(), 0);
}

TEST_F(JobQueueTest, AJobLeftByADeadWorkerRunsAgainWhenItsLeaseRunsOut) {
  JobQueue q(*metadata_, clock_, random_, Options());
  int runs = 0;
  CountRuns(q, "work", runs);
  std::string id = Enqueue(q, "work");
  // A worker claims the job and dies before finishing it.
  ClaimAsADeadWorker();
  EXPECT_EQ(*q.RunDue(), 0);  // still leased
  clock_.Advance(60'000);
  EXPECT_EQ(*q.RunDue(), 1);
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(Job(id).state, "done");
  EXPECT_EQ(Job(id).attempts, 2);  // the dead worker's claim counts
}

TEST_F(JobQueueTest, TheOnlyWorkerResumesADeadPredecessorsJobsAtOnce) {
  JobQueue q(*metadata_, clock_, random_, Options());
  int runs = 0;
  CountRuns(q, "work", runs);
  std::string id = Enqueue(q, "work");
  ClaimAsADeadWorker();
  EXPECT_EQ(*q.RunDue(), 0);
  EXPECT_EQ(*q.ResumeAbandoned(/*sole_worker=*/true), 1);
  EXPECT_EQ(*q.RunDue(), 1);
  EXPECT_EQ(Job(id).state, "done");
  EXPECT_EQ(*q.ResumeAbandoned(true), 0);  // done jobs stay done
}

// Several servers on one store (issue 13): a server restarted on its data
// directory takes back what its dead predecessor (same instance) held, and
// leaves a live peer's leases alone.
TEST_F(JobQueueTest, ASharedStoresServerResumesOnlyItsOwnInstancesJobs) {
  JobQueueOptions options = Options();
  options.instance = "ins_mine";
  JobQueue q(*metadata_, clock_, random_, options);
  int runs = 0;
  CountRuns(q, "work", runs);
  std::string mine = Enqueue(q, "work");
  ClaimAsADeadWorker("ins_mine");
  std::string peers = Enqueue(q, "work");
  ClaimAsADeadWorker("ins_peer");
  EXPECT_EQ(Job(mine).lease_owner, "ins_mine");
  EXPECT_EQ(Job(peers).lease_owner, "ins_peer");
  EXPECT_EQ(*q.ResumeAbandoned(/*sole_worker=*/false), 1);
  EXPECT_EQ(*q.RunDue(), 1);
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(Job(mine).state, "done");
  EXPECT_EQ(Job(mine).lease_owner, "");
  EXPECT_EQ(Job(peers).state, "pending");
  clock_.Advance(60'000);  // the peer's lease runs out: then it is anyone's
  EXPECT_EQ(*q.RunDue(), 1);
  EXPECT_EQ(Job(peers).state, "done");
}

TEST_F(JobQueueTest, AQueueWithoutAnInstanceNameFreesNoSharedLease) {
  JobQueue q(*metadata_, clock_, random_, Options());
  Enqueue(q, "work");
  ClaimAsADeadWorker("ins_peer");
  EXPECT_EQ(*q.ResumeAbandoned(/*sole_worker=*/false), 0);
  EXPECT_EQ(*q.RunDue(), 0);
}

TEST_F(JobQueueTest, AJobThatKeepsKillingItsWorkerIsGivenUp) {
  JobQueue q(*metadata_, clock_, random_, Options());
  int runs = 0;
  CountRuns(q, "poison", runs);
  std::string id = Enqueue(q, "poison");
  for (int i = 0; i < 4; ++i) {  // four claims, each worker dies
    ClaimAsADeadWorker();
    clock_.Advance(60'000);
  }
  EXPECT_EQ(*q.RunDue(), 1);
  EXPECT_EQ(runs, 0);
  EXPECT_EQ(Job(id).state, "failed");
}

TEST_F(JobQueueTest, BackoffDoublesUpToItsCap) {
  JobQueueOptions o = Options();
  o.max_backoff = std::chrono::seconds(10);
  JobQueue q(*metadata_, clock_, random_, o);
  EXPECT_EQ(q.Backoff(1), std::chrono::seconds(2));
  EXPECT_EQ(q.Backoff(2), std::chrono::seconds(4));
  EXPECT_EQ(q.Backoff(3), std::chrono::seconds(8));
  EXPECT_EQ(q.Backoff(4), std::chrono::seconds(10));
  EXPECT_EQ(q.Backoff(40), std::chrono::seconds(10));
}

}  // namespace
}  // namespace lethe
