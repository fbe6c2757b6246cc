#include "domain/actor.h"

#include <gtest/gtest.h>

namespace lethe {
namespace {

TEST(ActorTest, AuditTextReadsBackAsTheSameKind_SEC1) {
  for (const Actor& a :
       {Actor::Customer("cus_1"), Actor::Credential("acc_2"), Actor::Credential("key_3"),
        Actor::Staff("stf_4"), Actor::System("lethe:retention")}) {
    EXPECT_EQ(Actor::FromAuditText(a.audit_text()), a) << a.audit_text();
  }
  EXPECT_EQ(Actor::FromAuditText("system").kind(), Actor::Kind::kSystem);
  EXPECT_EQ(Actor::Staff("stf_4").kind_name(), "staff");
  EXPECT_NE(Actor::Customer("x"), Actor::Staff("x"));
}

}  // namespace
}  // namespace lethe
