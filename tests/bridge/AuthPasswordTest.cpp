#include "bridge/auth/Password.h"

#include <gtest/gtest.h>

namespace creneau::bridge {
namespace {

TEST(AuthPasswordTest, Password_HashVerifies_AndWrongPasswordFails) {
  const auto h = hashPassword("correct horse battery");
  EXPECT_TRUE(verifyPassword("correct horse battery", h));
  EXPECT_FALSE(verifyPassword("correct horse batterY", h));
  EXPECT_FALSE(verifyPassword("", h));
  EXPECT_FALSE(verifyPassword("correct horse battery ", h));
}

TEST(AuthPasswordTest, Password_UsesAtLeast100kIterations) {
  const auto h = hashPassword("s3cret-password");
  EXPECT_EQ(h.algorithm, "pbkdf2-sha256");
  EXPECT_GE(h.iterations, 100'000);
  EXPECT_EQ(h.iterations, kPasswordIterations);
  EXPECT_GE(h.salt.size(), 16u);
  EXPECT_EQ(h.hash.size(), 32u);
  // Asking for fewer is raised to the floor.
  EXPECT_EQ(hashPassword("s3cret-password", 1000).iterations, 100'000);
  EXPECT_FALSE(needsRehash(h));
}

TEST(AuthPasswordTest, Password_SaltIsRandom_SoEqualPasswordsHashDifferently) {
  const auto a = hashPassword("same password");
  const auto b = hashPassword("same password");
  EXPECT_NE(a.salt, b.salt);
  EXPECT_NE(a.hash, b.hash);
}

TEST(AuthPasswordTest, Password_StoredParametersAreHonoured_AndOldOnesNeedRehash) {
  auto h = hashPassword("an older hash", 100'000);
  EXPECT_TRUE(verifyPassword("an older hash", h)) << "verifies with its own iteration count";
  EXPECT_TRUE(needsRehash(h));
}

TEST(AuthPasswordTest, Password_MalformedRecord_NeverVerifies) {
  auto h = hashPassword("whatever-password");
  auto wrongAlgorithm = h;
  wrongAlgorithm.algorithm = "md5";
  EXPECT_FALSE(verifyPassword("whatever-password", wrongAlgorithm));
  auto noSalt = h;
  noSalt.salt.clear();
  EXPECT_FALSE(verifyPassword("whatever-password", noSalt));
  auto shortHash = h;
  shortHash.hash.resize(4);
  EXPECT_FALSE(verifyPassword("whatever-password", shortHash));
  EXPECT_FALSE(verifyPassword("whatever-password", engine::PasswordHash{}));
  EXPECT_FALSE(verifyPassword("whatever-password", dummyPasswordHash()));
}

TEST(AuthPasswordTest, PasswordPolicy_RefusesEmptyShortAndControlCharacters) {
  EXPECT_TRUE(engine::passwordProblem(""));
  EXPECT_TRUE(engine::passwordProblem("seven77"));
  EXPECT_FALSE(engine::passwordProblem("eight888"));
  EXPECT_TRUE(engine::passwordProblem("ééééééé")) << "7 characters, 14 bytes";
  EXPECT_FALSE(engine::passwordProblem("éééééééé"));
  EXPECT_TRUE(engine::passwordProblem("tab\there-long"));
  EXPECT_TRUE(engine::passwordProblem(std::string(1025, 'x')));
}

}  // namespace
}  // namespace creneau::bridge
