#pragma once

// Shared by the Busy*Test.cpp files: a store with one employee and service,
// a small HTTP server for fake sources, Radicale, and a TokenSource that does
// the emulators' OAuth dance itself.

#include <Poco/Base64Encoder.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/SHA2Engine.h>
#include <Poco/StreamCopier.h>
#include <Poco/ThreadPool.h>
#include <Poco/URI.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>

#include "TestSupport.h"
#include "engine/busy/BusyRefresher.h"
#include "engine/busy/BusyStore.h"
#include "engine/import/JsonImporter.h"
#include "engine/net/HttpClient.h"
#include "engine/slots/StoreSlots.h"
#include "engine/store/SqlAccess.h"
#include "engine/store/SqliteStore.h"
#include "ical/TimeZones.h"

namespace creneau::test {

inline engine::UnixTime utc(int y, int mo, int d, int h = 0, int mi = 0) {
  return ical::toUnix(ical::DateTime::local(y, mo, d, h, mi, 0, "UTC"));
}

// A fake HTTP peer: every request goes to `handler` (on the server's threads).
class FakeHttpServer {
 public:
  struct Request {
    std::string method, uri, body;
    std::map<std::string, std::string> headers;
  };
  struct Reply {
    int status = 200;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
    int delayMs = 0;
  };
  using Handler = std::function<Reply(const Request&)>;

  explicit FakeHttpServer(Handler handler) : handler_(std::move(handler)) {
    Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
    port_ = socket.address().port();
    auto* params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(8);
    server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(*this), pool_, socket, params);
    server_->start();
  }
  // Stops accepting, then waits for handlers still running (a delayed reply)
  // before the log they write to goes away.
  ~FakeHttpServer() {
    server_->stopAll(true);
    pool_.joinAll();
  }
  [[nodiscard]] std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  [[nodiscard]] int requests() const { return count_.load(); }
  [[nodiscard]] std::vector<Request> log() const {
    std::lock_guard lock(mutex_);
    return log_;
  }
  void setHandler(Handler h) {
    std::lock_guard lock(mutex_);
    handler_ = std::move(h);
  }

 private:
  class RequestHandler : public Poco::Net::HTTPRequestHandler {
   public:
    explicit RequestHandler(FakeHttpServer& s) : s_(s) {}
    void handleRequest(Poco::Net::HTTPServerRequest& req,
                       Poco::Net::HTTPServerResponse& resp) override {
      Request r;
      r.method = req.getMethod();
      r.uri = req.getURI();
      for (const auto& [k, v] : req) r.headers[Poco::toLower(k)] = v;
      Poco::StreamCopier::copyToString(req.stream(), r.body);
      Handler h;
      {
        std::lock_guard lock(s_.mutex_);
        s_.log_.push_back(r);
        h = s_.handler_;
      }
      ++s_.count_;
      Reply reply = h(r);
      if (reply.delayMs) std::this_thread::sleep_for(std::chrono::milliseconds(reply.delayMs));
      resp.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(reply.status));
      for (const auto& [k, v] : reply.headers) resp.set(k, v);
      resp.setContentLength(static_cast<std::streamsize>(reply.body.size()));
      resp.send() << reply.body;
    }

   private:
    FakeHttpServer& s_;
  };
  class Factory : public Poco::Net::HTTPRequestHandlerFactory {
   public:
    explicit Factory(FakeHttpServer& s) : s_(s) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(
        const Poco::Net::HTTPServerRequest&) override {
      return new RequestHandler(s_);
    }

   private:
    FakeHttpServer& s_;
  };

  Handler handler_;
  mutable std::mutex mutex_;
  std::vector<Request> log_;
  std::atomic<int> count_{0};
  std::uint16_t port_ = 0;
  Poco::ThreadPool pool_{2, 16};
  std::unique_ptr<Poco::Net::HTTPServer> server_;
};

// One VEVENT in a VCALENDAR; `extra` lines are added inside the VEVENT.
inline std::string vevent(const std::string& uid, const std::string& start, const std::string& end,
                          const std::string& summary, const std::string& extra = "") {
  return "BEGIN:VEVENT\r\nUID:" + uid + "\r\nDTSTAMP:20261101T000000Z\r\nDTSTART" + start +
         "\r\nDTEND" + end + "\r\nSUMMARY:" + summary + "\r\n" + extra + "END:VEVENT\r\n";
}
inline std::string vcalendar(const std::string& events) {
  return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//busy//EN\r\n" + events +
         "END:VCALENDAR\r\n";
}

// Store with employee e1 (Europe/Paris, eve@example.com, 09:00-17:00 every
// day) and service s1 (60 min); "now" is settable.
class BusyStoreFixture {
 public:
  explicit BusyStoreFixture(const std::string& name) {
    dir_ = scratchDir("busy-" + name);
    engine::SqliteStoreOptions options;
    options.clock = [this] { return now_.load(); };
    store_ = std::make_unique<engine::SqliteStore>((dir_ / "creneau.db").string(), options);
    const std::string hours = R"([["09:00", "17:00"]])";
    const std::string json = R"({"version": 1,
      "employees": [{"id": "e1", "firstName": "Eve", "email": "eve@example.com",
        "timeZone": "Europe/Paris", "schedule": {"weekly": {"mon": )" +
                             hours + R"(, "tue": )" + hours + R"(, "wed": )" + hours +
                             R"(, "thu": )" + hours + R"(, "fri": )" + hours + R"(, "sat": )" +
                             hours + R"(, "sun": )" + hours + R"(}}},
        {"id": "e2", "firstName": "Noah", "timeZone": "Europe/Paris",
         "schedule": {"weekly": {"tue": )" +
                             hours + R"(}}}],
      "services": [{"id": "s1", "name": "Cut", "duration": 60}]})";
    (void)store_->apply(engine::JsonImporter().parse(json, *store_));
    http_ = engine::net::makeHttpClient({});
  }

  engine::SqliteStore& store() { return *store_; }
  engine::busy::BusyStore busy() { return *engine::busy::BusyStore::of(*store_); }
  engine::Id employee(const char* ext = "e1") { return store_->employeeByExternalId(ext)->id; }
  void setNow(engine::UnixTime t) { now_ = t; }
  engine::UnixTime now() const { return now_.load(); }

  engine::Id addSource(engine::busy::SourceKind kind, const std::string& url,
                       engine::busy::BusyRules rules = {}, const char* emp = "e1") {
    engine::busy::NewSource s;
    s.employeeId = employee(emp);
    s.kind = kind;
    s.url = url;
    s.rules = rules;
    s.label = "test";
    return busy().add(s);
  }

  std::vector<engine::busy::SourceReport> refresh(
      engine::connections::TokenSource* tokens = nullptr,
      engine::connections::ProviderEndpoints endpoints = {},
      engine::busy::RefreshOptions options = {}, std::optional<engine::Id> employee = {}) {
    engine::busy::BusyRefresher r(*store_, *http_, tokens, std::move(endpoints), box_);
    return r.refresh(employee, options);
  }

  // Slots of s1 on 2026-12-01 (Tuesday) in Paris.
  engine::SlotAnswer slots(bool explain = false, std::vector<std::string> employees = {"e1"}) {
    engine::SlotRequest r;
    r.serviceExt = "s1";
    r.employeeExts = std::move(employees);
    r.from = engine::LocalDate{2026, 12, 1};
    r.to = engine::LocalDate{2026, 12, 1};
    r.timeZone = "Europe/Paris";
    r.explain = explain;
    r.now = now_.load();
    return engine::findSlots(*store_, r);
  }

  static std::vector<std::string> starts(const engine::SlotAnswer& a) {
    std::vector<std::string> out;
    for (const auto& s : a.result.slots)
      out.push_back(engine::formatLocal(s.start, s.startOffset).substr(11, 5) +
                    (s.unverified ? "?" : ""));
    return out;
  }

  std::optional<engine::secrets::SecretBox> box_;
  std::filesystem::path dir_;

 private:
  std::atomic<engine::UnixTime> now_{utc(2026, 11, 30, 8)};
  std::unique_ptr<engine::SqliteStore> store_;
  std::unique_ptr<engine::net::HttpClient> http_;
};

}  // namespace creneau::test
