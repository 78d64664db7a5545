#include "bridge/server/Server.h"

#include <Poco/AutoPtr.h>
#include <Poco/Channel.h>
#include <Poco/Exception.h>
#include <Poco/Logger.h>
#include <Poco/Message.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/StreamCopier.h>
#include <Poco/String.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <future>
#include <mutex>
#include <sstream>
#include <thread>

#include "bridge/server/HealthHandler.h"
#include "engine/store/SqliteStore.h"
#include "tests/common/TestSupport.h"

namespace creneau::bridge {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

struct Reply {
  int status = 0;
  std::string body;
  Poco::Net::HTTPResponse head;
};

// Sends one request on `session` and reads the whole answer.
Reply exchange(Poco::Net::HTTPClientSession& session, const std::string& method,
               const std::string& uri, const std::string& body = {},
               const std::vector<std::pair<std::string, std::string>>& headers = {}) {
  Poco::Net::HTTPRequest req(method, uri, Poco::Net::HTTPMessage::HTTP_1_1);
  for (auto& [k, v] : headers) req.set(k, v);
  if (!body.empty() || method == "POST" || method == "PUT")
    req.setContentLength64(static_cast<Poco::Int64>(body.size()));
  session.sendRequest(req) << body;
  Reply r;
  std::istream& in = session.receiveResponse(r.head);
  std::ostringstream out;
  Poco::StreamCopier::copyStream(in, out);
  r.status = static_cast<int>(r.head.getStatus());
  r.body = out.str();
  return r;
}

// Writes raw bytes and reads until the server closes or `timeout` passes.
std::string rawExchange(int port, const std::string& bytes,
                        std::chrono::milliseconds timeout = 5s) {
  Poco::Net::StreamSocket s(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port)));
  s.setReceiveTimeout(Poco::Timespan(static_cast<long>(timeout.count() / 1000),
                                     static_cast<long>(timeout.count() % 1000) * 1000));
  s.sendBytes(bytes.data(), static_cast<int>(bytes.size()));
  std::string out;
  char buf[4096];
  try {
    for (;;) {
      const int n = s.receiveBytes(buf, sizeof buf);
      if (n <= 0) break;
      out.append(buf, static_cast<std::size_t>(n));
    }
  } catch (const Poco::TimeoutException&) {
  } catch (const Poco::Net::NetException&) {
  }
  return out;
}

int statusOf(const std::string& rawResponse) {
  // "HTTP/1.1 413 Request Entity Too Large"
  if (rawResponse.size() < 12) return 0;
  return std::atoi(rawResponse.substr(9, 3).c_str());
}

// Collects formatted log messages of one logger.
class CaptureChannel : public Poco::Channel {
 public:
  void log(const Poco::Message& msg) override {
    std::lock_guard lock(mutex_);
    lines_.push_back(msg.getText());
  }
  std::vector<std::string> lines() const {
    std::lock_guard lock(mutex_);
    return lines_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
};

// A store whose every call fails, as when the database file is gone.
class BrokenStore final : public engine::Store {
 public:
  [[noreturn]] static void fail() { throw engine::StoreError("database is locked"); }
  engine::ImportSummary apply(const engine::ImportBatch&) override { fail(); }
  std::vector<engine::Employee> employees() const override { fail(); }
  std::vector<engine::Customer> customers() const override { fail(); }
  std::vector<engine::Service> services() const override { fail(); }
  std::vector<engine::Location> locations() const override { fail(); }
  std::optional<engine::Employee> employeeByExternalId(const std::string&) const override {
    fail();
  }
  std::optional<engine::Service> serviceByExternalId(const std::string&) const override { fail(); }
  std::optional<engine::Location> locationByExternalId(const std::string&) const override {
    fail();
  }
  std::optional<engine::Appointment> appointmentByExternalId(const std::string&) const override {
    fail();
  }
  std::optional<engine::GroupEvent> eventByExternalId(const std::string&) const override { fail(); }
  void forEachAppointment(const engine::RecordFilter&,
                          const std::function<bool(const engine::Appointment&)>&) const override {
    fail();
  }
  void forEachEvent(const engine::RecordFilter&,
                    const std::function<bool(const engine::GroupEvent&)>&) const override {
    fail();
  }
  std::int64_t countAppointments(const engine::RecordFilter&) const override { fail(); }
  std::int64_t latestChange(const std::string&) const override { fail(); }
  std::vector<engine::Change> changesSince(const std::string&, std::int64_t) const override {
    fail();
  }
  std::optional<std::string> setting(const std::string&) const override { fail(); }
  void setSetting(const std::string&, const std::string&) override { fail(); }
};

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::scratchDir(std::string("server-") +
                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    store_ = std::make_unique<engine::SqliteStore>((dir_ / "creneau.db").string());
    config_.port = 0;
    config_.threads = 4;
    config_.maxBody = 64 * 1024;
    config_.stopTimeout = 5s;
    router_.get("/healthz", makeHealthHandler(*store_));
    router_.post("/echo", [](Request& req, Response& res) {
      res.setBody(req.body(), "application/octet-stream");
    });
    router_.get("/peer", [](Request& req, Response& res) {
      res.setBody(req.remoteAddress(), "text/plain");
    });
    router_.get("/dav/*", [](Request& req, Response& res) {
      res.setBody("dav:" + req.param("*"), "text/plain");
    });
    router_.get("/boom", [](Request&, Response& res) {
      res.setHeader("ETag", "\"half-done\"");
      throw std::runtime_error("secret internals: /var/lib/creneau/db password=hunter2");
    });
    router_.get("/poco-boom",
                [](Request&, Response&) { throw Poco::IllegalStateException("poco internals"); });
    router_.add("PUT", "/dav-error", [](Request&, Response&) {
      throw HttpError(403, {"DAV:", "need-privileges"}, "read-only calendar");
    });
  }

  void TearDown() override {
    if (server_) server_->stop(2s);
  }

  void startServer() {
    server_ = std::make_unique<Server>(config_, router_);
    server_->start();
  }

  std::unique_ptr<Poco::Net::HTTPClientSession> session() const {
    auto s = std::make_unique<Poco::Net::HTTPClientSession>(
        "127.0.0.1", static_cast<Poco::UInt16>(server_->port()));
    s->setTimeout(Poco::Timespan(5, 0));
    return s;
  }

  Reply get(const std::string& uri) { return exchange(*session(), "GET", uri); }

  fs::path dir_;
  std::unique_ptr<engine::SqliteStore> store_;
  ServerConfig config_;
  Router router_;
  std::unique_ptr<Server> server_;
};

TEST_F(ServerTest, PortZero_PicksAFreePortAndReportsIt) {
  startServer();
  EXPECT_GT(server_->port(), 0);
  EXPECT_EQ(server_->localUrl(), "http://127.0.0.1:" + std::to_string(server_->port()));
  EXPECT_EQ(server_->publicUrl(), server_->localUrl());
}

TEST_F(ServerTest, PublicUrl_WhenConfigured_IsUsedForLinks) {
  config_.publicUrl = "https://cal.example.com";
  startServer();
  EXPECT_EQ(server_->publicUrl(), "https://cal.example.com");
}

TEST_F(ServerTest, Healthz_StoreReachable_Returns200) {
  startServer();
  auto r = get("/healthz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "{\"status\":\"ok\"}\n");
  EXPECT_EQ(r.head.getContentType(), "application/json");
  EXPECT_EQ(r.head.get("Cache-Control", ""), "no-store");
}

TEST_F(ServerTest, Healthz_StoreFailing_Returns503WithReason) {
  BrokenStore broken;
  Router router;
  router.get("/healthz", makeHealthHandler(broken));
  server_ = std::make_unique<Server>(config_, router);
  server_->start();
  auto r = get("/healthz");
  EXPECT_EQ(r.status, 503);
  EXPECT_NE(r.body.find("\"status\":\"unavailable\""), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("database is locked"), std::string::npos) << r.body;
  server_->stop(2s);
  server_.reset();
}

TEST_F(ServerTest, UnknownPath_Returns404NotNull) {
  startServer();
  auto r = get("/no/such/thing");
  EXPECT_EQ(r.status, 404);  // Poco answers 501 when a factory returns nullptr
  EXPECT_EQ(r.head.getContentType(), "text/plain; charset=utf-8");
  EXPECT_EQ(r.body.rfind("404 Not Found\n", 0), 0u) << r.body;
}

TEST_F(ServerTest, WrongMethod_Returns405WithAllow) {
  startServer();
  auto s = session();
  auto r = exchange(*s, "DELETE", "/healthz");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.head.get("Allow", ""), "GET, HEAD, OPTIONS");
}

TEST_F(ServerTest, Head_FallsBackToGet_HeadersWithoutBody) {
  startServer();
  auto s = session();
  auto r = exchange(*s, "HEAD", "/healthz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(r.head.getContentLength64(), 16);
}

TEST_F(ServerTest, Options_WithoutOwnHandler_Returns204WithAllow) {
  startServer();
  auto s = session();
  auto r = exchange(*s, "OPTIONS", "/echo");
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(r.head.get("Allow", ""), "OPTIONS, POST");
}

TEST_F(ServerTest, HandlerThrowsStdException_Returns500AndServerStaysUp) {
  startServer();
  for (const char* path : {"/boom", "/poco-boom"}) {
    auto r = get(path);
    EXPECT_EQ(r.status, 500) << path;
    EXPECT_EQ(r.body, "500 Internal Server Error\ninternal error\n") << "no internals leak";
    EXPECT_FALSE(r.head.has("ETag")) << "headers of the failed handler are dropped";
  }
  EXPECT_EQ(get("/healthz").status, 200);
}

TEST_F(ServerTest, HttpErrorWithDavCondition_ReturnsDavErrorXml) {
  startServer();
  auto s = session();
  auto r = exchange(*s, "PUT", "/dav-error", "BEGIN:VCALENDAR");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.head.getContentType(), "application/xml; charset=utf-8");
  EXPECT_NE(r.body.find("<D:error xmlns:D=\"DAV:\"><D:need-privileges/></D:error>"),
            std::string::npos)
      << r.body;
}

TEST_F(ServerTest, ErrorRenderer_IsPluggable) {
  router_.setErrorRenderer([](const HttpError& e, const std::string& path, Response& res) {
    res.setBody("custom " + std::to_string(e.status()) + " " + path, "text/plain");
  });
  startServer();
  EXPECT_EQ(get("/missing").body, "custom 404 /missing");
}

TEST_F(ServerTest, Echo_BodyWithinLimit_IsRead) {
  startServer();
  auto s = session();
  const std::string body(10'000, 'x');
  auto r = exchange(*s, "POST", "/echo", body);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, body);
}

TEST_F(ServerTest, BodyOverLimit_Returns413WithoutReadingIt) {
  std::atomic<bool> called{false};
  router_.add("PUT", "/upload", [&](Request&, Response&) { called = true; });
  startServer();
  const auto t0 = std::chrono::steady_clock::now();
  // 10 GB announced, not one byte sent: an answer proves nothing was awaited.
  const std::string reply = rawExchange(server_->port(),
                                        "PUT /upload HTTP/1.1\r\nHost: x\r\n"
                                        "Content-Length: 10000000000\r\n\r\n");
  const auto elapsed = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(statusOf(reply), 413) << reply;
  EXPECT_NE(Poco::toLower(reply).find("connection: close"), std::string::npos) << reply;
  EXPECT_LT(elapsed, 2s);
  EXPECT_FALSE(called);
}

TEST_F(ServerTest, BodyOverLimitWithExpectContinue_Returns413Without100Continue) {
  startServer();
  const std::string reply = rawExchange(server_->port(),
                                        "POST /echo HTTP/1.1\r\nHost: x\r\n"
                                        "Expect: 100-continue\r\n"
                                        "Content-Length: 1000000\r\n\r\n");
  EXPECT_EQ(statusOf(reply), 413) << reply;
  EXPECT_EQ(reply.find("100 Continue"), std::string::npos) << reply;
}

TEST_F(ServerTest, ChunkedBodyOverLimit_Returns413) {
  startServer();
  std::string req = "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  const std::string chunk(16 * 1024, 'y');
  for (int i = 0; i < 5; ++i) req += "4000\r\n" + chunk + "\r\n";  // 80 KiB > 64 KiB
  req += "0\r\n\r\n";
  const std::string reply = rawExchange(server_->port(), req);
  EXPECT_EQ(statusOf(reply), 413) << reply.substr(0, 200);
  EXPECT_NE(Poco::toLower(reply).find("connection: close"), std::string::npos);
}

TEST_F(ServerTest, ChunkedBodyWithinLimit_IsRead) {
  startServer();
  std::string req =
      "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
      "Connection: close\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
  const std::string reply = rawExchange(server_->port(), req);
  EXPECT_EQ(statusOf(reply), 200) << reply;
  EXPECT_TRUE(reply.ends_with("\r\n\r\nhello world")) << reply;
}

TEST_F(ServerTest, DotDotOrEncodedSlash_Returns400) {
  startServer();
  EXPECT_EQ(get("/dav/ok").status, 200);
  for (const char* path : {"/dav/../healthz", "/dav/a/..", "/dav/%2e%2e/x", "/dav/a%2Fb",
                           "/dav/a%2fb", "/dav/a%5Cb", "/dav/a%00b", "/dav/bad%zz", "/dav/./x"}) {
    const std::string reply =
        rawExchange(server_->port(), std::string("GET ") + path +
                                         " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(statusOf(reply), 400) << path << "\n" << reply;
  }
}

TEST_F(ServerTest, PercentEncodedPath_IsDecodedOnce) {
  startServer();
  auto r = get("/dav/a%20b%2525");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "dav:a b%25");
}

TEST_F(ServerTest, KeepAlive_ServesSeveralRequestsOnOneConnection) {
  startServer();
  auto s = session();
  s->setKeepAlive(true);
  std::string firstPeer;
  for (int i = 0; i < 5; ++i) {
    auto r = exchange(*s, "GET", "/peer", {}, {{"Connection", "keep-alive"}});
    ASSERT_EQ(r.status, 200);
    EXPECT_TRUE(r.head.getKeepAlive());
    if (i == 0) firstPeer = r.body;
    EXPECT_EQ(r.body, firstPeer) << "request " << i << " came on another connection";
  }
  // A request whose body the handler ignored does not break the next one.
  auto r = exchange(*s, "POST", "/healthz", "ignored body");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(exchange(*s, "GET", "/peer").body, firstPeer);
}

TEST_F(ServerTest, Stop_WaitsForInFlightRequest) {
  std::promise<void> entered;
  router_.get("/slow", [&](Request&, Response& res) {
    entered.set_value();
    std::this_thread::sleep_for(500ms);
    res.setBody("done", "text/plain");
  });
  startServer();
  auto client = std::async(std::launch::async, [this] { return get("/slow"); });
  entered.get_future().wait();
  const auto t0 = std::chrono::steady_clock::now();
  server_->stop(5s);
  const auto stopTook = std::chrono::steady_clock::now() - t0;
  const Reply r = client.get();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "done");
  EXPECT_GE(stopTook, 300ms);
  EXPECT_LT(stopTook, 4s);
  EXPECT_FALSE(server_->running());
  EXPECT_THROW(get("/healthz"), Poco::Exception) << "no longer accepting";
}

TEST_F(ServerTest, Stop_PastTimeout_ClosesTheSlowRequestsConnection) {
  std::promise<void> entered;
  router_.get("/slower", [&](Request&, Response& res) {
    entered.set_value();
    std::this_thread::sleep_for(1500ms);
    res.setBody("too late", "text/plain");
  });
  startServer();
  auto client = std::async(std::launch::async, [this] { return get("/slower"); });
  entered.get_future().wait();
  server_->stop(200ms);
  EXPECT_THROW(client.get(), Poco::Exception) << "the connection was closed, no answer";
}

TEST_F(ServerTest, ThreadPool_ServesRequestsConcurrently) {
  router_.get("/wait", [](Request&, Response& res) {
    std::this_thread::sleep_for(400ms);
    res.setBody("ok", "text/plain");
  });
  config_.threads = 4;
  startServer();
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<std::future<Reply>> replies;
  for (int i = 0; i < 4; ++i)
    replies.push_back(std::async(std::launch::async, [this] { return get("/wait"); }));
  for (auto& r : replies) EXPECT_EQ(r.get().status, 200);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1200ms) << "4 x 400 ms ran in parallel";
}

TEST_F(ServerTest, Stop_ClosesIdleKeepAliveConnectionsPromptly) {
  config_.keepAliveTimeout = 30s;
  startServer();
  auto s = session();
  s->setKeepAlive(true);
  ASSERT_EQ(exchange(*s, "GET", "/peer").status, 200);  // connection now idle, kept alive
  const auto t0 = std::chrono::steady_clock::now();
  server_->stop(5s);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s);
}

TEST_F(ServerTest, AccessLog_NeverContainsAuthorizationOrTokens) {
  Poco::AutoPtr<CaptureChannel> capture(new CaptureChannel);
  Poco::Logger& access = Poco::Logger::get("creneau.bridge.access");
  Poco::AutoPtr<Poco::Channel> previous(access.getChannel());
  const int previousLevel = access.getLevel();
  access.setChannel(capture);
  access.setLevel(Poco::Message::PRIO_INFORMATION);

  router_.get("/feeds/{token}.ics", [](Request& req, Response& res) {
    res.setBody("feed " + req.param("token").substr(0, 2), "text/calendar");
  });
  router_.get("/oauth/google/callback", [](Request&, Response& res) { res.setStatus(302); });
  startServer();
  auto s = session();
  auto r = exchange(*s, "GET", "/feeds/SECRETFEEDTOKEN.ics?format=freebusy", {},
                    {{"Authorization", "Basic YWRtaW46aHVudGVyMg=="}});
  EXPECT_EQ(r.status, 200);
  r = exchange(*s, "GET", "/oauth/google/callback?code=SECRETCODE&state=SECRETSTATE&scope=cal");
  EXPECT_EQ(r.status, 302);
  r = exchange(*s, "POST", "/echo", "password=SECRETBODY",
               {{"Authorization", "Bearer SECRETBEARER"}, {"Cookie", "session=SECRETCOOKIE"}});
  EXPECT_EQ(r.status, 200);
  r = exchange(*s, "GET", "/missing?token=SECRETQUERYTOKEN");
  EXPECT_EQ(r.status, 404);

  std::vector<std::string> lines;
  for (int i = 0; i < 100 && lines.size() < 4; ++i) {
    lines = capture->lines();
    std::this_thread::sleep_for(20ms);
  }
  access.setChannel(previous);
  access.setLevel(previousLevel);

  ASSERT_EQ(lines.size(), 4u);
  for (const auto& line : lines) {
    for (const char* secret : {"SECRET", "YWRtaW46", "hunter2", "Authorization", "Bearer"})
      EXPECT_EQ(line.find(secret), std::string::npos) << line;
    EXPECT_NE(line.find("127.0.0.1:"), std::string::npos) << line;
    EXPECT_NE(line.find("ms"), std::string::npos) << line;
  }
  EXPECT_NE(lines[0].find("\"GET /feeds/***.ics?format=freebusy\" 200 "), std::string::npos)
      << lines[0];
  EXPECT_NE(lines[1].find("\"GET /oauth/google/callback?code=***&state=***&scope=cal\" 302 "),
            std::string::npos)
      << lines[1];
  EXPECT_NE(lines[2].find("\"POST /echo\" 200 "), std::string::npos) << lines[2];
  EXPECT_NE(lines[3].find("\"GET /missing?token=***\" 404 "), std::string::npos) << lines[3];
}

// TLS ---------------------------------------------------------------------

class ServerTlsTest : public ServerTest {
 protected:
  // A self-signed certificate for localhost and 127.0.0.1, made by the openssl CLI.
  static bool makeCert(const fs::path& dir, const std::string& name) {
    const std::string cmd =
        "openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost"
        " -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -days 1"
        " -keyout '" +
        (dir / (name + ".key")).string() + "' -out '" + (dir / (name + ".crt")).string() +
        "' >/dev/null 2>&1";
    return std::system(cmd.c_str()) == 0;
  }
};

TEST_F(ServerTlsTest, Tls_ServesHttpsWithGeneratedCert) {
  ASSERT_TRUE(makeCert(dir_, "server")) << "openssl CLI missing?";
  config_.tlsCert = (dir_ / "server.crt").string();
  config_.tlsKey = (dir_ / "server.key").string();
  startServer();
  EXPECT_EQ(server_->localUrl(), "https://127.0.0.1:" + std::to_string(server_->port()));

  Poco::Net::Context::Ptr trust =
      new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", config_.tlsCert,
                             Poco::Net::Context::VERIFY_STRICT, 9, false);
  Poco::Net::HTTPSClientSession s("127.0.0.1", static_cast<Poco::UInt16>(server_->port()), trust);
  s.setTimeout(Poco::Timespan(5, 0));
  s.setKeepAlive(true);
  auto r = exchange(s, "GET", "/healthz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "{\"status\":\"ok\"}\n");
  EXPECT_EQ(exchange(s, "GET", "/dav/x").body, "dav:x") << "keep-alive over TLS";

  // Plain HTTP on the TLS port gets no answer.
  const std::string reply =
      rawExchange(server_->port(), "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 2s);
  EXPECT_EQ(reply.find("200 OK"), std::string::npos);
}

TEST_F(ServerTlsTest, Tls_MissingCertFile_FailsWithClearError) {
  config_.tlsCert = (dir_ / "nope.crt").string();
  config_.tlsKey = (dir_ / "nope.key").string();
  Server server(config_, router_);
  try {
    server.start();
    FAIL() << "start() should throw";
  } catch (const ServerError& e) {
    EXPECT_NE(std::string(e.what()).find("TLS certificate file not found: " + config_.tlsCert),
              std::string::npos)
        << e.what();
  }
}

TEST_F(ServerTlsTest, Tls_InvalidCertFile_FailsWithClearError) {
  ASSERT_TRUE(makeCert(dir_, "server"));
  { std::ofstream(dir_ / "garbage.crt") << "not a certificate\n"; }
  config_.tlsCert = (dir_ / "garbage.crt").string();
  config_.tlsKey = (dir_ / "server.key").string();
  Server server(config_, router_);
  try {
    server.start();
    FAIL() << "start() should throw";
  } catch (const ServerError& e) {
    EXPECT_NE(std::string(e.what()).find("cannot use TLS certificate " + config_.tlsCert),
              std::string::npos)
        << e.what();
  }
}

TEST_F(ServerTlsTest, Tls_KeyNotMatchingCert_FailsWithClearError) {
  ASSERT_TRUE(makeCert(dir_, "a"));
  ASSERT_TRUE(makeCert(dir_, "b"));
  config_.tlsCert = (dir_ / "a.crt").string();
  config_.tlsKey = (dir_ / "b.key").string();
  Server server(config_, router_);
  try {
    server.start();
    FAIL() << "start() should throw";
  } catch (const ServerError& e) {
    EXPECT_NE(std::string(e.what()).find("does not match"), std::string::npos) << e.what();
  }
}

TEST_F(ServerTest, AddressInUse_FailsWithClearError) {
  startServer();
  ServerConfig again = config_;
  again.port = server_->port();
  Server second(again, router_);
  try {
    second.start();
    FAIL() << "start() should throw";
  } catch (const ServerError& e) {
    EXPECT_NE(
        std::string(e.what()).find("cannot listen on 127.0.0.1:" + std::to_string(server_->port())),
        std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace creneau::bridge
