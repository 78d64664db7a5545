// Guessing passwords: many wrong logins never crash the server, cost an
// unknown login as much as a known one, and make the guessing address wait.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include "CalDavFixture.h"

namespace creneau::bridge {
namespace {

using namespace caldavtest;
using namespace std::chrono_literals;

class AuthThrottle : public CalDavFixture {
 protected:
  void SetUp() override {
    CalDavFixture::SetUp();
    server_->stop(2s);
    // The same routes, with a fake clock and a small limit.
    BasicAuthOptions options;
    options.maxFailures = 5;
    options.failureWindow = 60s;
    options.clock = [this] { return now_; };
    auth_ = std::make_unique<BasicAuth>(*store_, options);
    router_ = Router();
    router_.add("*", "/dav/*", makeDavHandler(*store_, *auth_));
    ServerConfig config;
    config.port = 0;
    config.threads = 8;
    server_ = std::make_unique<Server>(config, router_);
    server_->start();
  }
  Reply as(const std::string& password) const {
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(server_->port()));
    session.setTimeout(Poco::Timespan(30, 0));
    Poco::Net::HTTPRequest req("PROPFIND", "/dav/", Poco::Net::HTTPMessage::HTTP_1_1);
    req.set("Authorization", basic("sophie", password));
    req.set("Depth", "0");
    session.sendRequest(req);
    Reply r;
    std::istream& in = session.receiveResponse(r.head);
    std::ostringstream out;
    Poco::StreamCopier::copyStream(in, out);
    r.status = static_cast<int>(r.head.getStatus());
    r.body = out.str();
    return r;
  }
  std::chrono::steady_clock::time_point now_ = std::chrono::steady_clock::now();
};

TEST_F(AuthThrottle, ManyWrongPasswords_Then429WithRetryAfter_UntilTheWindowPasses) {
  for (int i = 0; i < 5; ++i) EXPECT_EQ(as("guess" + std::to_string(i)).status, 401) << i;
  const Reply blocked = as("guess-again");
  EXPECT_EQ(blocked.status, 429);
  EXPECT_FALSE(blocked.head.get("Retry-After", "").empty());
  // Even the right password waits: a guesser learns nothing while blocked.
  EXPECT_EQ(as(kPassword).status, 429);
  EXPECT_EQ(auth_->stats().failed, 5u);  // no key derivation while blocked

  now_ += 61s;
  EXPECT_EQ(as(kPassword).status, 207);
  // A success clears the count.
  for (int i = 0; i < 4; ++i) EXPECT_EQ(as("x").status, 401);
  EXPECT_EQ(as(kPassword).status, 207);
  EXPECT_EQ(as("x").status, 401);
}

TEST_F(AuthThrottle, ConcurrentWrongPasswords_NoCrashAndServerStillAnswers) {
  std::atomic<int> unauthorized{0};
  std::atomic<int> limited{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 4; ++i) {
        const int status = as("wrong-" + std::to_string(t * 10 + i)).status;
        (status == 401 ? unauthorized : limited)++;
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(unauthorized + limited, 32);
  EXPECT_GE(unauthorized.load(), 5);
  EXPECT_GE(limited.load(), 1);
  now_ += 61s;
  EXPECT_EQ(as(kPassword).status, 207);
}

TEST(AuthTiming, UnknownLoginCostsAsMuchAsAWrongPassword) {
  const auto dir = test::scratchDir("auth-timing");
  engine::SqliteStore store((dir / "creneau.db").string());
  engine::NewUser u;
  u.login = "admin";
  u.role = engine::Role::Admin;
  u.password = hashPassword(kPassword);  // the iterations new hashes get
  ASSERT_TRUE(store.addUser(u));
  BasicAuthOptions options;
  options.cacheTtl = 0ms;
  BasicAuth auth(store, options);
  // Interleaved, and the fastest of each: load on the machine only ever adds
  // time, so the minimum is what the work itself costs.
  auto once = [&](const std::string& login) {
    const auto start = std::chrono::steady_clock::now();
    EXPECT_FALSE(auth.check(basic(login, "wrong")).has_value());
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
        .count();
  };
  double known = 1e9;
  double unknown = 1e9;
  for (int i = 0; i < 5; ++i) {
    known = std::min(known, once("admin"));
    unknown = std::min(unknown, once("nobody"));
  }
  // Both run one full PBKDF2 (~0.1 s): the difference is noise, not a signal.
  EXPECT_GT(unknown, known * 0.6) << known << " vs " << unknown;
  EXPECT_LT(unknown, known * 1.6) << known << " vs " << unknown;
}

}  // namespace
}  // namespace creneau::bridge
