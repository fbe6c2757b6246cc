// The cookie and CSRF rules of browser sessions, one request at a time.
// The same rules behind the Gate on a real server: tests/e2e/portal_test.cc.
#include "http/browser_session.h"

#include <gtest/gtest.h>

namespace lethe {
namespace {

HttpRequest Request(const std::string& method, std::map<std::string, std::string> headers) {
  HttpRequest req;
  req.method = method;
  req.headers = std::move(headers);
  return req;
}

TEST(SessionCookie, FindsOnlyItsOwnCookie) {
  EXPECT_EQ(SessionCookie(Request("GET", {})), std::nullopt);
  EXPECT_EQ(SessionCookie(Request("GET", {{"cookie", "__Host-lethe_session=ses_abc"}})), "ses_abc");
  EXPECT_EQ(SessionCookie(
                Request("GET", {{"cookie", "theme=dark; __Host-lethe_session=ses_abc ;other=1"}})),
            "ses_abc");
  EXPECT_EQ(SessionCookie(Request("GET", {{"cookie", "a=1, __Host-lethe_session=\"ses_q\""}})),
            "ses_q");
  EXPECT_EQ(SessionCookie(Request("GET", {{"cookie", "lethe_session=ses_abc"}})), std::nullopt)
      << "without the __Host- prefix it is another cookie";
  EXPECT_EQ(SessionCookie(Request("GET", {{"cookie", "x__Host-lethe_session=ses_abc"}})),
            std::nullopt);
  EXPECT_EQ(SessionCookie(Request("GET", {{"cookie", "__Host-lethe_session="}})), std::nullopt);
}

TEST(SessionCookie, TheStaffCookieIsAnotherCookie) {
  HttpRequest both =
      Request("GET", {{"cookie", "__Host-lethe_session=ses_c; __Host-lethe_staff=sts_s; other=1"}});
  EXPECT_EQ(SessionCookie(both), "ses_c");
  EXPECT_EQ(StaffSessionCookie(both), "sts_s");
  EXPECT_EQ(StaffSessionCookie(Request("GET", {{"cookie", "__Host-lethe_session=sts_s"}})),
            std::nullopt)
      << "a staff token under the customer's name is no staff cookie";
  EXPECT_EQ(SessionCookie(Request("GET", {{"cookie", "__Host-lethe_staff=ses_c"}})), std::nullopt);
  EXPECT_EQ(SessionCookieHeader("sts_s", 60, kStaffSessionCookie),
            "__Host-lethe_staff=sts_s; Path=/; Max-Age=60; HttpOnly; Secure; SameSite=Strict");
  EXPECT_EQ(ClearedSessionCookieHeader(kStaffSessionCookie),
            "__Host-lethe_staff=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict");
}

TEST(SessionCookie, HeadersCarryEveryFlag) {
  EXPECT_EQ(SessionCookieHeader("ses_abc", 3600),
            "__Host-lethe_session=ses_abc; Path=/; Max-Age=3600; HttpOnly; Secure; "
            "SameSite=Strict");
  EXPECT_EQ(ClearedSessionCookieHeader(),
            "__Host-lethe_session=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict");
  EXPECT_NE(SessionCookieHeader("ses_abc", -5).find("Max-Age=0;"), std::string::npos);
}

TEST(CsrfToken, IsPerSessionAndRevealsNothingOfIt) {
  const std::string a = CsrfToken("ses_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
  const std::string b = CsrfToken("ses_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab");
  EXPECT_EQ(a.size(), 64u);
  EXPECT_NE(a, b);
  EXPECT_EQ(a, CsrfToken("ses_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")) << "stable for the session";
  EXPECT_EQ(a.find("ses_"), std::string::npos);
}

TEST(IsUnsafeMethod, AllButReads) {
  for (const char* m : {"POST", "PUT", "PATCH", "DELETE", "OTHER"}) EXPECT_TRUE(IsUnsafeMethod(m));
  for (const char* m : {"GET", "HEAD", "OPTIONS"}) EXPECT_FALSE(IsUnsafeMethod(m));
}

TEST(CheckSameOrigin, TheHostOrThePublicOrigin) {
  auto reason = [](const HttpRequest& req, std::string_view public_origin = "") {
    Status st = CheckSameOrigin(req, public_origin);
    return st.ok() ? std::string("ok") : st.reason();
  };
  EXPECT_EQ(reason(Request("POST", {{"host", "127.0.0.1:8080"}})), "csrf-refused") << "no Origin";
  EXPECT_EQ(
      reason(Request("POST", {{"host", "127.0.0.1:8080"}, {"origin", "http://127.0.0.1:8080"}})),
      "ok");
  EXPECT_EQ(
      reason(Request("POST", {{"host", "LETHE.example"}, {"origin", "https://lethe.example:443"}})),
      "ok")
      << "canonical: case and default port";
  EXPECT_EQ(
      reason(Request("POST", {{"host", "127.0.0.1:8080"}, {"origin", "http://127.0.0.1:9090"}})),
      "csrf-refused")
      << "another port is another origin of the same site";
  EXPECT_EQ(
      reason(Request("POST", {{"host", "127.0.0.1:8080"}, {"origin", "http://localhost:8080"}})),
      "csrf-refused");
  EXPECT_EQ(reason(Request("POST", {{"host", "127.0.0.1:8080"}, {"origin", "null"}})),
            "csrf-refused");
  EXPECT_EQ(reason(Request("POST", {{"host", "bad host"}, {"origin", "http://x.example"}})),
            "csrf-refused");
  // Behind a proxy the Host is the proxy's business: --public-url decides.
  HttpRequest proxied =
      Request("POST", {{"host", "10.0.0.5:8080"}, {"origin", "https://lethe.example"}});
  EXPECT_EQ(reason(proxied), "csrf-refused");
  EXPECT_EQ(reason(proxied, "https://lethe.example"), "ok");
  EXPECT_EQ(reason(proxied, "https://other.example"), "csrf-refused");
}

TEST(CheckCsrf, UnsafeMethodsNeedTheTokenAndTheOrigin) {
  const std::string session = "ses_0123456789abcdef0123456789abcdef";
  const std::string token = CsrfToken(session);
  const std::map<std::string, std::string> same = {{"host", "127.0.0.1:8080"},
                                                   {"origin", "http://127.0.0.1:8080"}};
  EXPECT_TRUE(CheckCsrf(Request("GET", {}), session, "").ok()) << "reads need neither";
  EXPECT_TRUE(CheckCsrf(Request("HEAD", {}), session, "").ok());

  auto with = [&](std::map<std::string, std::string> h) {
    return CheckCsrf(Request("POST", std::move(h)), session, "");
  };
  auto headers = same;
  EXPECT_EQ(with(headers).reason(), "csrf-refused") << "no token";
  headers["x-csrf-token"] = token;
  EXPECT_TRUE(with(headers).ok());
  headers["x-csrf-token"] = CsrfToken("ses_another");
  EXPECT_EQ(with(headers).reason(), "csrf-refused") << "another session's token";
  headers["x-csrf-token"] = token.substr(0, 63);
  EXPECT_EQ(with(headers).reason(), "csrf-refused") << "a prefix";
  headers["x-csrf-token"] = token;
  headers["origin"] = "http://127.0.0.1:9999";
  EXPECT_EQ(with(headers).reason(), "csrf-refused") << "right token, wrong origin";
  headers.erase("origin");
  EXPECT_EQ(with(headers).reason(), "csrf-refused") << "right token, no origin";
  EXPECT_EQ(with(headers).code(), Status::Code::kPermissionDenied);
}

TEST(OriginOfUrl, TakesTheOriginOfAPublicUrl) {
  EXPECT_EQ(*OriginOfUrl("https://Lethe.example/"), "https://lethe.example");
  EXPECT_EQ(*OriginOfUrl("https://lethe.example:8443/base/path"), "https://lethe.example:8443");
  EXPECT_EQ(*OriginOfUrl("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
  EXPECT_EQ(OriginOfUrl("lethe.example").status().reason(), "bad-option");
  EXPECT_EQ(OriginOfUrl("ftp://lethe.example").status().reason(), "bad-option");
}

}  // namespace
}  // namespace lethe
