#pragma once

// Shared by the export (sync) tests: an access-token source that signs in to
// an emulator the way a browser would (authorize with PKCE, then the code
// grant), and import files with many appointments.

#include <Poco/Base64Encoder.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/SHA2Engine.h>
#include <Poco/URI.h>

#include <map>
#include <mutex>
#include <sstream>
#include <string>

#include "engine/connections/Connection.h"

namespace creneau::test {

inline std::string pkceChallenge(const std::string& verifier) {
  Poco::SHA2Engine sha(Poco::SHA2Engine::SHA_256);
  sha.update(verifier);
  const auto& d = sha.digest();
  std::ostringstream out;
  Poco::Base64Encoder enc(out, Poco::BASE64_URL_ENCODING | Poco::BASE64_NO_PADDING);
  enc.write(reinterpret_cast<const char*>(d.data()), static_cast<std::streamsize>(d.size()));
  enc.close();
  return out.str();
}

// Signs `email` in at the emulator (Google or Graph) and returns an access token.
inline std::string emulatorAccessToken(const std::string& base, bool google,
                                       const std::string& email) {
  const std::string verifier(64, 'v');
  const std::string redirect = "http://127.0.0.1:1/oauth/callback";
  Poco::URI auth(base + (google ? "/o/oauth2/v2/auth" : "/common/oauth2/v2.0/authorize"));
  auth.addQueryParameter("client_id", google ? "cid.apps.googleusercontent.com"
                                             : "11111111-2222-3333-4444-555555555555");
  auth.addQueryParameter("redirect_uri", redirect);
  auth.addQueryParameter("response_type", "code");
  auth.addQueryParameter("scope", google ? "https://www.googleapis.com/auth/calendar openid email"
                                         : "offline_access Calendars.ReadWrite User.Read");
  auth.addQueryParameter("code_challenge", pkceChallenge(verifier));
  auth.addQueryParameter("code_challenge_method", "S256");
  if (google) auth.addQueryParameter("access_type", "offline");
  auth.addQueryParameter("login_hint", email);
  Poco::Net::HTTPClientSession s(auth.getHost(), auth.getPort());
  Poco::Net::HTTPRequest req("GET", auth.getPathAndQuery(), Poco::Net::HTTPMessage::HTTP_1_1);
  s.sendRequest(req);
  Poco::Net::HTTPResponse resp;
  s.receiveResponse(resp).ignore(1 << 20);
  std::string code;
  for (const auto& [k, v] : Poco::URI(resp.get("Location", "")).getQueryParameters())
    if (k == "code") code = v;
  if (code.empty())
    throw std::runtime_error("emulator consent gave no code: " + resp.get("Location", ""));

  Poco::URI token(base + (google ? "/token" : "/common/oauth2/v2.0/token"));
  Poco::URI form;
  form.addQueryParameter("grant_type", "authorization_code");
  form.addQueryParameter("code", code);
  form.addQueryParameter("redirect_uri", redirect);
  form.addQueryParameter("client_id", google ? "cid.apps.googleusercontent.com"
                                             : "11111111-2222-3333-4444-555555555555");
  form.addQueryParameter("code_verifier", verifier);
  const std::string body = form.getRawQuery();
  Poco::Net::HTTPClientSession ts(token.getHost(), token.getPort());
  Poco::Net::HTTPRequest treq("POST", token.getPath(), Poco::Net::HTTPMessage::HTTP_1_1);
  treq.setContentType("application/x-www-form-urlencoded");
  treq.setContentLength(static_cast<std::streamsize>(body.size()));
  ts.sendRequest(treq) << body;
  Poco::Net::HTTPResponse tresp;
  std::string answer;
  std::istream& in = ts.receiveResponse(tresp);
  answer.assign(std::istreambuf_iterator<char>(in), {});
  auto o = Poco::JSON::Parser().parse(answer).extract<Poco::JSON::Object::Ptr>();
  return o->getValue<std::string>("access_token");
}

// TokenSource over emulatorAccessToken: one sign-in per connection, a new
// one when asked to refresh.
class EmulatorTokens : public engine::connections::TokenSource {
 public:
  struct Account {
    std::string base;
    bool google = true;
    std::string email;
  };
  void add(engine::Id connectionId, Account a) { accounts_[connectionId] = std::move(a); }
  engine::connections::TokenResult accessToken(engine::Id id, bool forceRefresh) override {
    std::lock_guard lock(m_);
    engine::connections::TokenResult r;
    auto it = accounts_.find(id);
    if (it == accounts_.end()) {
      r.failure = engine::connections::TokenFailure::NotConnected;
      r.message = "no such connection";
      return r;
    }
    if (forceRefresh || !cache_.count(id)) {
      cache_[id] = emulatorAccessToken(it->second.base, it->second.google, it->second.email);
      ++signIns;
    }
    r.token = engine::connections::AccessToken{cache_[id], 0};
    return r;
  }
  int signIns = 0;

 private:
  std::mutex m_;
  std::map<engine::Id, Account> accounts_;
  std::map<engine::Id, std::string> cache_;
};

// An import file: employees e1..eE (Europe/Paris, e-mail e<i>@example.com),
// one 30-minute service, a customer per appointment, and `count`
// appointments starting 2027-03-02 09:00 UTC, one per hour, spread over the
// employees, with `status`.
inline std::string appointmentsImport(int count, int employees = 1,
                                      const std::string& status = "approved", int shiftMin = 0) {
  std::ostringstream j;
  j << R"({"version": 1, "employees": [)";
  for (int e = 1; e <= employees; ++e)
    j << (e > 1 ? "," : "") << R"({"id": "e)" << e << R"(", "firstName": "Emp", "lastName": ")" << e
      << R"(", "email": "e)" << e << R"(@example.com", "timeZone": "Europe/Paris"})";
  j << R"(], "services": [{"id": "s1", "name": "Consultation", "duration": 30}], "customers": [)";
  for (int i = 0; i < count; ++i)
    j << (i ? "," : "") << R"({"id": "c)" << i << R"(", "firstName": "Cus", "lastName": "N)" << i
      << R"(", "email": "c)" << i << R"(@example.org"})";
  j << R"(], "appointments": [)";
  for (int i = 0; i < count; ++i) {
    const long start = 1803978000L + 3600L * i + 60L * shiftMin;  // 2027-03-02T09:00:00Z
    auto iso = [](long t) {
      char buf[32];
      const time_t tt = t;
      std::tm tm{};
      gmtime_r(&tt, &tm);
      std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
      return std::string(buf);
    };
    j << (i ? "," : "") << R"({"id": "a)" << i << R"(", "service": "s1", "employee": "e)"
      << (i % employees) + 1 << R"(", "start": ")" << iso(start) << R"(", "end": ")"
      << iso(start + 1800) << R"(", "status": ")" << status << R"(", "bookings": [{"id": "b)" << i
      << R"(", "customer": "c)" << i << R"(", "persons": 1, "status": ")" << status << R"("}]})";
  }
  j << "]}";
  return j.str();
}

}  // namespace creneau::test
