#pragma once

// The CalDAV test fixture shared by tests/bridge/CalDav*Test.cpp: the demo
// data, three logins (sophie, lea: employees; admin), and a server on port 0
// with the routes `creneau serve` registers.
#include <Poco/Base64Encoder.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <gtest/gtest.h>

#include <chrono>
#include <regex>
#include <set>
#include <sstream>

#include "bridge/auth/BasicAuth.h"
#include "bridge/auth/Password.h"
#include "bridge/caldav/DavHandlers.h"
#include "bridge/server/Server.h"
#include "engine/import/JsonImporter.h"
#include "engine/render/Renderer.h"
#include "engine/store/SqliteStore.h"
#include "tests/common/TestSupport.h"

namespace creneau::bridge::caldavtest {

using namespace std::chrono_literals;

constexpr const char* kPassword = "correct horse battery";

struct Reply {
  int status = 0;
  std::string body;
  Poco::Net::HTTPResponse head;
};

inline std::string basic(const std::string& login, const std::string& password) {
  std::ostringstream out;
  Poco::Base64Encoder enc(out);
  enc.rdbuf()->setLineLength(0);
  enc << login << ':' << password;
  enc.close();
  return "Basic " + out.str();
}

inline std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// Shared by every CalDav* suite: the demo data, three logins, a server on
// port 0 with the routes `creneau serve` registers.
class CalDavFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    const auto dir =
        test::scratchDir(std::string("caldav-") + info->test_suite_name() + "-" + info->name());
    store_ = std::make_unique<engine::SqliteStore>((dir / "creneau.db").string());
    (void)store_->apply(engine::JsonImporter().parse(test::readFixture("demo/demo.json"), *store_));
    addUser("sophie", "emp-sophie");
    addUser("lea", "emp-lea");
    addUser("admin", {});

    auth_ = std::make_unique<BasicAuth>(*store_);
    router_.add("*", "/.well-known/caldav", makeWellKnownHandler());
    router_.add("*", "/dav/*", makeDavHandler(*store_, *auth_));
    ServerConfig config;
    config.port = 0;
    config.threads = 4;
    config.stopTimeout = 5s;
    server_ = std::make_unique<Server>(config, router_);
    server_->start();
  }

  void TearDown() override {
    if (server_) server_->stop(2s);
  }

  void addUser(const std::string& login, const std::string& employeeExt) {
    engine::NewUser u;
    u.login = login;
    if (employeeExt.empty()) {
      u.role = engine::Role::Admin;
    } else {
      u.role = engine::Role::Employee;
      u.employeeId = store_->employeeByExternalId(employeeExt)->id;
    }
    u.password = hashPassword(kPassword, kMinPasswordIterations);
    ASSERT_TRUE(store_->addUser(u));
  }

  Reply request(const std::string& method, const std::string& uri, const std::string& body = {},
                std::vector<std::pair<std::string, std::string>> headers = {},
                const std::string& login = "sophie") const {
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(server_->port()));
    session.setTimeout(Poco::Timespan(10, 0));
    Poco::Net::HTTPRequest req(method, uri, Poco::Net::HTTPMessage::HTTP_1_1);
    if (!login.empty()) req.set("Authorization", basic(login, kPassword));
    for (auto& [k, v] : headers) req.set(k, v);
    if (!body.empty()) {
      req.setContentType(method == "PUT" ? "text/calendar; charset=utf-8"
                                         : "application/xml; charset=utf-8");
      req.setContentLength(static_cast<std::streamsize>(body.size()));
    }
    session.sendRequest(req) << body;
    Reply r;
    std::istream& in = session.receiveResponse(r.head);
    std::ostringstream out;
    Poco::StreamCopier::copyStream(in, out);
    r.status = static_cast<int>(r.head.getStatus());
    r.body = out.str();
    return r;
  }

  Reply propfind(const std::string& uri, const std::string& depth, const std::string& body,
                 const std::string& login = "sophie") const {
    return request("PROPFIND", uri, body, {{"Depth", depth}}, login);
  }

  std::unique_ptr<engine::SqliteStore> store_;
  std::unique_ptr<BasicAuth> auth_;
  Router router_;
  std::unique_ptr<Server> server_;
};

}  // namespace creneau::bridge::caldavtest
