#include <gtest/gtest.h>

#include "TestSupport.h"
#include "engine/accounts/Account.h"
#include "engine/import/JsonImporter.h"
#include "engine/store/SqliteStore.h"

namespace creneau::engine {
namespace {

PasswordHash someHash(char fill) {
  return PasswordHash{"pbkdf2-sha256", 210'000, std::string(16, fill), std::string(32, fill)};
}

class AccountStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::scratchDir(std::string("accounts-") +
                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    SqliteStoreOptions options;
    options.clock = [this] { return now_; };
    store_ = std::make_unique<SqliteStore>((dir_ / "creneau.db").string(), options);
    (void)store_->apply(JsonImporter().parse(test::readFixture("demo/demo.json"), *store_));
  }

  std::filesystem::path dir_;
  UnixTime now_ = 1'790'000'000;
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(AccountStoreTest, AddUser_ReadsBackWithEmployeeAndHashBytes) {
  NewUser u;
  u.login = "sophie";
  u.role = Role::Employee;
  u.employeeId = store_->employeeByExternalId("emp-sophie")->id;
  u.password = someHash('\0');  // NUL bytes survive the round trip
  u.password.hash[5] = '\xff';
  const auto id = store_->addUser(u);
  ASSERT_TRUE(id);
  const auto back = store_->userByLogin("sophie");
  ASSERT_TRUE(back);
  EXPECT_EQ(back->id, *id);
  EXPECT_EQ(back->role, Role::Employee);
  EXPECT_EQ(back->employeeId, u.employeeId);
  EXPECT_EQ(back->employeeExternalId, "emp-sophie");
  EXPECT_EQ(back->password, u.password);
  EXPECT_EQ(back->createdAt, now_);
  EXPECT_EQ(back->updatedAt, now_);

  const Principal p = principalOf(*back);
  EXPECT_EQ(p.login, "sophie");
  EXPECT_FALSE(p.isAdmin);
  EXPECT_EQ(p.employeeExternalId, "emp-sophie");
}

TEST_F(AccountStoreTest, AddUser_DuplicateLoginRefused_NothingWritten) {
  NewUser admin{"admin", Role::Admin, std::nullopt, someHash('a')};
  ASSERT_TRUE(store_->addUser(admin));
  admin.password = someHash('b');
  EXPECT_FALSE(store_->addUser(admin));
  EXPECT_EQ(store_->userByLogin("admin")->password, someHash('a'));
  EXPECT_EQ(store_->users().size(), 1u);
}

TEST_F(AccountStoreTest, EmployeeWithoutEmployeeId_IsRefusedByTheSchema) {
  NewUser broken{"ghost", Role::Employee, std::nullopt, someHash('g')};
  EXPECT_THROW((void)store_->addUser(broken), StoreError);
  EXPECT_FALSE(store_->userByLogin("ghost"));
}

TEST_F(AccountStoreTest, SetPasswordAndRemove) {
  ASSERT_TRUE(store_->addUser({"admin", Role::Admin, std::nullopt, someHash('a')}));
  now_ += 60;
  EXPECT_TRUE(store_->setUserPassword("admin", someHash('z')));
  const auto u = store_->userByLogin("admin");
  EXPECT_EQ(u->password, someHash('z'));
  EXPECT_EQ(u->updatedAt, now_);
  EXPECT_LT(u->createdAt, u->updatedAt);
  EXPECT_FALSE(store_->setUserPassword("nobody", someHash('z')));
  EXPECT_TRUE(store_->removeUser("admin"));
  EXPECT_FALSE(store_->removeUser("admin"));
  EXPECT_TRUE(store_->users().empty());
}

TEST(AccountLogin, NormalizesCaseAndRefusesSeparators) {
  EXPECT_EQ(normalizeLogin("Sophie.Martin@Salon"), "sophie.martin@salon");
  EXPECT_EQ(normalizeLogin("a_b-c+d"), "a_b-c+d");
  EXPECT_FALSE(normalizeLogin(""));
  EXPECT_FALSE(normalizeLogin("a:b"));
  EXPECT_FALSE(normalizeLogin("a/b"));
  EXPECT_FALSE(normalizeLogin(".."));
  EXPECT_FALSE(normalizeLogin("sp ace"));
  EXPECT_FALSE(normalizeLogin("léa"));
  EXPECT_FALSE(normalizeLogin(std::string(65, 'a')));
}

}  // namespace
}  // namespace creneau::engine
