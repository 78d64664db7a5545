// The export worker against the Google and Graph emulators: one remote event
// per appointment and destination whatever happens (lost answers, retries,
// reschedules, moves, cancellations), batching, backoff, token refresh, and
// every request checked against the API contracts by the emulator.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "engine/connections/ProviderEndpoints.h"
#include "engine/import/JsonImporter.h"
#include "engine/net/HttpClient.h"
#include "engine/store/SqliteStore.h"
#include "engine/sync/SyncStore.h"
#include "engine/sync/SyncWorker.h"
#include "tests/common/EmulatorProcess.h"
#include "tests/common/SyncTestSupport.h"
#include "tests/common/TestSupport.h"

namespace creneau::engine::sync {
namespace {

using connections::Connection;
using connections::Provider;
using Poco::JSON::Object;

Object::Ptr json(const std::string& text) {
  return Poco::JSON::Parser().parse(text).extract<Object::Ptr>();
}

// Events (not cancelled) of a Google user's primary calendar, from the emulator's state.
std::vector<Object::Ptr> googleEvents(const test::EmulatorProcess& emu, const std::string& user,
                                      bool includeCancelled = false) {
  auto state = json(emu.get("/_emulator/state").body);
  std::vector<Object::Ptr> out;
  auto cals = state->getObject("calendars");
  if (!cals || !cals->has(user)) return out;
  auto events = cals->getObject(user)->getArray("events");
  for (std::size_t i = 0; events && i < events->size(); ++i) {
    auto e = events->getObject(static_cast<unsigned>(i));
    if (includeCancelled || e->optValue<std::string>("status", "") != "cancelled") out.push_back(e);
  }
  return out;
}

std::vector<Object::Ptr> graphEvents(const test::EmulatorProcess& emu, const std::string& user) {
  auto state = json(emu.get("/_emulator/state").body);
  std::vector<Object::Ptr> out;
  auto users = state->getObject("users");
  if (!users || !users->has(user)) return out;
  auto cals = users->getObject(user)->getObject("calendars");
  for (const auto& [id, cal] : *cals) {
    auto events = cal.extract<Object::Ptr>()->getArray("events");
    for (std::size_t i = 0; events && i < events->size(); ++i)
      out.push_back(events->getObject(static_cast<unsigned>(i)));
  }
  return out;
}

int requestCount(const test::EmulatorProcess& emu, const std::string& pathPart,
                 bool inBatchToo = false) {
  auto root = json(emu.get("/_emulator/requests").body);
  auto list = root->getArray("requests");
  int n = 0;
  for (std::size_t i = 0; i < list->size(); ++i) {
    auto r = list->getObject(static_cast<unsigned>(i));
    if (!inBatchToo && !r->get("inBatch").isEmpty() && !r->get("inBatch").isEmpty()) {
      if (r->get("inBatch").toString() != "" && r->get("inBatch").toString() != "null") continue;
    }
    if (r->getValue<std::string>("path").find(pathPart) != std::string::npos) ++n;
  }
  return n;
}

class SyncWorkerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::scratchDir(::testing::UnitTest::GetInstance()->current_test_info()->name());
    store_ = std::make_unique<SqliteStore>((dir_ / "creneau.db").string());
    sync_ = std::make_unique<SyncStore>(*store_);
    http_ = net::makeHttpClient({});
  }

  void import(const std::string& text) {
    JsonImporter importer;
    store_->apply(importer.parse(text, *store_));
  }

  Id employee(const std::string& ext) { return store_->employeeByExternalId(ext)->id; }

  Connection& connect(Provider p, const test::EmulatorProcess& emu, const std::string& employeeExt,
                      const std::string& email) {
    Connection c;
    c.id = static_cast<Id>(connections_.size() + 1);
    c.provider = p;
    if (!employeeExt.empty()) c.employeeId = employee(employeeExt);
    c.account = email;
    tokens_.add(c.id, {emu.baseUrl(), p == Provider::Google, email});
    if (p == Provider::Google)
      endpoints_.googleApiUrl = emu.baseUrl();
    else
      endpoints_.graphUrl = emu.baseUrl();
    connections_.push_back(c);
    return connections_.back();
  }

  SyncWorker worker(WorkerOptions o = {}) {
    o.baseBackoffSec = o.baseBackoffSec == 10 ? 0 : o.baseBackoffSec;
    return SyncWorker(
        *store_, *sync_, *http_, tokens_, [this] { return connections_; }, endpoints_, o);
  }

  std::filesystem::path dir_;
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<SyncStore> sync_;
  std::unique_ptr<net::HttpClient> http_;
  test::EmulatorTokens tokens_;
  std::vector<Connection> connections_;
  connections::ProviderEndpoints endpoints_;
};

TEST_F(SyncWorkerTest, Outbox_IsWrittenByTheImportItself) {
  import(test::appointmentsImport(3));
  auto pending = sync_->pending();
  ASSERT_EQ(pending.size(), 3u);
  // Re-importing the same file changes nothing, so queues nothing new.
  for (auto& p : pending) sync_->complete(p);
  import(test::appointmentsImport(3));
  EXPECT_TRUE(sync_->pending().empty());
  // A reschedule queues exactly that appointment.
  import(test::appointmentsImport(3, 1, "approved", 0)
             .replace(test::appointmentsImport(3).find("T10:00:00Z"), 10, "T10:15:00Z"));
  EXPECT_EQ(sync_->pending().size(), 1u);
}

TEST_F(SyncWorkerTest, Google_ApprovedAppointments_EachBecomesOneEvent_WithoutViolations) {
  test::EmulatorProcess google("google_emulator.py");
  import(test::appointmentsImport(30));
  connect(Provider::Google, google, "e1", "e1@example.com");
  auto w = worker();
  auto stats = w.drain();
  EXPECT_EQ(stats.created, 30);
  EXPECT_EQ(stats.completed, 30);
  EXPECT_EQ(googleEvents(google, "e1@example.com").size(), 30u);
  EXPECT_EQ(sync_->copyCount(), 30);
  EXPECT_TRUE(sync_->pending().empty());
  EXPECT_EQ(google.violationCount(), 0) << google.violations().body;
  // 30 inserts in batches of 50: one batch request.
  EXPECT_EQ(requestCount(google, "/batch/calendar/v3"), 1);
}

TEST_F(SyncWorkerTest, Google_Reschedule_PatchesOnce_AndAnUnchangedReimportSendsNothing) {
  test::EmulatorProcess google("google_emulator.py");
  import(test::appointmentsImport(2));
  connect(Provider::Google, google, "e1", "e1@example.com");
  auto w = worker();
  w.drain();
  const int before = requestCount(google, "/events", true);
  import(test::appointmentsImport(2, 1, "approved", 15));  // both moved by 15 minutes
  auto stats = w.drain();
  EXPECT_EQ(stats.updated, 2);
  EXPECT_EQ(requestCount(google, "/events", true) - before, 2);
  auto events = googleEvents(google, "e1@example.com");
  ASSERT_EQ(events.size(), 2u);
  for (auto& e : events)
    EXPECT_NE(e->getObject("start")->getValue<std::string>("dateTime").find(":15:00"),
              std::string::npos);
  // The settings-driven requeue of unchanged records sends no call at all.
  sync_->enqueueAll(0);
  const int mid = requestCount(google, "/events", true);
  stats = w.drain();
  EXPECT_EQ(stats.unchanged, 2);
  EXPECT_EQ(requestCount(google, "/events", true), mid);
  EXPECT_EQ(google.violationCount(), 0) << google.violations().body;
}

TEST_F(SyncWorkerTest, Google_CancelledAndRejected_AreDeleted_AndPendingFollowsTheSetting) {
  test::EmulatorProcess google("google_emulator.py");
  import(test::appointmentsImport(3));
  connect(Provider::Google, google, "e1", "e1@example.com");
  auto w = worker();
  w.drain();
  import(test::appointmentsImport(3, 1, "canceled"));
  EXPECT_EQ(w.drain().deleted, 3);
  EXPECT_TRUE(googleEvents(google, "e1@example.com").empty());
  EXPECT_EQ(sync_->copyCount(), 0);

  import(test::appointmentsImport(3, 1, "pending"));
  EXPECT_EQ(w.drain().created, 0);  // pending stays off the calendar by default
  store_->setSetting("export.insert_pending", "true");
  sync_->enqueueAll(0);
  EXPECT_EQ(w.drain().created, 3);
  for (auto& e : googleEvents(google, "e1@example.com"))
    EXPECT_EQ(e->getValue<std::string>("status"), "tentative");
  EXPECT_EQ(google.violationCount(), 0) << google.violations().body;
}

TEST_F(SyncWorkerTest, RemovedFromTheBookingSystem_IsDeletedEverywhere) {
  test::EmulatorProcess google("google_emulator.py");
  test::EmulatorProcess graph("graph_emulator.py");
  import(test::appointmentsImport(2));
  connect(Provider::Google, google, "e1", "e1@example.com");
  connect(Provider::Microsoft, graph, "", "admin@example.onmicrosoft.com");
  auto w = worker();
  EXPECT_EQ(w.drain().created, 4);
  import(R"({"version": 1, "appointments": [{"id": "a0", "deleted": true}]})");
  EXPECT_EQ(w.drain().deleted, 2);
  EXPECT_EQ(googleEvents(google, "e1@example.com").size(), 1u);
  EXPECT_EQ(graphEvents(graph, "admin@example.onmicrosoft.com").size(), 1u);
  EXPECT_EQ(sync_->copyCount(), 2);
}

TEST_F(SyncWorkerTest, Google_LostInsertAnswers_NeverDuplicate) {
  test::EmulatorProcess google("google_emulator.py");
  import(test::appointmentsImport(10));
  connect(Provider::Google, google, "e1", "e1@example.com");
  // Every insert is carried out, and its answer lost.
  google.faults(R"([{"method": "POST", "path": "/events$", "action": "drop-after", "count": 10}])");
  WorkerOptions o;
  o.batching = false;
  o.baseBackoffSec = 60;
  auto w = worker(o);
  auto first = w.drain();
  EXPECT_EQ(first.retried, 10);
  EXPECT_EQ(googleEvents(google, "e1@example.com").size(), 10u);
  sync_->retry();  // due now instead of after the backoff
  auto second = w.drain();
  EXPECT_EQ(second.completed, 10) << second.records << " " << second.retried << " "
                                  << (sync_->status().waiting.empty()
                                          ? std::string("-")
                                          : sync_->status().waiting[0].lastError);
  EXPECT_EQ(googleEvents(google, "e1@example.com").size(), 10u);
  EXPECT_EQ(google.violationCount(), 0) << google.violations().body;
}

TEST_F(SyncWorkerTest, Google_429_WaitsAtLeastRetryAfter) {
  test::EmulatorProcess google("google_emulator.py");
  import(test::appointmentsImport(1));
  connect(Provider::Google, google, "e1", "e1@example.com");
  google.faults(R"([{"path": "/events", "action": "429", "retryAfter": 120}])");
  WorkerOptions o;
  o.batching = false;
  auto w = worker(o);
  const auto t0 = sync_->clock();
  auto stats = w.drain();
  EXPECT_EQ(stats.retried, 1);
  auto st = sync_->status();
  ASSERT_EQ(st.waiting.size(), 1u);
  EXPECT_GE(st.waiting[0].dueAt, t0 + 120);
  EXPECT_NE(st.waiting[0].lastError.find("429"), std::string::npos) << st.waiting[0].lastError;
  sync_->retry();
  EXPECT_EQ(w.drain().created, 1);
}

TEST_F(SyncWorkerTest, Google_ExpiredToken_IsRefreshedOnceAndTheCallRepeated) {
  test::EmulatorProcess google("google_emulator.py");
  import(test::appointmentsImport(2));
  connect(Provider::Google, google, "e1", "e1@example.com");
  auto w = worker();
  tokens_.accessToken(1, false);
  google.post("/_emulator/expire-tokens", "{}");
  auto stats = w.drain();
  EXPECT_EQ(stats.created, 2);
  EXPECT_EQ(tokens_.signIns, 2);
}

TEST_F(SyncWorkerTest, Google_PermanentError_KeepsTheProviderMessage_UntilRetry) {
  test::EmulatorProcess google("google_emulator.py");
  import(test::appointmentsImport(1));
  Connection& c = connect(Provider::Google, google, "e1", "e1@example.com");
  c.calendarId = "someone-else@example.com";  // not this user's: 404 notFound
  auto w = worker();
  auto stats = w.drain();
  EXPECT_EQ(stats.failed, 1);
  auto st = sync_->status();
  ASSERT_EQ(st.failures.size(), 1u);
  EXPECT_NE(st.failures[0].lastError.find("404"), std::string::npos) << st.failures[0].lastError;
  EXPECT_EQ(w.drain().records, 0);  // failed items wait
  connections_[0].calendarId = "";
  EXPECT_EQ(sync_->retry(), 1);
  EXPECT_EQ(w.drain().created, 1);
}

TEST_F(SyncWorkerTest, Google_MeetLink_IsStoredOnTheAppointment_AndKeptOnReschedule) {
  test::EmulatorProcess google("google_emulator.py");
  store_->setSetting("export.google.add_meet", "true");
  import(test::appointmentsImport(1));
  connect(Provider::Google, google, "e1", "e1@example.com");
  auto w = worker();
  w.drain();
  auto a = store_->appointmentByExternalId("a0");
  ASSERT_TRUE(a);
  EXPECT_NE(a->conferenceUrl.find("meet.google.com"), std::string::npos) << a->conferenceUrl;
  const std::string link = a->conferenceUrl;
  import(test::appointmentsImport(1, 1, "approved", 30));
  w.drain();
  EXPECT_EQ(store_->appointmentByExternalId("a0")->conferenceUrl, link);
  auto events = googleEvents(google, "e1@example.com");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]->getValue<std::string>("hangoutLink"), link);
  EXPECT_EQ(google.violationCount(), 0) << google.violations().body;
}

TEST_F(SyncWorkerTest, MovedToAnotherEmployee_LeavesTheOldCalendar_ForTheNewOne) {
  test::EmulatorProcess google("google_emulator.py");
  import(test::appointmentsImport(2, 2));  // a0 -> e1, a1 -> e2
  connect(Provider::Google, google, "e1", "e1@example.com");
  connect(Provider::Google, google, "e2", "e2@example.com");
  auto w = worker();
  w.drain();
  EXPECT_EQ(googleEvents(google, "e1@example.com").size(), 1u);
  std::string moved = test::appointmentsImport(2, 2);
  const auto pos = moved.find(R"("employee": "e1")");
  moved.replace(pos, 16, R"("employee": "e2")");
  import(moved);
  w.drain();
  EXPECT_EQ(googleEvents(google, "e1@example.com").size(), 0u);
  EXPECT_EQ(googleEvents(google, "e2@example.com").size(), 2u);
}

TEST_F(SyncWorkerTest, Graph_CreatesUpdatesDeletes_WithTeamsLinks_InBatchesOf20) {
  test::EmulatorProcess graph("graph_emulator.py");
  store_->setSetting("export.microsoft.add_teams", "true");
  import(test::appointmentsImport(25));
  connect(Provider::Microsoft, graph, "e1", "e1@example.onmicrosoft.com");
  auto w = worker();
  auto stats = w.drain();
  EXPECT_EQ(stats.created, 25);
  EXPECT_EQ(requestCount(graph, "/$batch"), 2);  // 20 + 5
  auto events = graphEvents(graph, "e1@example.onmicrosoft.com");
  ASSERT_EQ(events.size(), 25u);
  EXPECT_NE(store_->appointmentByExternalId("a3")->conferenceUrl.find("teams.microsoft.com"),
            std::string::npos);
  import(test::appointmentsImport(25, 1, "approved", 15));
  EXPECT_EQ(w.drain().updated, 25);
  import(test::appointmentsImport(25, 1, "rejected"));
  EXPECT_EQ(w.drain().deleted, 25);
  EXPECT_TRUE(graphEvents(graph, "e1@example.onmicrosoft.com").empty());
  EXPECT_EQ(graph.violationCount(), 0) << graph.violations().body;
}

TEST_F(SyncWorkerTest, Graph_LostCreateAnswers_AreFoundByTheirPropertyAndNeverDuplicated) {
  test::EmulatorProcess graph("graph_emulator.py");
  import(test::appointmentsImport(5));
  connect(Provider::Microsoft, graph, "e1", "e1@example.onmicrosoft.com");
  graph.faults(R"([{"method": "POST", "path": "/events$", "action": "drop-after", "count": 5}])");
  WorkerOptions o;
  o.batching = false;
  o.baseBackoffSec = 60;
  auto w = worker(o);
  EXPECT_EQ(w.drain().retried, 5);
  EXPECT_EQ(graphEvents(graph, "e1@example.onmicrosoft.com").size(), 5u);
  sync_->retry();
  auto stats = w.drain();
  EXPECT_EQ(stats.completed, 5);
  EXPECT_EQ(graphEvents(graph, "e1@example.onmicrosoft.com").size(), 5u);
  // They were found by lookup, not created again.
  EXPECT_EQ(requestCount(graph, "/events", false) - 5 /*dropped*/ - 5 /*lookups*/ - 5 /*patches*/,
            0);
  EXPECT_EQ(graph.violationCount(), 0) << graph.violations().body;
}

TEST_F(SyncWorkerTest, AdminWideConnection_GetsEveryEmployeesAppointments) {
  test::EmulatorProcess google("google_emulator.py");
  import(test::appointmentsImport(4, 2));
  connect(Provider::Google, google, "e1", "e1@example.com");
  connect(Provider::Google, google, "", "admin@example.com");
  auto w = worker();
  EXPECT_EQ(w.drain().created, 6);
  EXPECT_EQ(googleEvents(google, "admin@example.com").size(), 4u);
  EXPECT_EQ(googleEvents(google, "e1@example.com").size(), 2u);
}

TEST_F(SyncWorkerTest, TemplateChange_RequeuesEveryRecord_AndPatchesEachOnce) {
  test::EmulatorProcess google("google_emulator.py");
  import(test::appointmentsImport(3));
  connect(Provider::Google, google, "e1", "e1@example.com");
  auto w = worker();
  EXPECT_EQ(w.drain().created, 3);
  store_->setSetting("template.appointment.title", "Booked: %service_name%");
  auto stats = w.drain();
  EXPECT_EQ(stats.updated, 3);
  for (auto& e : googleEvents(google, "e1@example.com"))
    EXPECT_EQ(e->getValue<std::string>("summary"), "Booked: Consultation");
  EXPECT_EQ(w.drain().records, 0);  // nothing left, nothing sent twice
}

TEST_F(SyncWorkerTest, NewConnection_GetsTheExistingAppointments_AndAGoneOneIsForgotten) {
  test::EmulatorProcess google("google_emulator.py");
  import(test::appointmentsImport(3));
  endpoints_.googleApiUrl = google.baseUrl();
  auto w = worker();
  w.drain();  // nobody connected: nothing to do, the queue empties
  EXPECT_TRUE(sync_->pending().empty());
  connect(Provider::Google, google, "e1", "e1@example.com");
  EXPECT_EQ(w.drain().created, 3);
  connections_.clear();  // disconnected
  w.drain();
  EXPECT_EQ(sync_->copyCount(), 0);
  EXPECT_EQ(googleEvents(google, "e1@example.com").size(), 3u);  // left in that calendar
}

TEST_F(SyncWorkerTest,
       GroupEvent_OneRemoteEventPerPeriod_MeetKeptForLaterAttendees_CancelRemovesAll) {
  test::EmulatorProcess google("google_emulator.py");
  store_->setSetting("export.google.add_meet", "true");
  std::string demo = test::readFixture("demo/demo.json");
  import(demo);
  connect(Provider::Google, google, "emp-lea", "lea@example.com");  // staff of the workshop
  auto w = worker();
  w.drain();
  auto workshop = [&] {
    std::vector<Object::Ptr> out;
    for (auto& e : googleEvents(google, "lea@example.com"))
      if (e->getValue<std::string>("summary").find("Atelier") != std::string::npos)
        out.push_back(e);
    return out;
  };
  auto periods = workshop();
  ASSERT_EQ(periods.size(), 3u);
  std::set<std::string> links;
  for (auto& e : periods) links.insert(e->getValue<std::string>("hangoutLink"));
  EXPECT_EQ(links.size(), 3u);  // one Meet per period
  // A later customer joins: every period is patched once, each keeps its Meet.
  auto doc = json(demo);
  Object::Ptr event;
  auto events = doc->getArray("events");
  for (std::size_t i = 0; i < events->size(); ++i)
    if (events->getObject(static_cast<unsigned>(i))->getValue<std::string>("id") == "evt-workshop")
      event = events->getObject(static_cast<unsigned>(i));
  ASSERT_TRUE(event);
  Object::Ptr booking = new Object;
  booking->set("id", "8999");
  booking->set("customer", "cus-chloe");
  booking->set("persons", 1);
  booking->set("status", "approved");
  event->getArray("bookings")->add(booking);
  auto text = [&] {
    std::ostringstream out;
    doc->stringify(out);
    return out.str();
  };
  import(text());
  auto stats = w.drain();
  EXPECT_EQ(stats.updated, 3);
  std::set<std::string> after;
  for (auto& e : workshop()) after.insert(e->getValue<std::string>("hangoutLink"));
  EXPECT_EQ(after, links);
  // Cancelled: gone from the calendar.
  event->set("status", "canceled");
  import(text());
  w.drain();
  EXPECT_TRUE(workshop().empty());
  EXPECT_EQ(google.violationCount(), 0) << google.violations().body;
}

TEST_F(SyncWorkerTest, DryRun_ListsThePlan_AndSendsNothing) {
  test::EmulatorProcess google("google_emulator.py");
  import(test::appointmentsImport(3));
  connect(Provider::Google, google, "e1", "e1@example.com");
  auto w = worker();
  auto plan = w.plan();
  ASSERT_EQ(plan.size(), 3u);
  for (auto& l : plan) EXPECT_EQ(l.action, PlannedAction::Create);
  EXPECT_EQ(requestCount(google, "/calendar"), 0);
  EXPECT_EQ(sync_->pending().size(), 3u);
}

}  // namespace
}  // namespace creneau::engine::sync
