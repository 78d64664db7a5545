// `creneau settings` for the export options and the providers' OAuth clients
// (issue 4), run in-process on a real SQLite file.

#include <Poco/Base64Encoder.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "TestSupport.h"
#include "bridge/cli/Commands.h"
#include "bridge/cli/OpenStore.h"
#include "engine/connections/ProviderClients.h"
#include "engine/secrets/StoreKey.h"

namespace creneau::bridge {
namespace {

namespace fs = std::filesystem;
using engine::connections::loadProviderClient;
using engine::connections::Provider;
using engine::connections::ProviderClientError;

struct CliRun {
  int code;
  std::string out;
  std::string err;
};

constexpr const char* kGoogleId = "123456789012-abcdefghijklmnop.apps.googleusercontent.com";
constexpr const char* kMsId = "3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d";
constexpr const char* kSecret = "GOCSPX-very-secret-value-42";

std::string base64Key(char fill) {
  std::ostringstream out;
  Poco::Base64Encoder enc(out);
  enc << std::string(32, fill);
  enc.close();
  return out.str();
}

class SettingsExportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::unsetenv("CRENEAU_SECRET_KEY");
    dir_ = test::scratchDir(std::string("settings-export-") +
                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    db_ = (dir_ / "creneau.db").string();
  }
  void TearDown() override { ::unsetenv("CRENEAU_SECRET_KEY"); }

  CliRun cli(std::vector<std::string> args) const {
    args.push_back("--db");
    args.push_back(db_);
    std::ostringstream out, err;
    const int code = runCli(args, {out, err});
    return {code, out.str(), err.str()};
  }
  CliRun set(const std::string& key, const std::string& value) const {
    return cli({"settings", "set", key, value});
  }
  std::string get(const std::string& key) const {
    auto r = cli({"settings", "get", key});
    EXPECT_EQ(r.code, 0) << r.err;
    return r.out;
  }
  // A refused `set` changes nothing and says why.
  void expectRefused(const std::string& key, const std::string& value,
                     const std::string& because) const {
    const std::string before = get(key);
    auto r = set(key, value);
    EXPECT_EQ(r.code, kExitInvalidInput) << key << " = '" << value << "' was accepted";
    EXPECT_NE(r.err.find(because), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("nothing saved"), std::string::npos) << r.err;
    EXPECT_EQ(get(key), before) << key;
  }
  void expectSaved(const std::string& key, const std::string& value) const {
    auto r = set(key, value);
    EXPECT_EQ(r.code, 0) << key << " = '" << value << "': " << r.err;
  }
  std::string fileBytes() const {
    std::string all;
    for (const char* suffix : {"", "-wal", "-journal"}) {
      fs::path p = db_ + suffix;
      if (fs::exists(p)) all += test::readFile(p);
    }
    return all;
  }

  fs::path dir_;
  std::string db_;
};

// ---- export options ---------------------------------------------------------

TEST_F(SettingsExportTest, ExportFlags_AcceptTrueFalseAndTheUsualSynonyms) {
  const std::vector<std::pair<std::string, std::string>> cases{
      {"true", "true\n"}, {"false", "false\n"}, {"1", "true\n"},  {"0", "false\n"},
      {"yes", "true\n"},  {"no", "false\n"},    {"on", "true\n"}, {"OFF", "false\n"}};
  for (const char* key :
       {"export.google.add_meet", "export.microsoft.add_teams", "export.insert_pending",
        "export.customers_see_each_other", "busy.remove_busy_slots"}) {
    for (const auto& [given, shown] : cases) {
      expectSaved(key, given);
      EXPECT_EQ(get(key), shown) << key << " " << given;
    }
  }
}

TEST_F(SettingsExportTest, ExportFlag_OtherWord_RefusedAndNothingSaved) {
  expectRefused("export.google.add_meet", "maybe", "is true or false");
  EXPECT_EQ(get("export.google.add_meet"), "false\n");
}

TEST_F(SettingsExportTest, ExportFlag_Cleared_ReturnsToItsDefault) {
  expectSaved("busy.remove_busy_slots", "false");
  EXPECT_EQ(get("busy.remove_busy_slots"), "false\n");
  auto r = set("busy.remove_busy_slots", "");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("cleared"), std::string::npos);
  EXPECT_EQ(get("busy.remove_busy_slots"), "true\n");
}

TEST_F(SettingsExportTest, SendInvitations_WithoutAttendees_Refused) {
  expectSaved("render.add_attendees", "false");
  expectRefused("export.send_invitations", "true", "render.add_attendees");
  EXPECT_EQ(get("export.send_invitations"), "false\n");
  // With attendees it is fine.
  expectSaved("render.add_attendees", "true");
  expectSaved("export.send_invitations", "true");
  EXPECT_EQ(get("export.send_invitations"), "true\n");
}

TEST_F(SettingsExportTest, AttendeesOff_WhileSendingInvitations_Refused) {
  expectSaved("export.send_invitations", "yes");
  expectRefused("render.add_attendees", "false", "export.send_invitations");
  EXPECT_EQ(get("render.add_attendees"), "true\n");
  expectSaved("export.send_invitations", "no");
  expectSaved("render.add_attendees", "false");
}

TEST_F(SettingsExportTest, GetWithoutKey_ListsEveryNewKey) {
  auto r = cli({"settings", "get"});
  ASSERT_EQ(r.code, 0) << r.err;
  for (const char* line :
       {"export.google.add_meet = false", "export.microsoft.add_teams = false",
        "export.insert_pending = false", "export.customers_see_each_other = false",
        "export.send_invitations = false", "busy.remove_busy_slots = true", "google.client_id = \n",
        "google.client_secret = (not set)", "google.redirect_uri = \n", "microsoft.client_id = \n",
        "microsoft.client_secret = (not set)", "microsoft.redirect_uri = \n",
        "microsoft.tenant = common", "template.appointment.title = "}) {
    EXPECT_NE(r.out.find(line), std::string::npos) << line << "\n" << r.out;
  }
}

TEST_F(SettingsExportTest, UnknownKey_ListsTheKnownOnes) {
  auto r = set("google.client_ident", "x");
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_NE(r.err.find("unknown setting 'google.client_ident'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("google.client_id"), std::string::npos);
  EXPECT_NE(r.err.find("microsoft.tenant"), std::string::npos);
  EXPECT_NE(r.err.find("export.send_invitations"), std::string::npos);
  EXPECT_NE(r.err.find("render.add_attendees"), std::string::npos);
}

// ---- OAuth clients ----------------------------------------------------------

TEST_F(SettingsExportTest, GoogleClientId_MustLookLikeOne) {
  expectRefused("google.client_id", "my-app", "apps.googleusercontent.com");
  expectRefused("google.client_id", "1234 5.apps.googleusercontent.com", "spaces");
  expectRefused("google.client_id", ".apps.googleusercontent.com", "apps.googleusercontent.com");
  expectSaved("google.client_id", kGoogleId);
  EXPECT_EQ(get("google.client_id"), std::string(kGoogleId) + "\n");
}

TEST_F(SettingsExportTest, MicrosoftClientId_MustBeAGuid) {
  expectRefused("microsoft.client_id", "my-app", "GUID");
  expectRefused("microsoft.client_id", "3f2b1c4d5e6f4a7b8c9d0e1f2a3b4c5d", "GUID");
  expectRefused("microsoft.client_id", kGoogleId, "GUID");
  expectSaved("microsoft.client_id", kMsId);
  EXPECT_EQ(get("microsoft.client_id"), std::string(kMsId) + "\n");
}

TEST_F(SettingsExportTest, RedirectUri_HttpsEndingWithOurCallbackPath) {
  expectRefused("google.redirect_uri", "/oauth/google/callback", "absolute");
  expectRefused("google.redirect_uri", "ftp://booking.example.com/oauth/google/callback", "https");
  expectRefused("google.redirect_uri", "http://booking.example.com/oauth/google/callback",
                "http is allowed only for 127.0.0.1 and localhost");
  expectRefused("google.redirect_uri", "https://booking.example.com/callback",
                "must end with /oauth/google/callback");
  expectRefused("google.redirect_uri", "https://booking.example.com/oauth/microsoft/callback",
                "must end with /oauth/google/callback");
  expectRefused("google.redirect_uri", "https://booking.example.com/oauth/google/callback#x",
                "fragment");
  expectRefused("microsoft.redirect_uri", "https://booking.example.com/oauth/google/callback",
                "must end with /oauth/microsoft/callback");

  expectSaved("google.redirect_uri", "https://booking.example.com/creneau/oauth/google/callback");
  expectSaved("google.redirect_uri", "http://127.0.0.1:8080/oauth/google/callback");
  expectSaved("microsoft.redirect_uri", "http://localhost:8080/oauth/microsoft/callback");
  EXPECT_EQ(get("microsoft.redirect_uri"), "http://localhost:8080/oauth/microsoft/callback\n");
}

TEST_F(SettingsExportTest, Tenant_DefaultCommon_AcceptsGuidDomainAndTheThreeNames) {
  EXPECT_EQ(get("microsoft.tenant"), "common\n");
  for (const char* t :
       {"organizations", "consumers", "common", kMsId, "contoso.onmicrosoft.com", "contoso.com"}) {
    expectSaved("microsoft.tenant", t);
    EXPECT_EQ(get("microsoft.tenant"), std::string(t) + "\n");
  }
  expectRefused("microsoft.tenant", "contoso", "verified domain");
  expectRefused("microsoft.tenant", "con toso.com", "verified domain");
  ASSERT_EQ(set("microsoft.tenant", "").code, 0);
  EXPECT_EQ(get("microsoft.tenant"), "common\n");
}

TEST_F(SettingsExportTest, ClientSecret_NeverShownNorStoredInPlainText) {
  auto r = set("google.client_secret", kSecret);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.find(kSecret), std::string::npos);
  EXPECT_EQ(get("google.client_secret"), "(set)\n");
  auto all = cli({"settings", "get"});
  EXPECT_EQ(all.out.find(kSecret), std::string::npos);
  EXPECT_NE(all.out.find("google.client_secret = (set)"), std::string::npos);
  EXPECT_EQ(get("microsoft.client_secret"), "(not set)\n");

  EXPECT_EQ(fileBytes().find(kSecret), std::string::npos) << "the secret is in the database file";
  EXPECT_EQ(fileBytes().find("GOCSPX"), std::string::npos);

  // The key file beside the database, private to its owner.
  const fs::path keyFile = db_ + ".key";
  ASSERT_TRUE(fs::exists(keyFile));
  EXPECT_EQ(engine::secrets::keyFileFor(db_), keyFile);
  struct stat st {};
  ASSERT_EQ(::stat(keyFile.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0077, 0u);

  // Cleared.
  ASSERT_EQ(set("google.client_secret", "").code, 0);
  EXPECT_EQ(get("google.client_secret"), "(not set)\n");
}

TEST_F(SettingsExportTest, ClientSecret_FromStandardInputWithDash) {
  std::istringstream input(std::string(kSecret) + "\n");
  auto* old = std::cin.rdbuf(input.rdbuf());
  auto r = set("microsoft.client_secret", "-");
  std::cin.rdbuf(old);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(get("microsoft.client_secret"), "(set)\n");
  ASSERT_EQ(set("microsoft.client_id", kMsId).code, 0);
  ASSERT_EQ(set("microsoft.redirect_uri", "https://b.example/oauth/microsoft/callback").code, 0);
  auto store = openStore(db_);
  auto box = engine::secrets::secretBoxFor(db_);
  ASSERT_TRUE(box) << box.error().message;
  auto client = loadProviderClient(*store, *box, Provider::Microsoft);
  ASSERT_TRUE(client) << client.error().message;
  EXPECT_EQ(client->clientSecret, kSecret);
}

TEST_F(SettingsExportTest, LoadProviderClient_ReturnsWhatWasSet) {
  ASSERT_EQ(set("google.client_id", kGoogleId).code, 0);
  ASSERT_EQ(set("google.client_secret", kSecret).code, 0);
  ASSERT_EQ(set("google.redirect_uri", "https://b.example/oauth/google/callback").code, 0);
  auto store = openStore(db_);
  auto box = engine::secrets::secretBoxFor(db_);
  ASSERT_TRUE(box);
  auto c = loadProviderClient(*store, *box, Provider::Google);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->clientId, kGoogleId);
  EXPECT_EQ(c->clientSecret, kSecret);
  EXPECT_EQ(c->redirectUri, "https://b.example/oauth/google/callback");

  ASSERT_EQ(set("microsoft.client_id", kMsId).code, 0);
  ASSERT_EQ(set("microsoft.client_secret", "ms~secret").code, 0);
  ASSERT_EQ(set("microsoft.redirect_uri", "https://b.example/oauth/microsoft/callback").code, 0);
  auto store2 = openStore(db_);
  auto m = loadProviderClient(*store2, *box, Provider::Microsoft);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->tenant, "common");
  EXPECT_EQ(m->clientSecret, "ms~secret");
}

TEST_F(SettingsExportTest, LoadProviderClient_SaysWhatIsMissing) {
  auto box = engine::secrets::secretBoxFor(db_);
  ASSERT_TRUE(box);
  {
    auto store = openStore(db_, OpenMode::CreateIfMissing);
    auto c = loadProviderClient(*store, *box, Provider::Google);
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().kind, ProviderClientError::Kind::NotConfigured);
    EXPECT_NE(c.error().message.find(
                  "google.client_id is not set: creneau settings set google.client_id"),
              std::string::npos)
        << c.error().message;
  }
  ASSERT_EQ(set("google.client_id", kGoogleId).code, 0);
  ASSERT_EQ(set("google.redirect_uri", "https://b.example/oauth/google/callback").code, 0);
  auto store = openStore(db_);
  auto c = loadProviderClient(*store, *box, Provider::Google);
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("google.client_secret is not set"), std::string::npos)
      << c.error().message;
}

TEST_F(SettingsExportTest, WrongSecretKey_ReadingTheSecretBackFailsClearly) {
  ::setenv("CRENEAU_SECRET_KEY", base64Key('A').c_str(), 1);
  ASSERT_EQ(set("google.client_id", kGoogleId).code, 0);
  ASSERT_EQ(set("google.redirect_uri", "https://b.example/oauth/google/callback").code, 0);
  auto r = set("google.client_secret", kSecret);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_FALSE(fs::exists(db_ + ".key")) << "the environment's key is used, no file";

  ::setenv("CRENEAU_SECRET_KEY", base64Key('B').c_str(), 1);
  auto box = engine::secrets::secretBoxFor(db_);
  ASSERT_TRUE(box);
  auto store = openStore(db_);
  auto c = loadProviderClient(*store, *box, Provider::Google);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().kind, ProviderClientError::Kind::SecretUnreadable);
  EXPECT_NE(c.error().message.find("google.client_secret cannot be opened"), std::string::npos)
      << c.error().message;
  EXPECT_NE(c.error().message.find("creneau settings set google.client_secret"), std::string::npos);
  EXPECT_EQ(c.error().message.find(kSecret), std::string::npos);
}

TEST_F(SettingsExportTest, UnusableKeyFile_SecretRefusedAndNothingSaved) {
  // A key file others may read is refused by SecretBox: say so, save nothing.
  const fs::path keyFile = db_ + ".key";
  { std::ofstream(keyFile) << base64Key('C') << "\n"; }
  fs::permissions(keyFile, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                               fs::perms::others_read);
  expectRefused("google.client_secret", kSecret, "secret key");
  EXPECT_EQ(get("google.client_secret"), "(not set)\n");
}

}  // namespace
}  // namespace creneau::bridge
