#include "bridge/server/ServeCommand.h"

#include <pthread.h>

#include <malloc.h>
#include <csignal>

#include <cstdlib>
#include <map>
#include <ostream>

#include "bridge/api/SlotsHandler.h"
#include "bridge/auth/BasicAuth.h"
#include "bridge/caldav/DavHandlers.h"
#include "bridge/cli/Args.h"
#include "bridge/cli/OpenStore.h"
#include "bridge/feed/FeedHandler.h"
#include "bridge/oauth/OAuthHandler.h"
#include "bridge/oauth/OAuthSetup.h"
#include "bridge/sync/ExportSetup.h"
#include "bridge/server/HealthHandler.h"
#include "bridge/server/Logging.h"
#include "bridge/server/Router.h"
#include "bridge/server/Server.h"
#include "bridge/server/ServerConfig.h"
#include "engine/feeds/FeedService.h"

namespace creneau::bridge {

namespace {

constexpr const char* kServeUsage = R"(usage: creneau serve [OPTIONS]

Serves CalDAV, ICS feeds and the API over HTTP(S) until SIGTERM or SIGINT.

  --config FILE        settings file (.properties, or .ini)
  --listen HOST:PORT   address to bind (default 127.0.0.1:8080; port 0: any free port)
  --public-url URL     base of the links shown to users (default: the listen address)
  --db PATH            SQLite database (default: $CRENEAU_DB, else ./creneau.db)
  --tls-cert FILE      PEM certificate; with --tls-key the server speaks HTTPS
  --tls-key FILE       PEM private key
  --threads N          worker threads (default 16)
  --queue N            connections waiting for a worker (default 64)
  --max-body SIZE      largest request body, e.g. 10MiB (default); bigger gets 413
  --stop-timeout DUR   how long requests in flight may finish on stop (default 10s)
  --log-level LEVEL    none, error, warning, notice, information (default), debug, trace

Feeds (/feeds/<token>.ics, made with 'creneau feed create') and logins, in the
config file: feeds.days_back (30), feeds.days_ahead (365), feeds.refresh (1h),
feeds.cache_size (64MiB), auth.cache_ttl (5m), auth.max_failures (10),
auth.failure_window (5m).

Environment: CRENEAU_LISTEN, CRENEAU_PUBLIC_URL, CRENEAU_DB, CRENEAU_TLS_CERT,
CRENEAU_TLS_KEY, CRENEAU_THREADS, CRENEAU_MAX_BODY, CRENEAU_LOG_LEVEL,
CRENEAU_FEED_DAYS_BACK, CRENEAU_FEED_DAYS_AHEAD.
Precedence: flags > environment > config file > defaults.
)";

// Flag name -> setting key (ServerConfig.h).
const std::map<std::string, std::string>& flagKeys() {
  static const std::map<std::string, std::string> kFlags = {
      {"listen", "server.listen"},
      {"public-url", "server.public_url"},
      {"db", "store.db"},
      {"tls-cert", "tls.cert"},
      {"tls-key", "tls.key"},
      {"threads", "server.threads"},
      {"queue", "server.queue"},
      {"max-body", "server.max_body"},
      {"stop-timeout", "server.stop_timeout"},
      {"log-level", "log.level"},
  };
  return kFlags;
}

// Blocks SIGTERM and SIGINT in this thread for its lifetime. Threads started
// meanwhile (the server's workers) inherit the mask, so the signals reach
// only sigwait() here.
class BlockedSignals {
 public:
  BlockedSignals() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGTERM);
    sigaddset(&set_, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set_, &previous_);
  }
  ~BlockedSignals() { pthread_sigmask(SIG_SETMASK, &previous_, nullptr); }
  BlockedSignals(const BlockedSignals&) = delete;
  BlockedSignals& operator=(const BlockedSignals&) = delete;

  int wait() const {
    int signal = 0;
    while (sigwait(&set_, &signal) != 0) {
    }
    return signal;
  }

 private:
  sigset_t set_;
  sigset_t previous_;
};

}  // namespace

const char* serveUsage() {
  return kServeUsage;
}

int serveCommand(const std::vector<std::string>& args, CliStreams io) {
  std::set<std::string> valued = {"config"};
  for (auto& [flag, key] : flagKeys()) valued.insert(flag);
  const Args a(args, valued, {"help"});
  if (a.flag("help")) {
    io.out << kServeUsage;
    return kExitOk;
  }
  if (!a.positionals().empty())
    throw UsageError("unexpected argument '" + a.positionals().front() + "'");

  std::map<std::string, std::string> flags;
  for (auto& [flag, key] : flagKeys())
    if (auto v = a.value(flag)) flags[key] = *v;
  ServerConfig config;
  try {
    config = loadServerConfig(a.value("config"), processEnvironment(), flags);
  } catch (const ConfigError& e) {
    throw UsageError(e.what());
  }
  configureLogging(config.logLevel);
  // glibc gives each thread that allocates its own arena (up to 8 per core):
  // with a pool of request threads building multi-megabyte answers, peak RSS
  // grows with the thread count. Two arenas serve a 2-core server as fast.
  if (!std::getenv("MALLOC_ARENA_MAX")) mallopt(M_ARENA_MAX, 2);

  const BlockedSignals signals;  // before any thread exists
  auto store = openStore(resolveDbPath(config.db), OpenMode::CreateIfMissing);

  engine::FeedServiceOptions feedOptions;
  feedOptions.daysBack = config.feedDaysBack;
  feedOptions.daysAhead = config.feedDaysAhead;
  const auto refresh = std::chrono::duration_cast<std::chrono::seconds>(config.feedRefresh);
  feedOptions.refreshIntervalSec =
      refresh.count() > 0 ? std::optional<long long>(refresh.count()) : std::nullopt;
  feedOptions.cacheBytes = config.feedCacheBytes;
  engine::FeedService feeds(*store, feedOptions);

  Router router;
  router.get("/healthz", makeHealthHandler(*store));
  router.get("/feeds/{token}.ics", makeFeedHandler(feeds));
  BasicAuthOptions authOptions;
  authOptions.cacheTtl = config.authCacheTtl;
  authOptions.maxFailures = config.authMaxFailures;
  authOptions.failureWindow =
      std::chrono::duration_cast<std::chrono::seconds>(config.authFailureWindow);
  BasicAuth auth(*store, authOptions);
  router.add("*", "/.well-known/caldav", makeWellKnownHandler());
  router.add("*", "/dav/*", makeDavHandler(*store, auth));
  // CRENEAU_NOW (tests only) fixes "now" for slots; unset: the system clock.
  const SlotClock slotClock = makeSlotClock(processEnvironment()(kFixedNowVariable));
  router.get("/api/v1/slots", makeSlotsHandler(*store, auth, slotClock));
  // One connection service for the OAuth routes, the export worker and the
  // busy-time refresh: one token cache and one refresh per account.
  auto connectionSetup = makeConnectionService(*store, resolveDbPath(config.db));
  addOAuthRoutes(router, *store, auth, connectionSetup.service,
                 connectionSetup.problem);  // /oauth/{provider}/...
  // The export to Google and Outlook (issue 4) runs beside the server.
  auto exportSetup = makeExportSetup(*store, resolveDbPath(config.db),
                                     workerOptionsFromEnvironment(), connectionSetup.service);
  std::unique_ptr<BackgroundExport> exporter;
  if (exportSetup.worker)
    exporter = std::make_unique<BackgroundExport>(*exportSetup.worker, config.syncInterval);
  else
    io.err << "creneau serve: export to Google/Outlook is off: " << exportSetup.problem << "\n";

  const auto busyRefresh =
      startBusyRefresh(*store, resolveDbPath(config.db), connectionSetup.service);  // issue 5
  Server server(config, router);
  try {
    server.start();
  } catch (const ServerError& e) {
    io.err << "creneau serve: " << e.what() << "\n";
    return kExitFailure;
  }
  io.out << "listening on " << server.localUrl() << "\n"
         << "health:       " << server.localUrl() << "/healthz\n"
         << "feeds:        " << server.publicUrl()
         << "/feeds/<token>.ics (create one with 'creneau feed create')\n"
         << "caldav:       " << server.publicUrl()
         << "/dav/ (log in as a user made with 'creneau user add')\n";
  if (server.publicUrl() != server.localUrl())
    io.out << "public URL:   " << server.publicUrl() << "\n";
  io.out.flush();

  const int signal = signals.wait();
  io.err << "creneau serve: " << (signal == SIGINT ? "SIGINT" : "SIGTERM")
         << " received, stopping\n";
  if (exporter) exporter->stop();
  server.stop();
  return kExitOk;
}

}  // namespace creneau::bridge
