#include "bridge/server/HealthHandler.h"

#include <Poco/JSON/Object.h>

#include <sstream>

namespace creneau::bridge {

namespace {

std::string json(const Poco::JSON::Object& o) {
  std::ostringstream out;
  o.stringify(out);
  out << '\n';
  return out.str();
}

}  // namespace

Handler makeHealthHandler(const engine::Store& store) {
  return [&store](Request&, Response& res) {
    Poco::JSON::Object body;
    try {
      (void)store.latestChange(engine::allCollection());
      body.set("status", "ok");
      res.setStatus(200);
    } catch (const std::exception& e) {
      body.set("status", "unavailable");
      body.set("reason", std::string("store: ") + e.what());
      res.setStatus(503);
    }
    res.setHeader("Cache-Control", "no-store");
    res.setBody(json(body), "application/json");
  };
}

}  // namespace creneau::bridge
