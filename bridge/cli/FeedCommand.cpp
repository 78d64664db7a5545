#include "bridge/cli/FeedCommand.h"

#include <charconv>
#include <ctime>
#include <iomanip>
#include <map>
#include <ostream>

#include "bridge/cli/Args.h"
#include "bridge/cli/OpenStore.h"
#include "bridge/server/ServerConfig.h"
#include "engine/feeds/Feed.h"
#include "engine/store/Store.h"

namespace creneau::bridge {

namespace {

constexpr const char* kFeedUsage = R"(usage: creneau feed COMMAND [--db PATH]

  create (--employee ID | --service ID | --location ID | --all)
         [--label TEXT] [--include-pending] [--no-canceled]
         [--public-url URL] [--config FILE]
                    make a subscription URL (ICS / webcal) and print it; the
                    token inside is shown only this once
  list              show every feed: id, scope, label, created, revoked
  revoke ID         disable a feed for good: its URL answers 404 from now on

A feed shows appointments (and group events, except for --service) from 30
days back to 365 days ahead (feeds.days_back / feeds.days_ahead of 'creneau
serve'). Canceled and rejected ones stay in it as STATUS:CANCELLED so that
calendar apps remove them (--no-canceled leaves them out); pending ones are
left out unless --include-pending (then STATUS:TENTATIVE). Append
?format=freebusy to a URL for busy times only, without any customer data.
URLs start with server.public_url (--public-url, $CRENEAU_PUBLIC_URL or the
--config file), else http://127.0.0.1:8080.
)";

std::string formatTime(engine::UnixTime t) {
  const std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%SZ", &tm);
  return buf;
}

// server.public_url, else what `creneau serve` would listen on.
std::string publicBase(const Args& args) {
  std::map<std::string, std::string> flags;
  if (auto url = args.value("public-url")) flags["server.public_url"] = *url;
  ServerConfig config;
  try {
    config = loadServerConfig(args.value("config"), processEnvironment(), flags);
  } catch (const ConfigError& e) {
    throw UsageError(e.what());
  }
  if (!config.publicUrl.empty()) return config.publicUrl;
  std::string host = config.host;
  if (host == "0.0.0.0" || host == "::" || host.empty()) host = "127.0.0.1";
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return std::string(config.tls() ? "https://" : "http://") + host + ":" +
         std::to_string(config.port == 0 ? 8080 : config.port);
}

std::string webcalOf(const std::string& url) {
  const auto colon = url.find("://");
  return "webcal" + url.substr(colon);
}

// "employee emp-sophie (Sophie Martin-Dubois)", "all".
struct ScopeNames {
  std::map<engine::Id, std::string> employees, services, locations;
  explicit ScopeNames(const engine::Store& store) {
    for (const auto& e : store.employees())
      employees[e.id] = e.externalId + " (" + e.fullName() + ")";
    for (const auto& s : store.services()) services[s.id] = s.externalId + " (" + s.name + ")";
    for (const auto& l : store.locations()) locations[l.id] = l.externalId + " (" + l.name + ")";
  }
  [[nodiscard]] std::string describe(const engine::Feed& f) const {
    std::string out(engine::toString(f.scope));
    const std::map<engine::Id, std::string>* names = nullptr;
    if (f.scope == engine::FeedScope::Employee) names = &employees;
    if (f.scope == engine::FeedScope::Service) names = &services;
    if (f.scope == engine::FeedScope::Location) names = &locations;
    if (names) {
      auto it = names->find(f.recordId.value_or(0));
      out += " " + (it == names->end() ? "#" + std::to_string(f.recordId.value_or(0)) + " (gone)"
                                       : it->second);
    }
    return out;
  }
};

int create(const Args& args, CliStreams io) {
  if (args.positionals().size() > 1)
    throw UsageError("unexpected argument '" + args.positionals()[1] + "'");
  const auto employee = args.value("employee");
  const auto service = args.value("service");
  const auto location = args.value("location");
  const int scopes =
      (employee ? 1 : 0) + (service ? 1 : 0) + (location ? 1 : 0) + (args.flag("all") ? 1 : 0);
  if (scopes != 1)
    throw UsageError(
        "feed create needs exactly one of --employee ID, --service ID, --location ID, --all");
  const std::string base = publicBase(args);  // config errors before anything is written

  auto store = openStore(resolveDbPath(args.value("db")));
  engine::Feed feed;
  if (employee) {
    const auto e = store->employeeByExternalId(*employee);
    if (!e) throw UsageError("no employee with id '" + *employee + "'");
    feed.scope = engine::FeedScope::Employee;
    feed.recordId = e->id;
  } else if (service) {
    const auto s = store->serviceByExternalId(*service);
    if (!s) throw UsageError("no service with id '" + *service + "'");
    feed.scope = engine::FeedScope::Service;
    feed.recordId = s->id;
  } else if (location) {
    const auto l = store->locationByExternalId(*location);
    if (!l) throw UsageError("no location with id '" + *location + "'");
    feed.scope = engine::FeedScope::Location;
    feed.recordId = l->id;
  } else {
    feed.scope = engine::FeedScope::All;
  }
  feed.label = args.value("label").value_or("");
  feed.includePending = args.flag("include-pending");
  feed.includeCanceled = !args.flag("no-canceled");

  const std::string token = engine::generateFeedToken();
  feed.tokenHash = engine::hashFeedToken(token);
  feed.id = store->addFeed(feed);

  const std::string url = base + "/feeds/" + token + ".ics";
  const std::string scheme = url.substr(0, url.find(':'));
  io.out << "feed " << feed.id << " created: " << ScopeNames(*store).describe(feed);
  if (!feed.label.empty()) io.out << ", label \"" << feed.label << "\"";
  io.out << "\n"
         << "  " << std::left << std::setw(11) << (scheme + ":") << url << "\n"
         << "  " << std::setw(11) << "webcal:" << webcalOf(url) << "\n"
         << "  " << std::setw(11) << "free/busy:" << url << "?format=freebusy\n"
         << "The token is shown only now. 'creneau feed revoke " << feed.id
         << "' disables these URLs.\n";
  return kExitOk;
}

int list(const Args& args, CliStreams io) {
  if (args.positionals().size() > 1)
    throw UsageError("unexpected argument '" + args.positionals()[1] + "'");
  auto store = openStore(resolveDbPath(args.value("db")));
  const auto feeds = store->feeds();
  if (feeds.empty()) {
    io.out << "no feeds yet: make one with 'creneau feed create --all'\n";
    return kExitOk;
  }
  const ScopeNames names(*store);
  io.out << std::left << std::setw(6) << "ID" << std::setw(44) << "SCOPE" << std::setw(24)
         << "LABEL" << std::setw(22) << "CREATED"
         << "REVOKED\n";
  for (const auto& f : feeds) {
    std::string scope = names.describe(f);
    if (f.includePending) scope += " +pending";
    if (!f.includeCanceled) scope += " -canceled";
    io.out << std::setw(6) << f.id << std::setw(44) << scope << std::setw(24)
           << (f.label.empty() ? "-" : f.label) << std::setw(22) << formatTime(f.createdAt)
           << (f.revokedAt ? formatTime(*f.revokedAt) : "-") << "\n";
  }
  return kExitOk;
}

int revoke(const Args& args, CliStreams io) {
  const auto& pos = args.positionals();
  if (pos.size() != 2) throw UsageError("feed revoke needs one feed ID (see 'creneau feed list')");
  engine::Id id = 0;
  const auto& text = pos[1];
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || p != text.data() + text.size() || id <= 0)
    throw UsageError("'" + text + "' is not a feed ID (see 'creneau feed list')");
  auto store = openStore(resolveDbPath(args.value("db")));
  if (!store->revokeFeed(id)) {
    io.err << "creneau feed: no feed " << id << ", or it is revoked already\n";
    return kExitInvalidInput;
  }
  io.out << "feed " << id << " revoked: its URL now answers 404\n";
  return kExitOk;
}

}  // namespace

const char* feedUsage() {
  return kFeedUsage;
}

int feedCommand(const std::vector<std::string>& argv, CliStreams io) {
  const Args args(argv, {"db", "employee", "service", "location", "label", "public-url", "config"},
                  {"all", "include-pending", "no-canceled", "help"});
  const auto& pos = args.positionals();
  if (args.flag("help") || pos.empty()) {
    (args.flag("help") ? io.out : io.err) << kFeedUsage;
    return args.flag("help") ? kExitOk : kExitUsage;
  }
  const std::string& sub = pos[0];
  if (sub == "create") return create(args, io);
  if (sub == "list") return list(args, io);
  if (sub == "revoke") return revoke(args, io);
  throw UsageError("unknown feed command '" + sub + "' (create, list, revoke)");
}

}  // namespace creneau::bridge
