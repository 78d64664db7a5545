#include "bridge/auth/BasicAuth.h"

#include <Poco/Base64Encoder.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <gtest/gtest.h>

#include <sstream>

#include "bridge/auth/Password.h"
#include "bridge/server/Server.h"
#include "engine/import/JsonImporter.h"
#include "engine/store/SqliteStore.h"
#include "tests/common/TestSupport.h"

namespace creneau::bridge {
namespace {

using namespace std::chrono_literals;

std::string basic(const std::string& userAndPassword) {
  std::ostringstream out;
  Poco::Base64Encoder enc(out);
  enc.rdbuf()->setLineLength(0);
  enc << userAndPassword;
  enc.close();
  return "Basic " + out.str();
}

class AuthBasicTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::scratchDir(std::string("auth-") +
                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    store_ = std::make_unique<engine::SqliteStore>((dir_ / "creneau.db").string());
    (void)store_->apply(engine::JsonImporter().parse(test::readFixture("demo/demo.json"), *store_));
    engine::NewUser sophie;
    sophie.login = "sophie";
    sophie.role = engine::Role::Employee;
    sophie.employeeId = store_->employeeByExternalId("emp-sophie")->id;
    sophie.password = hashPassword("sophie-secret");
    ASSERT_TRUE(store_->addUser(sophie));
    engine::NewUser admin;
    admin.login = "admin";
    admin.role = engine::Role::Admin;
    admin.password = hashPassword("admin-secret");
    ASSERT_TRUE(store_->addUser(admin));
    options_.clock = [this] { return now_; };
  }

  void TearDown() override {
    if (server_) server_->stop(2s);
  }

  // A server with one route that answers with the caller's login.
  void start() {
    auth_ = std::make_unique<BasicAuth>(*store_, options_);
    router_.get("/whoami", [this](Request& req, Response& res) {
      const auto who = auth_->authenticate(req);
      res.setBody(who.login + (who.isAdmin ? " admin" : " " + who.employeeExternalId),
                  "text/plain");
    });
    ServerConfig config;
    config.port = 0;
    config.threads = 4;
    server_ = std::make_unique<Server>(config, router_);
    server_->start();
  }

  std::pair<Poco::Net::HTTPResponse, std::string> whoami(
      const std::optional<std::string>& authorization) {
    Poco::Net::HTTPClientSession s("127.0.0.1", static_cast<Poco::UInt16>(server_->port()));
    s.setTimeout(Poco::Timespan(10, 0));
    Poco::Net::HTTPRequest req("GET", "/whoami", Poco::Net::HTTPMessage::HTTP_1_1);
    if (authorization) req.set("Authorization", *authorization);
    s.sendRequest(req);
    Poco::Net::HTTPResponse res;
    std::ostringstream body;
    Poco::StreamCopier::copyStream(s.receiveResponse(res), body);
    return {res, body.str()};
  }

  std::filesystem::path dir_;
  std::unique_ptr<engine::SqliteStore> store_;
  BasicAuthOptions options_;
  std::chrono::steady_clock::time_point now_ = std::chrono::steady_clock::now();
  std::unique_ptr<BasicAuth> auth_;
  Router router_;
  std::unique_ptr<Server> server_;
};

TEST_F(AuthBasicTest, BasicAuth_MissingHeader_Returns401WithChallenge) {
  start();
  const auto [res, body] = whoami(std::nullopt);
  EXPECT_EQ(res.getStatus(), 401);
  EXPECT_EQ(res.get("WWW-Authenticate", ""), "Basic realm=\"Créneau\", charset=\"UTF-8\"");
  EXPECT_EQ(body.find("sophie"), std::string::npos);
}

TEST_F(AuthBasicTest, BasicAuth_WrongPassword_Returns401) {
  start();
  const auto [res, body] = whoami(basic("sophie:admin-secret"));
  EXPECT_EQ(res.getStatus(), 401);
  EXPECT_EQ(res.get("WWW-Authenticate", ""), "Basic realm=\"Créneau\", charset=\"UTF-8\"");
  EXPECT_EQ(whoami(basic("nobody:sophie-secret")).first.getStatus(), 401);
  EXPECT_EQ(auth_->stats().failed, 2u);
  EXPECT_EQ(auth_->stats().verified, 0u);
}

TEST_F(AuthBasicTest, BasicAuth_RightPassword_GivesThePrincipal) {
  start();
  auto [res, body] = whoami(basic("sophie:sophie-secret"));
  EXPECT_EQ(res.getStatus(), 200);
  EXPECT_EQ(body, "sophie emp-sophie");
  std::tie(res, body) = whoami(basic("Admin:admin-secret"));  // logins ignore case
  EXPECT_EQ(res.getStatus(), 200);
  EXPECT_EQ(body, "admin admin");

  const auto p = auth_->authenticate(basic("sophie:sophie-secret"));
  EXPECT_FALSE(p.isAdmin);
  EXPECT_EQ(p.employeeId, store_->employeeByExternalId("emp-sophie")->id);
  EXPECT_EQ(p.employeeExternalId, "emp-sophie");
  EXPECT_TRUE(p.canSeeEmployee(*p.employeeId));
  EXPECT_FALSE(p.canSeeEmployee(*p.employeeId + 1));
}

TEST_F(AuthBasicTest, BasicAuth_MalformedHeaders_Return401AndNeverCrash) {
  start();
  for (const std::string& header :
       {std::string("Basic"), std::string("Basic !!!not-base64!!!"), std::string("Bearer abc"),
        basic("no-colon-here"), basic(":"), basic("sophie:"),
        std::string("Basic ") + std::string(3000, 'A'), basic(std::string("so\0phie:x", 10)),
        std::string("basic ====")}) {
    EXPECT_EQ(whoami(header).first.getStatus(), 401) << header.substr(0, 40);
  }
  EXPECT_EQ(whoami(basic("sophie:sophie-secret")).first.getStatus(), 200) << "still serving";
}

TEST_F(AuthBasicTest, BasicAuth_VerifiedCredentialsAreCached_UntilTtlOrPasswordChange) {
  auth_ = std::make_unique<BasicAuth>(*store_, options_);
  const std::string header = basic("sophie:sophie-secret");
  EXPECT_EQ(auth_->authenticate(header).login, "sophie");
  EXPECT_EQ(auth_->authenticate(header).login, "sophie");
  EXPECT_EQ(auth_->authenticate(header).login, "sophie");
  EXPECT_EQ(auth_->stats().verified, 1u) << "PBKDF2 ran once";
  EXPECT_EQ(auth_->stats().cacheHits, 2u);

  now_ += options_.cacheTtl + 1s;  // expired: verified again
  EXPECT_EQ(auth_->authenticate(header).login, "sophie");
  EXPECT_EQ(auth_->stats().verified, 2u);

  // `creneau user passwd` in another process: the cached entry is worthless at once.
  ASSERT_TRUE(store_->setUserPassword("sophie", hashPassword("new-sophie-secret")));
  EXPECT_THROW((void)auth_->authenticate(header), HttpError);
  EXPECT_EQ(auth_->authenticate(basic("sophie:new-sophie-secret")).login, "sophie");
  ASSERT_TRUE(store_->removeUser("sophie"));
  EXPECT_THROW((void)auth_->authenticate(basic("sophie:new-sophie-secret")), HttpError);
}

TEST_F(AuthBasicTest, BasicAuth_OldHashIsUpgradedAtLogin) {
  ASSERT_TRUE(store_->setUserPassword("admin", hashPassword("admin-secret", 100'000)));
  auth_ = std::make_unique<BasicAuth>(*store_, options_);
  EXPECT_TRUE(auth_->authenticate(basic("admin:admin-secret")).isAdmin);
  const auto stored = store_->userByLogin("admin")->password;
  EXPECT_EQ(stored.iterations, kPasswordIterations);
  EXPECT_TRUE(verifyPassword("admin-secret", stored));
  EXPECT_TRUE(auth_->authenticate(basic("admin:admin-secret")).isAdmin);
}

TEST(AuthBasicParse, ParsesUserAndPassword_PasswordMayHoldColons) {
  const auto c = parseBasicAuthorization(basic("léa:pa:ss word"));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->user, "léa");
  EXPECT_EQ(c->password, "pa:ss word");
  EXPECT_FALSE(parseBasicAuthorization("Digest abc"));
  EXPECT_FALSE(parseBasicAuthorization(basic("nocolon")));
}

}  // namespace
}  // namespace creneau::bridge
