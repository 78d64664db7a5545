#include "bridge/server/ServerConfig.h"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/common/TestSupport.h"

namespace creneau::bridge {
namespace {

using namespace std::chrono_literals;

EnvLookup envOf(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

class ServerConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::scratchDir(std::string("server-config-") +
                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
  }
  std::string write(const std::string& name, const std::string& text) {
    const auto path = (dir_ / name).string();
    std::ofstream(path) << text;
    return path;
  }
  std::string errorOf(const std::optional<std::string>& file,
                      std::map<std::string, std::string> env,
                      std::map<std::string, std::string> flags) {
    try {
      (void)loadServerConfig(file, envOf(std::move(env)), flags);
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "";
  }
  std::filesystem::path dir_;
};

TEST_F(ServerConfigTest, Defaults_WithNothingGiven) {
  const ServerConfig c = loadServerConfig(std::nullopt, envOf({}), {});
  EXPECT_EQ(c.host, "127.0.0.1");
  EXPECT_EQ(c.port, 8080);
  EXPECT_EQ(c.threads, 16);
  EXPECT_EQ(c.maxBody, 10u * 1024 * 1024);
  EXPECT_TRUE(c.keepAlive);
  EXPECT_FALSE(c.tls());
  EXPECT_EQ(c.db, "creneau.db");
  EXPECT_EQ(c.logLevel, "information");
  EXPECT_EQ(c.publicUrl, "");
}

TEST_F(ServerConfigTest, Precedence_FlagsOverEnvironmentOverFileOverDefaults) {
  const auto file = write("creneau.properties",
                          "# comment\n"
                          "server.listen = 0.0.0.0:9000\n"
                          "server.threads = 4\n"
                          "server.max_body = 1M\n"
                          "log.level = debug\n");
  ServerConfig c = loadServerConfig(file, envOf({}), {});
  EXPECT_EQ(c.host, "0.0.0.0");
  EXPECT_EQ(c.port, 9000);
  EXPECT_EQ(c.threads, 4);
  EXPECT_EQ(c.maxBody, 1024u * 1024);
  EXPECT_EQ(c.logLevel, "debug");

  c = loadServerConfig(file,
                       envOf({{"CRENEAU_THREADS", "8"}, {"CRENEAU_LISTEN", "127.0.0.1:9001"}}), {});
  EXPECT_EQ(c.threads, 8);
  EXPECT_EQ(c.port, 9001);
  EXPECT_EQ(c.maxBody, 1024u * 1024) << "file value kept where env is silent";

  c = loadServerConfig(file, envOf({{"CRENEAU_THREADS", "8"}}), {{"server.threads", "2"}});
  EXPECT_EQ(c.threads, 2);
}

TEST_F(ServerConfigTest, IniFile_SectionsGiveTheSameKeys) {
  const auto file = write("creneau.ini",
                          "[server]\nlisten = [::1]:8443\npublic_url = https://cal.example.com/\n"
                          "keep_alive = false\nstop_timeout = 1500ms\n"
                          "[store]\ndb = /tmp/x.db\n");
  const ServerConfig c = loadServerConfig(file, envOf({}), {});
  EXPECT_EQ(c.host, "::1");
  EXPECT_EQ(c.port, 8443);
  EXPECT_EQ(c.publicUrl, "https://cal.example.com");
  EXPECT_FALSE(c.keepAlive);
  EXPECT_EQ(c.stopTimeout, 1500ms);
  EXPECT_EQ(c.db, "/tmp/x.db");
}

TEST_F(ServerConfigTest, EveryDocumentedEnvironmentVariable_IsRead) {
  const ServerConfig c = loadServerConfig(std::nullopt,
                                          envOf({{"CRENEAU_LISTEN", "0.0.0.0:0"},
                                                 {"CRENEAU_DB", "/srv/c.db"},
                                                 {"CRENEAU_TLS_CERT", "/etc/c.crt"},
                                                 {"CRENEAU_TLS_KEY", "/etc/c.key"},
                                                 {"CRENEAU_THREADS", "3"},
                                                 {"CRENEAU_MAX_BODY", "512k"},
                                                 {"CRENEAU_LOG_LEVEL", "WARNING"},
                                                 {"CRENEAU_PUBLIC_URL", "http://h:1"}}),
                                          {});
  EXPECT_EQ(c.port, 0);
  EXPECT_EQ(c.db, "/srv/c.db");
  EXPECT_EQ(c.tlsCert, "/etc/c.crt");
  EXPECT_EQ(c.tlsKey, "/etc/c.key");
  EXPECT_EQ(c.threads, 3);
  EXPECT_EQ(c.maxBody, 512u * 1024);
  EXPECT_EQ(c.logLevel, "warning");
  EXPECT_EQ(c.publicUrl, "http://h:1");
}

TEST_F(ServerConfigTest, InvalidValue_NamesKeyAndSource) {
  EXPECT_NE(errorOf(std::nullopt, {{"CRENEAU_THREADS", "many"}}, {})
                .find("invalid server.threads (from environment CRENEAU_THREADS): 'many'"),
            std::string::npos);
  EXPECT_NE(errorOf(std::nullopt, {}, {{"server.listen", "localhost:99999"}})
                .find("invalid server.listen (from command line)"),
            std::string::npos);
  const auto file = write("bad.properties", "server.max_body = 10 parsecs\n");
  const auto e = errorOf(file, {}, {});
  EXPECT_NE(e.find("invalid server.max_body (from config file " + file + ")"), std::string::npos)
      << e;
  EXPECT_NE(errorOf(std::nullopt, {{"CRENEAU_LOG_LEVEL", "loud"}}, {}).find("log.level"),
            std::string::npos);
  EXPECT_NE(errorOf(std::nullopt, {{"CRENEAU_PUBLIC_URL", "cal.example.com"}}, {})
                .find("server.public_url"),
            std::string::npos);
  EXPECT_NE(errorOf(std::nullopt, {{"CRENEAU_THREADS", "0"}}, {}).find("out of range"),
            std::string::npos);
}

TEST_F(ServerConfigTest, UnknownFileKey_IsAnError) {
  const auto file = write("typo.properties", "server.thread = 4\n");
  EXPECT_NE(errorOf(file, {}, {}).find("unknown key server.thread"), std::string::npos);
}

TEST_F(ServerConfigTest, MissingFile_IsAnError) {
  EXPECT_NE(errorOf((dir_ / "absent.ini").string(), {}, {}).find("does not exist"),
            std::string::npos);
}

TEST_F(ServerConfigTest, TlsCertWithoutKey_IsAnError) {
  EXPECT_NE(errorOf(std::nullopt, {{"CRENEAU_TLS_CERT", "/etc/c.crt"}}, {})
                .find("tls.cert and tls.key go together"),
            std::string::npos);
}

TEST_F(ServerConfigTest, Listen_AcceptsHostPortIpv6AndBarePort) {
  EXPECT_EQ(loadServerConfig(std::nullopt, envOf({{"CRENEAU_LISTEN", "8081"}}), {}).port, 8081);
  const auto c = loadServerConfig(std::nullopt, envOf({{"CRENEAU_LISTEN", "[::]:0"}}), {});
  EXPECT_EQ(c.host, "::");
  EXPECT_EQ(c.port, 0);
  EXPECT_NE(errorOf(std::nullopt, {{"CRENEAU_LISTEN", "::1:80"}}, {}).find("[ADDR]:PORT"),
            std::string::npos);
  EXPECT_NE(errorOf(std::nullopt, {{"CRENEAU_LISTEN", ":80"}}, {}).find("no host"),
            std::string::npos);
}

TEST_F(ServerConfigTest, ByteSizesAndDurations_Parse) {
  EXPECT_EQ(parseByteSize("100"), 100u);
  EXPECT_EQ(parseByteSize("4k"), 4096u);
  EXPECT_EQ(parseByteSize("10MiB"), 10u * 1024 * 1024);
  EXPECT_EQ(parseByteSize("1 G"), 1024u * 1024 * 1024);
  EXPECT_THROW((void)parseByteSize("0"), std::invalid_argument);
  EXPECT_THROW((void)parseByteSize("-5"), std::invalid_argument);
  EXPECT_THROW((void)parseByteSize("5T"), std::invalid_argument);
  EXPECT_EQ(parseDuration("30"), 30s);
  EXPECT_EQ(parseDuration("250ms"), 250ms);
  EXPECT_EQ(parseDuration("2m"), 120s);
  EXPECT_THROW((void)parseDuration("soon"), std::invalid_argument);
}

}  // namespace
}  // namespace creneau::bridge
