#include "bridge/oauth/OAuthHandler.h"

#include <Poco/Logger.h>

#include <set>
#include <utility>

#include "bridge/oauth/OAuthSetup.h"
#include "bridge/server/HttpError.h"
#include "bridge/server/RequestPath.h"
#include "engine/store/Store.h"
#include "engine/text/Markup.h"

namespace creneau::bridge {

namespace {

using engine::connections::OAuthErrorKind;
using engine::connections::Provider;
using ServicePtr = std::shared_ptr<engine::connections::ConnectionService>;

// Pages are HTML text and double-quoted attributes: & < > " is what they need.
std::string escapeHtml(const std::string& s) {
  return engine::xmlEscape(s);
}

std::string displayName(Provider p) {
  return p == Provider::Google ? "Google" : "Microsoft";
}

void page(Response& res, int status, const std::string& title, const std::string& bodyHtml) {
  res.reset();
  res.setStatus(status);
  res.setHeader("Cache-Control", "no-store");
  res.setHeader("X-Content-Type-Options", "nosniff");
  res.setHeader("Referrer-Policy", "no-referrer");  // the URL held a code
  res.setBody("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + escapeHtml(title) +
                  "</title></head>\n<body>\n<h1>" + escapeHtml(title) + "</h1>\n" + bodyHtml +
                  "\n</body></html>\n",
              "text/html; charset=utf-8");
}

void errorPage(Response& res, const HttpError& e) {
  page(res, e.status(), "Calendar not connected", "<p>" + escapeHtml(e.what()) + "</p>");
  for (const auto& [name, value] : e.headers()) res.addHeader(name, value);
}

Provider providerOf(const Request& req) {
  const auto p = engine::connections::parseProvider(req.param("provider"));
  if (!p)
    throw HttpError(404, "unknown provider \"" + req.param("provider") +
                             "\": use /oauth/google/... or /oauth/microsoft/...");
  return *p;
}

std::string employeeLabel(const engine::Store& store, const std::optional<engine::Id>& id) {
  if (!id) return "the admin-wide calendar";
  for (const auto& e : store.employees())
    if (e.id == *id) {
      const std::string name = e.fullName();
      return (name.empty() ? e.externalId : name) + " (" + e.externalId + ")";
    }
  return "employee #" + std::to_string(*id);
}

// The employee by the booking system's id, else by row id.
std::optional<engine::Employee> findEmployee(const engine::Store& store, const std::string& ref) {
  if (auto e = store.employeeByExternalId(ref)) return e;
  if (!ref.empty() && ref.find_first_not_of("0123456789") == std::string::npos && ref.size() < 18)
    for (const auto& e : store.employees())
      if (std::to_string(e.id) == ref) return e;
  return std::nullopt;
}

void start(engine::Store& store, BasicAuth& auth, const ServicePtr& service, Request& req,
           Response& res) {
  const Provider provider = providerOf(req);
  const engine::Principal who = auth.authenticate(req);
  std::optional<std::string> employee;
  std::optional<std::string> loginHint;
  bool admin = false;
  std::set<std::string> seen;
  for (const auto& [name, value] : parseQuery(req.rawQuery())) {
    if (name != "employee" && name != "admin" && name != "login_hint")
      throw HttpError(400, "unknown parameter \"" + name +
                               "\": use employee=ID, or admin=1 for the admin-wide calendar");
    if (!seen.insert(name).second)
      throw HttpError(400, "parameter " + name + " given twice: give it once");
    if (name == "employee") employee = value;
    if (name == "login_hint") loginHint = value;
    if (name == "admin") {
      if (value != "1" && value != "true")
        throw HttpError(400, "admin=" + value + ": use admin=1 for the admin-wide calendar");
      admin = true;
    }
  }
  if (admin == employee.has_value())
    throw HttpError(400,
                    "say whose calendar to connect: employee=ID, or admin=1 for the "
                    "admin-wide calendar");
  std::optional<engine::Id> owner;
  std::string hint;
  if (admin) {
    if (!who.isAdmin) throw HttpError(403, "only an admin may connect the admin-wide calendar");
  } else {
    const auto e = findEmployee(store, *employee);
    if (!e) {
      if (!who.isAdmin) throw HttpError(403, "you may connect only your own calendar");
      throw HttpError(404, "no employee with id \"" + *employee + "\"");
    }
    if (!who.canSeeEmployee(e->id))
      throw HttpError(403, "you may connect only your own calendar, not " + e->externalId + "'s");
    owner = e->id;
    hint = e->email;
  }
  if (loginHint) hint = *loginHint;
  if (!service) throw HttpError(503, "calendar connections are not available");
  const auto client = service->client(provider);
  if (!client) throw HttpError(503, client.error().message);
  const auto s = service->flow().start(provider, client.value(), owner, hint);
  if (s.state.empty()) throw HttpError(500, "the sign-in could not be prepared (sealing failed)");
  res.setStatus(302);
  res.setHeader("Location", s.url);
  res.setHeader("Cache-Control", "no-store");
  res.setBody("Continue at " + displayName(provider) + ": " + s.url + "\n",
              "text/plain; charset=utf-8");
}

void callback(engine::Store& store, const ServicePtr& service, Request& req, Response& res) {
  const Provider provider = providerOf(req);
  const std::string again =
      "/oauth/" + std::string(engine::connections::providerName(provider)) + "/start";
  std::string code, state, error, description;
  for (const auto& [name, value] : parseQuery(req.rawQuery())) {
    // Providers add parameters of their own (scope, session_state, authuser,
    // prompt, hd, iss): those are ignored.
    if (name == "code") code = value;
    if (name == "state") state = value;
    if (name == "error") error = value;
    if (name == "error_description") description = value;
  }
  if (!error.empty()) {
    std::string why = displayName(provider) + " did not connect the calendar: " + error;
    if (!description.empty()) why += " (" + description + ")";
    if (error == "access_denied") why += ". The consent was declined";
    throw HttpError(400, why + ". Nothing was stored; start again at " + again + " to retry.");
  }
  if (!service) throw HttpError(503, "calendar connections are not available");
  const auto done = service->complete(provider, code, state);
  if (!done) {
    const auto& e = done.error();
    switch (e.kind) {
      case OAuthErrorKind::BadState:
        throw HttpError(400, e.message + " Nothing was stored.");
      case OAuthErrorKind::Rejected:
        throw HttpError(400, e.message +
                                 ": the sign-in code was already used or has expired. "
                                 "Nothing was stored; start again at " +
                                 again + ".");
      case OAuthErrorKind::Misconfigured:
        throw HttpError(503, e.message + ". Nothing was stored.");
      default:
        throw HttpError(502, e.message + ". Nothing was stored; start again at " + again + ".");
    }
  }
  const auto& out = done.value();
  const auto& c = out.connection;
  std::string body = "<p>" + escapeHtml(displayName(provider)) + " account <strong>" +
                     escapeHtml(c.account) + "</strong> is connected for <strong>" +
                     escapeHtml(employeeLabel(store, c.employeeId)) + "</strong> (connection " +
                     std::to_string(c.id) + ").</p>\n";
  if (!out.previousAccount.empty())
    body += "<p>It replaces the account <strong>" + escapeHtml(out.previousAccount) +
            "</strong>: new events go to the new account; the destination and busy calendars "
            "were reset to the defaults.</p>\n";
  else if (out.reconnected)
    body += "<p>The earlier connection of this account was renewed.</p>\n";
  body += "<p>You can close this page.</p>";
  page(res, 200, "Calendar connected", body);
}

}  // namespace

void addOAuthRoutes(Router& router, engine::Store& store, BasicAuth& auth, ServicePtr service,
                    std::string problem) {
  auto guard = [problem](auto&& f) {
    return [f = std::forward<decltype(f)>(f), problem](Request& req, Response& res) {
      try {
        if (!problem.empty()) throw HttpError(503, problem);
        f(req, res);
      } catch (const HttpError& e) {
        errorPage(res, e);
      } catch (const engine::connections::ConnectionStoreError& e) {
        Poco::Logger::get("creneau.bridge.oauth").error(e.what());
        errorPage(res, HttpError(500, "the connection could not be stored; see the server log"));
      }
    };
  };
  router.get("/oauth/{provider}/start", guard([&store, &auth, service](Request& q, Response& r) {
               start(store, auth, service, q, r);
             }));
  router.get("/oauth/{provider}/callback",
             guard([&store, service](Request& q, Response& r) { callback(store, service, q, r); }));
}

void addOAuthRoutes(Router& router, engine::Store& store, BasicAuth& auth,
                    const std::string& dbPath) {
  auto setup = makeConnectionService(store, dbPath);
  addOAuthRoutes(router, store, auth, std::move(setup.service), std::move(setup.problem));
}

}  // namespace creneau::bridge
