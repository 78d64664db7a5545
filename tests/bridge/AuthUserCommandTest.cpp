#include <gtest/gtest.h>

#include <sstream>

#include "bridge/auth/Password.h"
#include "bridge/cli/Args.h"
#include "bridge/cli/UserCommand.h"
#include "engine/import/JsonImporter.h"
#include "engine/store/SqliteStore.h"
#include "tests/common/TestSupport.h"

namespace creneau::bridge {
namespace {

struct CliRun {
  int code = 0;
  std::string out;
  std::string err;
};

class AuthUserCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::scratchDir(std::string("user-") +
                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    db_ = (dir_ / "creneau.db").string();
    engine::SqliteStore store(db_);
    (void)store.apply(engine::JsonImporter().parse(test::readFixture("demo/demo.json"), store));
  }

  CliRun user(std::vector<std::string> args, const std::string& stdinText = {}) {
    args.push_back("--db");
    args.push_back(db_);
    std::istringstream in(stdinText);
    std::ostringstream out, err;
    try {
      const int code = userCommand(args, {out, err}, in);
      return {code, out.str(), err.str()};
    } catch (const UsageError& e) {  // what runCli turns into exit status 2
      return {kExitUsage, out.str(), err.str() + e.what()};
    }
  }

  [[nodiscard]] std::optional<engine::User> stored(const std::string& login) const {
    return engine::SqliteStore(db_).userByLogin(login);
  }

  std::filesystem::path dir_;
  std::string db_;
};

TEST_F(AuthUserCommandTest, User_AddReadsPasswordFromStdin) {
  const auto r = user({"add", "Sophie", "--employee", "emp-sophie"}, "correct-horse-42\n");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.find("correct-horse-42"), std::string::npos) << "never echoed";
  EXPECT_EQ(r.err.find("correct-horse-42"), std::string::npos) << "never echoed";
  const auto u = stored("sophie");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->role, engine::Role::Employee);
  EXPECT_EQ(u->employeeExternalId, "emp-sophie");
  EXPECT_GE(u->password.iterations, 100'000);
  EXPECT_TRUE(verifyPassword("correct-horse-42", u->password));
  EXPECT_FALSE(verifyPassword("correct-horse-42\n", u->password));

  // CRLF from a Windows pipe: the CR is not part of the password.
  ASSERT_EQ(user({"add", "admin", "--admin"}, "admin-pass-1\r\n").code, 0);
  EXPECT_TRUE(verifyPassword("admin-pass-1", stored("admin")->password));
  EXPECT_FALSE(stored("admin")->employeeId);
}

TEST_F(AuthUserCommandTest, User_AddRefusesShortOrEmptyPasswords) {
  auto r = user({"add", "lea", "--employee", "emp-lea"}, "");
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_NE(r.err.find("empty"), std::string::npos) << r.err;
  r = user({"add", "lea", "--employee", "emp-lea"}, "short\n");
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_NE(r.err.find("at least 8 characters"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("short"), r.err.find("short:")) << "the password itself is not shown";
  EXPECT_FALSE(stored("lea"));
}

TEST_F(AuthUserCommandTest, User_AddChecksRoleEmployeeAndDuplicates) {
  EXPECT_EQ(user({"add", "x"}, "long-enough\n").code, kExitUsage);
  EXPECT_EQ(user({"add", "x", "--admin", "--employee", "emp-lea"}, "long-enough\n").code,
            kExitUsage);
  auto r = user({"add", "x", "--employee", "emp-nobody"}, "long-enough\n");
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_NE(r.err.find("emp-nobody"), std::string::npos);
  EXPECT_EQ(user({"add", "bad/login", "--admin"}, "long-enough\n").code, kExitUsage);
  EXPECT_EQ(user({"add", "bad:login", "--admin"}, "long-enough\n").code, kExitUsage);
  ASSERT_EQ(user({"add", "lea", "--employee", "emp-lea"}, "long-enough\n").code, 0);
  r = user({"add", "LEA", "--admin"}, "long-enough\n");
  EXPECT_EQ(r.code, kExitInvalidInput);
  EXPECT_NE(r.err.find("exists already"), std::string::npos);
}

TEST_F(AuthUserCommandTest, User_PasswdRemoveAndList) {
  ASSERT_EQ(user({"add", "lea", "--employee", "emp-lea"}, "first-password\n").code, 0);
  ASSERT_EQ(user({"add", "boss", "--admin"}, "boss-password\n").code, 0);
  ASSERT_EQ(user({"passwd", "lea"}, "second-password\n").code, 0);
  EXPECT_TRUE(verifyPassword("second-password", stored("lea")->password));
  EXPECT_FALSE(verifyPassword("first-password", stored("lea")->password));
  EXPECT_EQ(user({"passwd", "nobody"}, "second-password\n").code, kExitInvalidInput);
  EXPECT_EQ(user({"passwd", "lea"}, "tiny\n").code, kExitUsage);

  auto r = user({"list"});
  ASSERT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("boss"), std::string::npos);
  EXPECT_NE(r.out.find("admin"), std::string::npos);
  EXPECT_NE(r.out.find("emp-lea"), std::string::npos);
  EXPECT_EQ(r.out.find("pbkdf2"), std::string::npos) << "no hash material in listings";

  ASSERT_EQ(user({"remove", "lea"}).code, 0);
  EXPECT_FALSE(stored("lea"));
  EXPECT_EQ(user({"remove", "lea"}).code, kExitInvalidInput);
}

}  // namespace
}  // namespace creneau::bridge
