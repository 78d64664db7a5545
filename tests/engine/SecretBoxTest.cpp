#include "engine/secrets/SecretBox.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <future>
#include <set>
#include <sstream>
#include <vector>

#include <Poco/Base64Decoder.h>
#include <Poco/Base64Encoder.h>

#include "TestSupport.h"

namespace creneau::engine::secrets {
namespace {

const std::string kKey(32, '\x42');
const std::string kOtherKey(32, '\x24');

std::string base64(const std::string& bytes) {
  std::ostringstream out;
  Poco::Base64Encoder enc(out);
  enc.rdbuf()->setLineLength(0);
  enc << bytes;
  enc.close();
  return out.str();
}

std::string unbase64(const std::string& text) {
  std::istringstream in(text);
  Poco::Base64Decoder dec(in);
  return std::string((std::istreambuf_iterator<char>(dec)), std::istreambuf_iterator<char>());
}

SecretBox box(const std::string& key = kKey) {
  auto b = SecretBox::create(key);
  EXPECT_TRUE(b);
  return std::move(b).value();
}

std::filesystem::path scratch(const std::string& name) {
  return test::scratchDir("SecretBoxTest-" + std::to_string(::getpid()) + "-" + name);
}

mode_t modeOf(const std::filesystem::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0);
  return st.st_mode & 0777;
}

TEST(SecretBoxTest, SecretBox_SealThenOpen_GivesThePlaintextBack) {
  const SecretBox b = box();
  for (const std::string& plain : {std::string(), std::string("1//0gRefreshTokenÅ"),
                                   std::string(5000, 'x'), std::string("\0binary\xff", 8)}) {
    auto sealed = b.seal(plain);
    ASSERT_TRUE(sealed) << sealed.error().message;
    auto opened = b.open(*sealed);
    ASSERT_TRUE(opened) << opened.error().message;
    EXPECT_EQ(*opened, plain);
  }
}

TEST(SecretBoxTest, SecretBox_Sealed_IsV1Base64OfIvCiphertextTag) {
  const std::string plain = "client-secret-value";
  auto sealed = box().seal(plain);
  ASSERT_TRUE(sealed);
  ASSERT_EQ(sealed->substr(0, 3), "v1:");
  EXPECT_TRUE(SecretBox::isSealed(*sealed));
  EXPECT_FALSE(SecretBox::isSealed(plain));
  const std::string blob = unbase64(sealed->substr(3));
  EXPECT_EQ(blob.size(), SecretBox::kIvSize + plain.size() + SecretBox::kTagSize);
  EXPECT_EQ(sealed->find(plain), std::string::npos);
  EXPECT_EQ(blob.find(plain), std::string::npos);
}

TEST(SecretBoxTest, SecretBox_SameSecretTwice_UsesFreshIvs) {
  const SecretBox b = box();
  std::set<std::string> seen;
  std::set<std::string> ivs;
  for (int i = 0; i < 20; ++i) {
    auto s = b.seal("same");
    ASSERT_TRUE(s);
    seen.insert(*s);
    ivs.insert(unbase64(s->substr(3)).substr(0, SecretBox::kIvSize));
  }
  EXPECT_EQ(seen.size(), 20u);
  EXPECT_EQ(ivs.size(), 20u);
}

TEST(SecretBoxTest, SecretBox_TamperedByte_FailsAuthenticationWithoutLeaking) {
  const SecretBox b = box();
  auto sealed = b.seal("refresh-token-123");
  ASSERT_TRUE(sealed);
  const std::string blob = unbase64(sealed->substr(3));
  for (std::size_t i = 0; i < blob.size(); ++i) {  // IV, ciphertext and tag
    std::string bad = blob;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    auto r = b.open("v1:" + base64(bad));
    ASSERT_FALSE(r) << "byte " << i;
    EXPECT_EQ(r.error().code, SecretErrorCode::AuthenticationFailed);
    EXPECT_EQ(r.error().message.find("refresh-token"), std::string::npos);
  }
}

TEST(SecretBoxTest, SecretBox_WrongKey_FailsAuthentication) {
  auto sealed = box().seal("refresh-token-123");
  ASSERT_TRUE(sealed);
  auto r = box(kOtherKey).open(*sealed);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, SecretErrorCode::AuthenticationFailed);
  EXPECT_EQ(r.error().message.find(*sealed), std::string::npos);
}

TEST(SecretBoxTest, SecretBox_Malformed_IsAClearError) {
  const SecretBox b = box();
  EXPECT_EQ(b.open("plain-text").error().code, SecretErrorCode::Malformed);
  EXPECT_EQ(b.open("v2:AAAA").error().code, SecretErrorCode::Malformed);
  EXPECT_EQ(b.open("v1:***").error().code, SecretErrorCode::Malformed);
  EXPECT_EQ(b.open("v1:" + base64(std::string(20, 'a'))).error().code,
            SecretErrorCode::Malformed);  // shorter than IV + tag
  auto truncated = b.seal("abc");
  ASSERT_TRUE(truncated);
  EXPECT_FALSE(b.open(truncated->substr(0, truncated->size() - 4)));
}

TEST(SecretBoxTest, SecretBox_KeyOfWrongSize_IsRefused) {
  auto r = SecretBox::create(std::string(16, 'k'));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, SecretErrorCode::InvalidKey);
}

TEST(SecretBoxTest, KeyLoader_EnvironmentValue_WinsAndLeavesFileAlone) {
  const auto dir = scratch("env");
  KeySource s;
  s.environmentValue = base64(kKey) + "\n";
  s.keyFile = dir / "secret.key";
  auto k = loadOrCreateKey(s);
  ASSERT_TRUE(k) << k.error().message;
  EXPECT_EQ(*k, kKey);
  EXPECT_FALSE(std::filesystem::exists(s.keyFile));

  s.environmentValue = base64(std::string(31, 'k'));
  auto bad = loadOrCreateKey(s);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, SecretErrorCode::InvalidKey);
  EXPECT_NE(bad.error().message.find("CRENEAU_SECRET_KEY"), std::string::npos);
  EXPECT_EQ(bad.error().message.find(*s.environmentValue), std::string::npos);
}

TEST(SecretBoxTest, KeyLoader_FirstUse_CreatesPrivateKeyFileThenReusesIt) {
  const auto dir = scratch("create");
  KeySource s;
  s.keyFile = dir / "sub" / "secret.key";
  auto first = loadOrCreateKey(s);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->size(), SecretBox::kKeySize);
  ASSERT_TRUE(std::filesystem::exists(s.keyFile));
  EXPECT_EQ(modeOf(s.keyFile), 0600u);
  EXPECT_EQ(unbase64(test::readFile(s.keyFile)), *first);
  auto again = loadOrCreateKey(s);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *first);
  // No temporary files left behind.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir / "sub"),
                          std::filesystem::directory_iterator()),
            1);

  // A value sealed with the loaded key opens with the reloaded key.
  auto sealed = box(*first).seal("x");
  ASSERT_TRUE(sealed);
  EXPECT_TRUE(box(*again).open(*sealed));
}

TEST(SecretBoxTest, KeyLoader_ConcurrentFirstUse_AgreesOnOneKey) {
  const auto dir = scratch("race");
  KeySource s;
  s.keyFile = dir / "secret.key";
  std::vector<std::future<SecretResult<std::string>>> runs;
  for (int i = 0; i < 8; ++i)
    runs.push_back(std::async(std::launch::async, [&s] { return loadOrCreateKey(s); }));
  std::set<std::string> keys;
  for (auto& r : runs) {
    auto k = r.get();
    ASSERT_TRUE(k) << k.error().message;
    keys.insert(*k);
  }
  EXPECT_EQ(keys.size(), 1u);
}

TEST(SecretBoxTest, KeyLoader_WorldReadableKeyFile_IsRefused) {
  const auto dir = scratch("unsafe");
  const auto file = dir / "secret.key";
  {
    std::ofstream out(file);
    out << base64(kKey) << "\n";
  }
  ::chmod(file.c_str(), 0644);
  auto r = loadOrCreateKey(KeySource{std::nullopt, file});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, SecretErrorCode::KeyFileUnsafe);
  ::chmod(file.c_str(), 0600);
  auto ok = loadOrCreateKey(KeySource{std::nullopt, file});
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(*ok, kKey);
}

TEST(SecretBoxTest, KeyLoader_GarbageKeyFile_IsInvalidKey) {
  const auto dir = scratch("garbage");
  const auto file = dir / "secret.key";
  {
    std::ofstream out(file);
    out << "not a key at all";
  }
  ::chmod(file.c_str(), 0600);
  auto r = loadOrCreateKey(KeySource{std::nullopt, file});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, SecretErrorCode::InvalidKey);
}

}  // namespace
}  // namespace creneau::engine::secrets
