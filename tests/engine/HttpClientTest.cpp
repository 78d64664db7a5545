// The engine's HTTP(S) client against real peers over loopback: a Poco HTTP
// server in the test, raw sockets that misbehave, and the Google emulator
// serving HTTPS with a CA and certificates generated at test time.

#include "engine/net/HttpClient.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Pipe.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

#include "tests/common/EmulatorProcess.h"
#include "tests/common/TestSupport.h"

namespace net = creneau::engine::net;
using namespace std::chrono_literals;

namespace {

// ---------------------------------------------------------------------------
// A Poco HTTP server on a free loopback port; each request goes to `handle`.

using Handler = std::function<void(Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse&)>;

class FunctionHandler : public Poco::Net::HTTPRequestHandler {
 public:
  explicit FunctionHandler(const Handler& h) : handle_(h) {}
  void handleRequest(Poco::Net::HTTPServerRequest& req,
                     Poco::Net::HTTPServerResponse& res) override {
    handle_(req, res);
  }

 private:
  const Handler& handle_;
};

class FunctionFactory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit FunctionFactory(const Handler& h) : handle_(h) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    return new FunctionHandler(handle_);
  }

 private:
  const Handler& handle_;
};

class TestServer {
 public:
  explicit TestServer(Handler h, Poco::Timespan keepAliveTimeout = Poco::Timespan(10, 0))
      : handler_(std::move(h)), socket_(Poco::Net::SocketAddress("127.0.0.1", 0)) {
    auto* params = new Poco::Net::HTTPServerParams;
    params->setKeepAlive(true);
    params->setKeepAliveTimeout(keepAliveTimeout);
    params->setMaxKeepAliveRequests(1000);
    params->setMaxThreads(16);
    params->setMaxQueued(64);
    server_ =
        std::make_unique<Poco::Net::HTTPServer>(new FunctionFactory(handler_), socket_, params);
    server_->start();
  }
  ~TestServer() { server_->stopAll(true); }

  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(socket_.address().port()) + path;
  }
  int acceptedConnections() const { return server_->totalConnections(); }

 private:
  Handler handler_;
  Poco::Net::ServerSocket socket_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
};

void answer(Poco::Net::HTTPServerResponse& res, const std::string& body,
            const std::string& type = "text/plain") {
  res.setContentType(type);
  res.setContentLength(static_cast<std::streamsize>(body.size()));
  res.send() << body;
}

net::HttpRequest get(const std::string& url, std::chrono::milliseconds timeout = 10s) {
  net::HttpRequest r;
  r.url = url;
  r.timeout = timeout;
  return r;
}

// ---------------------------------------------------------------------------
// Certificates made with the openssl command line for this test run.

void runOpenssl(const std::filesystem::path& dir, const std::vector<std::string>& args) {
  Poco::Pipe errPipe;
  Poco::Process::Args a(args.begin(), args.end());
  auto handle =
      Poco::Process::launch("/usr/bin/openssl", a, dir.string(), nullptr, nullptr, &errPipe);
  Poco::PipeInputStream err(errPipe);
  std::string text;
  Poco::StreamCopier::copyToString(err, text);
  int rc = handle.wait();
  if (rc != 0) throw std::runtime_error("openssl " + args.at(0) + " failed: " + text);
}

struct TestPki {
  std::filesystem::path dir;
  std::filesystem::path caCert;
  std::filesystem::path serverCert, serverKey;    // subjectAltName IP:127.0.0.1
  std::filesystem::path foreignCert, foreignKey;  // subjectAltName DNS:other.example
};

void issue(const std::filesystem::path& dir, const std::string& name, const std::string& san) {
  runOpenssl(dir, {"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                   "-keyout", name + ".key", "-out", name + ".csr", "-subj", "/CN=" + name});
  std::ofstream(dir / (name + ".ext")) << "subjectAltName=" << san
                                       << "\nbasicConstraints=CA:FALSE\n"
                                          "keyUsage=digitalSignature\n"
                                          "extendedKeyUsage=serverAuth\n";
  runOpenssl(dir, {"x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                   "-CAcreateserial", "-days", "2", "-sha256", "-extfile", name + ".ext", "-out",
                   name + ".pem"});
}

const TestPki& testPki() {
  static const TestPki pki = [] {
    TestPki p;
    p.dir = creneau::test::scratchDir("HttpClientTest-pki");
    runOpenssl(p.dir, {"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                       "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj",
                       "/CN=Creneau Test CA", "-addext", "basicConstraints=critical,CA:TRUE",
                       "-addext", "keyUsage=critical,keyCertSign,cRLSign"});
    issue(p.dir, "server", "IP:127.0.0.1");
    issue(p.dir, "foreign", "DNS:other.example");
    p.caCert = p.dir / "ca.pem";
    p.serverCert = p.dir / "server.pem";
    p.serverKey = p.dir / "server.key";
    p.foreignCert = p.dir / "foreign.pem";
    p.foreignKey = p.dir / "foreign.key";
    return p;
  }();
  return pki;
}

std::string httpsUrl(const creneau::test::EmulatorProcess& e, const std::string& path) {
  return "https://127.0.0.1:" + std::to_string(e.port()) + path;
}

}  // namespace

// --- TLS -------------------------------------------------------------------

TEST(HttpClientTls, TrustedCaFile_RequestSucceeds) {
  const auto& pki = testPki();
  creneau::test::EmulatorProcess google(
      "google_emulator.py",
      {"--tls-cert", pki.serverCert.string(), "--tls-key", pki.serverKey.string()});
  net::HttpClientOptions options;
  options.caFile = pki.caCert.string();
  auto client = net::makeHttpClient(options);

  auto r = client->send(get(httpsUrl(google, "/_emulator/faults")));
  ASSERT_TRUE(r) << r.failure().message;
  EXPECT_EQ(r->status, 200);
  EXPECT_NE(r->body.find('['), std::string::npos) << r->body;
  // Again, on the kept connection or a new one.
  auto again = client->send(get(httpsUrl(google, "/_emulator/faults")));
  ASSERT_TRUE(again) << again.failure().message;
  EXPECT_EQ(again->status, 200);
}

TEST(HttpClientTls, SystemStoreDoesNotTrustTestCa_FailsWithTlsAndSaysWhatToDo) {
  const auto& pki = testPki();
  creneau::test::EmulatorProcess google(
      "google_emulator.py",
      {"--tls-cert", pki.serverCert.string(), "--tls-key", pki.serverKey.string()});
  auto client = net::makeHttpClient({});  // system CA store

  auto r = client->send(get(httpsUrl(google, "/_emulator/faults")));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.failure().kind, net::HttpFailureKind::Tls);
  EXPECT_FALSE(r.failure().transient());
  const auto& m = r.failure().message;
  EXPECT_NE(
      m.find("the certificate of 127.0.0.1:" + std::to_string(google.port()) + " is not trusted"),
      std::string::npos)
      << m;
  EXPECT_NE(m.find("set CRENEAU_CA_FILE"), std::string::npos) << m;
}

TEST(HttpClientTls, CertificateForAnotherHostName_FailsWithTls) {
  const auto& pki = testPki();
  creneau::test::EmulatorProcess google(
      "google_emulator.py",
      {"--tls-cert", pki.foreignCert.string(), "--tls-key", pki.foreignKey.string()});
  net::HttpClientOptions options;
  options.caFile = pki.caCert.string();  // the chain itself is trusted
  auto client = net::makeHttpClient(options);

  auto r = client->send(get(httpsUrl(google, "/_emulator/faults")));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.failure().kind, net::HttpFailureKind::Tls);
  EXPECT_NE(r.failure().message.find("not valid for 127.0.0.1"), std::string::npos)
      << r.failure().message;
}

TEST(HttpClientTls, UnreadableCaFile_FailsWithTlsNamingTheFile) {
  net::HttpClientOptions options;
  options.caFile = "/nonexistent/creneau-ca.pem";
  auto client = net::makeHttpClient(options);
  auto r = client->send(get("https://127.0.0.1:9/"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.failure().kind, net::HttpFailureKind::Tls);
  EXPECT_NE(r.failure().message.find("/nonexistent/creneau-ca.pem"), std::string::npos);
}

TEST(HttpClientTls, CaFileComesFromEnvironment) {
  ::setenv("CRENEAU_CA_FILE", "/etc/creneau/ca.pem", 1);
  EXPECT_EQ(net::httpOptionsFromEnvironment().caFile, "/etc/creneau/ca.pem");
  ::unsetenv("CRENEAU_CA_FILE");
  EXPECT_EQ(net::httpOptionsFromEnvironment().caFile, "");
}

// --- failures --------------------------------------------------------------

TEST(HttpClientFailure, ServerThatNeverAnswers_TimesOutWithinTheTimeout) {
  // Listening but never accepting: the kernel completes the connection and
  // buffers the request; no answer ever comes.
  Poco::Net::ServerSocket silent(Poco::Net::SocketAddress("127.0.0.1", 0));
  auto client = net::makeHttpClient({});
  auto start = std::chrono::steady_clock::now();
  auto r =
      client->send(get("http://127.0.0.1:" + std::to_string(silent.address().port()) + "/", 700ms));
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r);
  EXPECT_EQ(r.failure().kind, net::HttpFailureKind::Timeout);
  EXPECT_TRUE(r.failure().transient());
  EXPECT_GE(took, 600ms);
  EXPECT_LT(took, 2500ms);
  EXPECT_NE(r.failure().message.find("127.0.0.1:"), std::string::npos);
}

TEST(HttpClientFailure, TlsServerThatNeverHandshakes_TimesOut) {
  Poco::Net::ServerSocket silent(Poco::Net::SocketAddress("127.0.0.1", 0));
  auto client = net::makeHttpClient({});
  auto start = std::chrono::steady_clock::now();
  auto r = client->send(
      get("https://127.0.0.1:" + std::to_string(silent.address().port()) + "/", 700ms));
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r);
  EXPECT_EQ(r.failure().kind, net::HttpFailureKind::Timeout) << r.failure().message;
  EXPECT_LT(took, 2500ms);
}

TEST(HttpClientFailure, SlowBody_TimeoutCoversTheWholeExchange) {
  // Headers at once, then the body trickles in: the deadline still applies.
  TestServer server([](auto&, Poco::Net::HTTPServerResponse& res) {
    res.setContentLength(100);
    auto& out = res.send();
    for (int i = 0; i < 100; ++i) {
      out << 'x' << std::flush;
      std::this_thread::sleep_for(50ms);
    }
  });
  auto client = net::makeHttpClient({});
  auto start = std::chrono::steady_clock::now();
  auto r = client->send(get(server.url("/"), 800ms));
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r);
  EXPECT_EQ(r.failure().kind, net::HttpFailureKind::Timeout);
  EXPECT_LT(took, 2000ms);
}

TEST(HttpClientFailure, EmulatorDropsTheConnection_ConnectionDropped) {
  creneau::test::EmulatorProcess google("google_emulator.py");
  google.faults(R"([{"path": "/userinfo", "action": "drop"}])");
  auto client = net::makeHttpClient({});
  auto r = client->send(get(google.baseUrl() + "/oauth2/v3/userinfo"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.failure().kind, net::HttpFailureKind::ConnectionDropped) << r.failure().message;
  EXPECT_TRUE(r.failure().transient());
}

TEST(HttpClientFailure, PeerClosesAfterReadingRequest_ConnectionDropped) {
  Poco::Net::ServerSocket listener(Poco::Net::SocketAddress("127.0.0.1", 0));
  std::thread peer([&] {
    Poco::Net::StreamSocket s = listener.acceptConnection();
    char buf[4096];
    s.receiveBytes(buf, sizeof buf);
    s.close();
  });
  auto client = net::makeHttpClient({});
  net::HttpRequest req =
      get("http://127.0.0.1:" + std::to_string(listener.address().port()) + "/token");
  req.method = "POST";
  req.body = "grant_type=refresh_token";
  auto r = client->send(req);
  peer.join();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.failure().kind, net::HttpFailureKind::ConnectionDropped);
}

TEST(HttpClientFailure, AnswerCutShort_ConnectionDropped) {
  Poco::Net::ServerSocket listener(Poco::Net::SocketAddress("127.0.0.1", 0));
  std::thread peer([&] {
    Poco::Net::StreamSocket s = listener.acceptConnection();
    char buf[4096];
    s.receiveBytes(buf, sizeof buf);
    std::string partial = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this";
    s.sendBytes(partial.data(), static_cast<int>(partial.size()));
    s.close();
  });
  auto client = net::makeHttpClient({});
  auto r = client->send(get("http://127.0.0.1:" + std::to_string(listener.address().port()) + "/"));
  peer.join();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.failure().kind, net::HttpFailureKind::ConnectionDropped);
}

TEST(HttpClientFailure, ConnectionRefused_Connect) {
  std::uint16_t port;
  {
    Poco::Net::ServerSocket s(Poco::Net::SocketAddress("127.0.0.1", 0));
    port = s.address().port();
  }  // closed: nothing listens there now
  auto client = net::makeHttpClient({});
  auto r = client->send(get("http://127.0.0.1:" + std::to_string(port) + "/"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.failure().kind, net::HttpFailureKind::Connect);
  EXPECT_TRUE(r.failure().transient());
  EXPECT_NE(r.failure().message.find("127.0.0.1:" + std::to_string(port)), std::string::npos);
}

TEST(HttpClientFailure, UnresolvableHost_Resolve) {
  auto client = net::makeHttpClient({});
  auto r = client->send(get("http://creneau-test.invalid/", 5s));  // RFC 6761: never resolves
  ASSERT_FALSE(r);
  EXPECT_EQ(r.failure().kind, net::HttpFailureKind::Resolve);
  EXPECT_NE(r.failure().message.find("creneau-test.invalid"), std::string::npos);
}

TEST(HttpClientFailure, NotAnHttpUrl_InvalidUrl) {
  auto client = net::makeHttpClient({});
  for (const char* url : {"ftp://example.com/", "example.com/path", "", "http:///nohost"}) {
    auto r = client->send(get(url));
    ASSERT_FALSE(r) << url;
    EXPECT_EQ(r.failure().kind, net::HttpFailureKind::InvalidUrl) << url;
    EXPECT_FALSE(r.failure().transient());
  }
}

TEST(HttpClientFailure, BodyOverTheLimit_TooLarge) {
  TestServer server([](Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res) {
    std::string body(5000, 'b');
    if (req.getURI() == "/chunked") {
      res.setChunkedTransferEncoding(true);
      res.send() << body;
    } else {
      answer(res, body);
    }
  });
  net::HttpClientOptions options;
  options.maxResponseBytes = 4096;
  auto client = net::makeHttpClient(options);
  for (const char* path : {"/sized", "/chunked"}) {
    auto r = client->send(get(server.url(path)));
    ASSERT_FALSE(r) << path;
    EXPECT_EQ(r.failure().kind, net::HttpFailureKind::TooLarge) << path;
  }
  options.maxResponseBytes = 5000;  // exactly the size: fine
  auto r = net::makeHttpClient(options)->send(get(server.url("/chunked")));
  ASSERT_TRUE(r) << r.failure().message;
  EXPECT_EQ(r->body.size(), 5000u);
}

TEST(HttpClientFailure, MessagesNeverContainHeadersOrBody) {
  Poco::Net::ServerSocket silent(Poco::Net::SocketAddress("127.0.0.1", 0));
  auto client = net::makeHttpClient({});
  auto req = get("http://127.0.0.1:" + std::to_string(silent.address().port()) + "/x", 300ms);
  req.method = "POST";
  req.headers = {{"Authorization", "Bearer sekret-token"}};
  req.body = "client_secret=sekret-body";
  auto r = client->send(req);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.failure().message.find("sekret"), std::string::npos) << r.failure().message;
}

// --- exchange --------------------------------------------------------------

TEST(HttpClientExchange, SendsMethodHeadersAndBody_ReadsStatusAndHeadersInOrder) {
  TestServer server([](Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res) {
    std::string body;
    Poco::StreamCopier::copyToString(req.stream(), body);
    res.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_CREATED);
    res.add("X-Zeta", "1");
    res.add("X-Alpha", "2");
    res.add("X-Middle", "3");
    res.add("X-Zeta", "4");
    answer(res,
           req.getMethod() + " " + req.getURI() + " " + req.get("X-Test", "") + " " +
               req.getContentType() + " " + req.get("User-Agent", "") + " " + body,
           "application/json");
  });
  auto client = net::makeHttpClient({});
  net::HttpRequest req = get(server.url("/calendar/v3/events?q=a%20b"));
  req.method = "PATCH";
  req.headers = {{"X-Test", "yes"}, {"Content-Type", "application/json"}};
  req.body = R"({"a":1})";
  auto r = client->send(req);
  ASSERT_TRUE(r) << r.failure().message;
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(r->reason, "Created");
  EXPECT_EQ(r->body,
            R"(PATCH /calendar/v3/events?q=a%20b yes application/json creneau/1.0 {"a":1})");
  EXPECT_EQ(r->header("content-type"), "application/json");
  EXPECT_EQ(r->header("x-zeta"), "1");  // the first of repeated ones
  EXPECT_EQ(r->header("X-Missing"), std::nullopt);
  std::vector<std::string> order;
  for (const auto& [n, v] : r->headers) {
    if (n.starts_with("X-")) order.push_back(n + "=" + v);
  }
  // Distinct names keep their order (not sorted); repeated lines of one name
  // keep theirs and come together, as Poco parses them (RFC 9110 section 5.3:
  // only the order of lines with the same name is significant).
  EXPECT_EQ(order, (std::vector<std::string>{"X-Zeta=1", "X-Zeta=4", "X-Alpha=2", "X-Middle=3"}));
}

TEST(HttpClientExchange, ErrorStatusIsAResponseNotAFailure) {
  TestServer server([](auto&, Poco::Net::HTTPServerResponse& res) {
    res.setStatus(Poco::Net::HTTPResponse::HTTP_TOO_MANY_REQUESTS);
    res.set("Retry-After", "7");
    answer(res, "{}");
  });
  auto r = net::makeHttpClient({})->send(get(server.url("/")));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 429);
  EXPECT_EQ(r->header("retry-after"), "7");
}

TEST(HttpClientExchange, KeepAlive_ReusesOneConnectionForSequentialRequests) {
  TestServer server([](auto&, Poco::Net::HTTPServerResponse& res) { answer(res, "ok"); });
  auto client = net::makeHttpClient({});
  for (int i = 0; i < 5; ++i) {
    auto r = client->send(get(server.url("/n")));
    ASSERT_TRUE(r) << r.failure().message;
    EXPECT_EQ(r->body, "ok");
  }
  EXPECT_EQ(server.acceptedConnections(), 1);
}

TEST(HttpClientExchange, ServerClosedIdleConnection_NextRequestStillSucceeds) {
  // The server drops keep-alive connections after 200 ms of idleness.
  TestServer server([](auto&, Poco::Net::HTTPServerResponse& res) { answer(res, "ok"); },
                    Poco::Timespan(0, 200000));
  auto client = net::makeHttpClient({});
  ASSERT_TRUE(client->send(get(server.url("/1"))));
  std::this_thread::sleep_for(600ms);
  auto r = client->send(get(server.url("/2")));
  ASSERT_TRUE(r) << r.failure().message;
  EXPECT_EQ(r->body, "ok");
  EXPECT_EQ(server.acceptedConnections(), 2);
}

TEST(HttpClientExchange, ReusedConnectionClosedAsTheRequestArrives_RetriedOnceOnANewOne) {
  // The first connection answers once with keep-alive, then closes when the
  // second request arrives without answering it, as a server does whose idle
  // timeout fires just then. The client sends that request again, once, on a
  // new connection.
  Poco::Net::ServerSocket listener(Poco::Net::SocketAddress("127.0.0.1", 0));
  std::atomic<int> accepted{0};
  std::thread peer([&] {
    char buf[4096];
    Poco::Net::StreamSocket first = listener.acceptConnection();
    ++accepted;
    first.receiveBytes(buf, sizeof buf);
    std::string ok = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok1";
    first.sendBytes(ok.data(), static_cast<int>(ok.size()));
    first.receiveBytes(buf, sizeof buf);
    first.close();
    Poco::Net::StreamSocket second = listener.acceptConnection();
    ++accepted;
    second.receiveBytes(buf, sizeof buf);
    ok = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok2";
    second.sendBytes(ok.data(), static_cast<int>(ok.size()));
    second.receiveBytes(buf, sizeof buf);  // until the client closes
  });
  const std::string url = "http://127.0.0.1:" + std::to_string(listener.address().port()) + "/";
  {
    auto client = net::makeHttpClient({});
    auto r1 = client->send(get(url, 3s));
    ASSERT_TRUE(r1) << r1.failure().message;
    EXPECT_EQ(r1->body, "ok1");
    auto r2 = client->send(get(url, 3s));
    ASSERT_TRUE(r2) << r2.failure().message;
    EXPECT_EQ(r2->body, "ok2");
  }  // the client closes its idle connection: the peer thread ends
  peer.join();
  EXPECT_EQ(accepted.load(), 2);
}

TEST(HttpClientExchange, ConnectionCloseAnswer_IsNotReused) {
  TestServer server([](auto&, Poco::Net::HTTPServerResponse& res) {
    res.setKeepAlive(false);
    answer(res, "ok");
  });
  auto client = net::makeHttpClient({});
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(client->send(get(server.url("/"))));
  EXPECT_EQ(server.acceptedConnections(), 3);
}

TEST(HttpClientExchange, EightThreadsAtOnce_AllSucceed) {
  std::atomic<int> served{0};
  TestServer server([&](Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res) {
    ++served;
    std::this_thread::sleep_for(5ms);
    answer(res, req.getURI());
  });
  net::HttpClientOptions options;
  options.maxIdlePerHost = 4;
  auto client = net::makeHttpClient(options);
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        std::string path = "/t" + std::to_string(t) + "/" + std::to_string(i);
        auto r = client->send(get(server.url(path)));
        if (r && r->status == 200 && r->body == path) ++ok;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 160);
  EXPECT_EQ(served.load(), 160);
  // Reuse happened: far fewer connections than requests.
  EXPECT_LE(server.acceptedConnections(), 40);
}

// --- encoding --------------------------------------------------------------

TEST(HttpClientEncoding, UrlEncodeKeepsUnreservedOnly) {
  EXPECT_EQ(net::urlEncode("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(net::urlEncode("a b+c&d=e/f?g#h:i@j"), "a%20b%2Bc%26d%3De%2Ff%3Fg%23h%3Ai%40j");
  EXPECT_EQ(net::urlEncode("!$'()*,;[]%"), "%21%24%27%28%29%2A%2C%3B%5B%5D%25");
  EXPECT_EQ(net::urlEncode("é"), "%C3%A9");
}

TEST(HttpClientEncoding, FormEncodeJoinsPairs) {
  EXPECT_EQ(net::formEncode({{"grant_type", "authorization_code"},
                             {"redirect_uri", "https://x.example/oauth/google/callback"},
                             {"scope", "openid email"}}),
            "grant_type=authorization_code&redirect_uri=https%3A%2F%2Fx.example%2Foauth%2Fgoogle%"
            "2Fcallback&scope=openid%20email");
  EXPECT_EQ(net::formEncode({}), "");
}
