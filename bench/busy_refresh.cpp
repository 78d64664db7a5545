// Busy-time refresh of many employees against the Google Calendar emulator
// (issue 5, item 6): is the refresh limited by the emulator or by Créneau?
//
//   build/bench/busy_refresh [--employees 50] [--events 400] [--rounds 5] [--threads 4]
//                            [--emulator tests/emulators/google_emulator.py]
//                            [--contracts ../shared/contracts]
//
// Starts the emulator, seeds `events` one-hour events per employee over the
// next 90 days (each in its own Google account), connects every account
// (authorization code + PKCE, once), then times BusyRefresher::refresh of all
// employees `rounds` times. Prints events/s and the CPU seconds each side
// used: the emulator (one Python process, requests handled one at a time
// under a lock) against this process (parallel across employees).

#include <Poco/Base64Encoder.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/SHA2Engine.h>
#include <Poco/URI.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "engine/busy/BusyRefresher.h"
#include "engine/busy/BusyStore.h"
#include "engine/import/JsonImporter.h"
#include "engine/net/HttpClient.h"
#include "engine/store/SqlAccess.h"
#include "engine/store/SqliteStore.h"
#include "ical/TimeZones.h"

namespace {

using namespace creneau::engine;

std::string utcText(UnixTime t) {
  const auto d = creneau::ical::fromUnix(t, "UTC");
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", d.year, d.month, d.day, d.hour,
                d.minute, d.second);
  return buf;
}

double cpuSecondsOf(int pid) {  // utime + stime of /proc/<pid>/stat
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), {});
  std::istringstream rest(text.substr(text.rfind(')') + 2));
  std::string f;
  double ut = 0, st = 0;
  for (int i = 3; i <= 15 && rest >> f; ++i) {
    if (i == 14) ut = std::stod(f);
    if (i == 15) st = std::stod(f);
  }
  return (ut + st) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double selfCpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

std::string post(net::HttpClient& http, const std::string& url, const std::string& body,
                 const std::string& type = "application/json") {
  net::HttpRequest r;
  r.method = "POST";
  r.url = url;
  r.headers = {{"Content-Type", type}};
  r.body = body;
  auto res = http.send(r);
  if (!res) throw std::runtime_error(url + ": " + res.failure().message);
  if (res->status >= 300) throw std::runtime_error(url + ": HTTP " + std::to_string(res->status));
  return res->body;
}

// One access token per connection, obtained once by the emulator's OAuth
// dance (a benchmark of busy time, not of token refreshes).
class BenchTokens : public connections::TokenSource {
 public:
  void add(Id connection, std::string token) { tokens_[connection] = std::move(token); }
  connections::TokenResult accessToken(Id connection, bool) override {
    connections::TokenResult r;
    r.token = connections::AccessToken{tokens_.at(connection), 0};
    return r;
  }

 private:
  std::map<Id, std::string> tokens_;
};

std::string connect(net::HttpClient& http, const std::string& base, const std::string& user) {
  const std::string verifier(64, 'v');
  Poco::SHA2Engine sha(Poco::SHA2Engine::SHA_256);
  sha.update(verifier);
  const auto& d = sha.digest();
  std::ostringstream challenge;
  {
    Poco::Base64Encoder enc(challenge, Poco::BASE64_URL_ENCODING | Poco::BASE64_NO_PADDING);
    enc << std::string(d.begin(), d.end());
  }
  const std::string redirect = "http://127.0.0.1:1/cb";
  net::HttpRequest auth;
  auth.url = base + "/o/oauth2/v2/auth?" +
             net::formEncode({{"client_id", "bench"},
                              {"redirect_uri", redirect},
                              {"response_type", "code"},
                              {"scope", "https://www.googleapis.com/auth/calendar"},
                              {"code_challenge", challenge.str()},
                              {"code_challenge_method", "S256"},
                              {"access_type", "offline"},
                              {"login_hint", user}});
  auto a = http.send(auth);
  if (!a || a->status != 302) throw std::runtime_error("authorize failed for " + user);
  Poco::URI location(a->header("Location").value_or(""));
  std::string code;
  for (const auto& [k, v] : location.getQueryParameters())
    if (k == "code") code = v;
  const auto body = post(http, base + "/token",
                         net::formEncode({{"grant_type", "authorization_code"},
                                          {"code", code},
                                          {"redirect_uri", redirect},
                                          {"client_id", "bench"},
                                          {"code_verifier", verifier}}),
                         "application/x-www-form-urlencoded");
  auto o = Poco::JSON::Parser().parse(body).extract<Poco::JSON::Object::Ptr>();
  return o->getValue<std::string>("access_token");
}

}  // namespace

int main(int argc, char** argv) {
  std::map<std::string, std::string> opt = {{"employees", "50"},
                                            {"events", "400"},
                                            {"rounds", "5"},
                                            {"threads", "4"},
                                            {"emulator", "tests/emulators/google_emulator.py"},
                                            {"contracts", "../shared/contracts"}};
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    if (!k.starts_with("--") || !opt.contains(k.substr(2))) {
      std::cerr << "unknown option " << k << "\n";
      return 2;
    }
    opt[k.substr(2)] = argv[i + 1];
  }
  const int employees = std::stoi(opt["employees"]);
  const int events = std::stoi(opt["events"]);
  const int rounds = std::stoi(opt["rounds"]);

  Poco::Pipe out;
  Poco::ProcessHandle emu = Poco::Process::launch(
      "/usr/bin/python3", {opt["emulator"], "--port", "0", "--contracts-dir", opt["contracts"]},
      nullptr, &out, nullptr);
  Poco::PipeInputStream outStream(out);
  std::string line;
  std::getline(outStream, line);
  if (!line.starts_with("LISTENING ")) {
    std::cerr << "the emulator did not start: " << line << "\n";
    return 1;
  }
  const std::string base = "http://127.0.0.1:" + line.substr(10);
  int code = 0;
  try {
    auto http = net::makeHttpClient({});
    const auto dir = std::filesystem::temp_directory_path() / "creneau-busy-bench";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    SqliteStore store((dir / "bench.db").string());

    // Employees and their accounts' events: one hour every (90 days / events).
    const UnixTime nowT = std::time(nullptr);
    const UnixTime step = 90 * 86400 / events;
    std::string importJson = R"({"version": 1, "services": [{"id": "s1", "name": "S",
      "duration": 60}], "employees": [)";
    for (int e = 0; e < employees; ++e) {
      const std::string user = "user" + std::to_string(e) + "@example.com";
      importJson += std::string(e ? "," : "") + R"({"id": "e)" + std::to_string(e) +
                    R"(", "firstName": "E", "timeZone": "UTC", "email": ")" + user + R"("})";
      std::string seed = R"({"events": [)";
      for (int k = 0; k < events; ++k) {
        const UnixTime s = nowT + 3600 + k * step + (e % 7) * 600;
        seed += std::string(k ? "," : "") + R"({"user": ")" + user +
                R"(", "start": {"dateTime": ")" + utcText(s) + R"("}, "end": {"dateTime": ")" +
                utcText(s + 3600) + R"("}})";
      }
      post(*http, base + "/_emulator/seed", seed + "]}");
    }
    (void)store.apply(JsonImporter().parse(importJson + "]}", store));

    BenchTokens tokens;
    auto busy = *busy::BusyStore::of(store);
    for (int e = 0; e < employees; ++e) {
      const std::string user = "user" + std::to_string(e) + "@example.com";
      const Id emp = store.employeeByExternalId("e" + std::to_string(e))->id;
      auto s = store.sqlAccess()->sqlSession();
      Poco::Int64 id = 0, owner = emp;
      std::string account = user;
      using namespace Poco::Data::Keywords;
      s << "INSERT INTO connections (provider, owner, account, calendar_id, busy_calendars, "
           "refresh_token, access_token, access_expires_at, scopes, healthy, health_reason, "
           "connected_at, last_refresh_at) VALUES ('google', ?, ?, 'primary', '[]', '', '', 0, "
           "'', 1, '', 0, 0) RETURNING id",
          use(owner), use(account), into(id), Poco::Data::Keywords::now;
      tokens.add(id, connect(*http, base, user));
      busy::NewSource src;
      src.employeeId = emp;
      src.kind = busy::SourceKind::Google;
      src.connectionId = id;
      (void)busy.add(src);
    }

    connections::ProviderEndpoints endpoints;
    endpoints.googleApiUrl = base;
    busy::BusyRefresher refresher(store, *http, &tokens, endpoints, std::nullopt);
    busy::RefreshOptions options;
    options.threads = std::stoi(opt["threads"]);
    options.budget = std::chrono::minutes(10);

    std::printf(
        "| round | employees | events | requests | wall ms | events/s | emulator CPU s | creneau "
        "CPU s |\n");
    std::printf("|---|---|---|---|---|---|---|---|\n");
    double totalWall = 0, totalEmu = 0, totalSelf = 0;
    long totalEvents = 0;
    for (int r = 0; r < rounds; ++r) {
      const double emu0 = cpuSecondsOf(emu.id()), self0 = selfCpuSeconds();
      const auto t0 = std::chrono::steady_clock::now();
      const auto reports = refresher.refresh(std::nullopt, options);
      const double wall =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      const double emuCpu = cpuSecondsOf(emu.id()) - emu0, selfCpu = selfCpuSeconds() - self0;
      int requests = 0, failed = 0;
      std::int64_t fetchMs = 0;
      for (const auto& rep : reports) {
        requests += rep.requests;
        fetchMs += rep.ms;
        failed += rep.ok ? 0 : 1;
      }
      if (failed) {
        std::cerr << failed << " sources failed: " << reports.front().error << "\n";
        code = 1;
      }
      const long ev = static_cast<long>(employees) * events;
      std::printf("| %d | %d | %ld | %d | %.0f | %.0f | %.2f | %.2f |\n", r + 1, employees, ev,
                  requests, wall * 1000, static_cast<double>(ev) / wall, emuCpu, selfCpu);
      std::fprintf(stderr, "round %d: %.1f ms per source fetch (HTTP + parse)\n", r + 1,
                   static_cast<double>(fetchMs) / static_cast<double>(reports.size()));
      totalWall += wall;
      totalEmu += emuCpu;
      totalSelf += selfCpu;
      totalEvents += ev;
    }
    std::printf(
        "\nall rounds: %.0f events/s; emulator CPU %.2f s = %.0f%% of wall time (one core, "
        "requests under one lock); creneau CPU %.2f s = %.0f%% of wall time\n",
        static_cast<double>(totalEvents) / totalWall, totalEmu, 100 * totalEmu / totalWall,
        totalSelf, 100 * totalSelf / totalWall);
  } catch (const std::exception& e) {
    std::cerr << "busy_refresh: " << e.what() << "\n";
    code = 1;
  }
  Poco::Process::kill(emu);
  emu.wait();
  return code;
}
