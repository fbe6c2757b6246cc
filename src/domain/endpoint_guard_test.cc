// The SSRF guard's rules (SHR-3, issue 12): URL shapes and address ranges.
#include "domain/endpoint_guard.h"

#include <gtest/gtest.h>

namespace lethe {
namespace {

TEST(EndpointGuard, HttpsOnlyExceptToALoopbackName_SHR3) {
  EXPECT_TRUE(ParseEndpoint("https://hooks.example.com/in").ok());
  EXPECT_TRUE(ParseEndpoint("http://127.0.0.1:8080/hook").ok());
  EXPECT_TRUE(ParseEndpoint("http://localhost/hook").ok());
  EXPECT_TRUE(ParseEndpoint("http://[::1]:9/hook").ok());
  EXPECT_EQ(ParseEndpoint("http://example.com/").status().reason(), "https-required");
  EXPECT_EQ(ParseEndpoint("http://10.0.0.1/").status().reason(), "https-required");
  for (const char* bad : {"", "ftp://example.com/", "example.com/hook", "https://",
                          "https://user:pw@example.com/", "javascript:alert(1)"}) {
    EXPECT_EQ(ParseEndpoint(bad).status().reason(), "invalid-url") << bad;
  }
  EXPECT_EQ(ParseEndpoint("https://example.com/" + std::string(2048, 'a')).status().reason(),
            "invalid-url");
  auto e = ParseEndpoint("https://[2606:4700::1111]:8443/x");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->host, "2606:4700::1111");
  EXPECT_FALSE(e->loopback_host);
}

TEST(EndpointGuard, PrivateLinkLocalAndMetadataAddressesAreRefused_SHR3) {
  for (const char* refused : {"10.0.0.1",
                              "172.16.5.4",
                              "172.31.255.255",
                              "192.168.1.1",
                              "169.254.169.254",
                              "100.64.0.1",
                              "0.0.0.0",
                              "127.0.0.1",
                              "224.0.0.1",
                              "255.255.255.255",
                              "192.0.2.1",
                              "198.18.0.1",
                              "::1",
                              "::",
                              "fe80::1",
                              "fc00::1",
                              "fd12:3456::1",
                              "ff02::1",
                              "::ffff:10.0.0.1",
                              "::ffff:169.254.169.254",
                              "64:ff9b::a00:1",
                              "2001:db8::1",
                              "fe80::1%eth0",
                              "not an address",
                              ""}) {
    EXPECT_FALSE(AddressAllowed(refused, false)) << refused;
  }
  for (const char* allowed : {"93.184.216.34", "8.8.8.8", "172.32.0.1", "100.128.0.1",
                              "2606:4700::1111", "::ffff:93.184.216.34"}) {
    EXPECT_TRUE(AddressAllowed(allowed, false)) << allowed;
  }
  // Loopback only when the URL names loopback; private ranges never.
  EXPECT_TRUE(AddressAllowed("127.0.0.1", true));
  EXPECT_TRUE(AddressAllowed("::1", true));
  EXPECT_FALSE(AddressAllowed("10.0.0.1", true));
  EXPECT_FALSE(AddressAllowed("169.254.169.254", true));
}

}  // namespace
}  // namespace lethe
