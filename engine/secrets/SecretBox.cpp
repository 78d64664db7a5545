#include "engine/secrets/SecretBox.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <system_error>

#include <Poco/Base64Decoder.h>
#include <Poco/Base64Encoder.h>
#include <Poco/Crypto/Cipher.h>
#include <Poco/Crypto/CipherFactory.h>
#include <Poco/Crypto/CipherKey.h>
#include <Poco/Crypto/CryptoTransform.h>
#include <Poco/Environment.h>
#include <Poco/Exception.h>
#include <Poco/RandomStream.h>

namespace creneau::engine::secrets {

namespace {

constexpr const char* kCipherName = "aes-256-gcm";

SecretError fail(SecretErrorCode code, std::string message) {
  return SecretError{code, std::move(message)};
}

void wipe(std::string& s) {
  volatile char* p = s.data();
  for (std::size_t i = 0; i < s.size(); ++i) p[i] = 0;
  s.clear();
}

std::string randomBytes(std::size_t n) {
  Poco::RandomInputStream in;
  std::string out(n, '\0');
  in.read(out.data(), static_cast<std::streamsize>(n));
  return out;
}

std::string toBase64(std::string_view bytes) {
  std::ostringstream out;
  Poco::Base64Encoder enc(out);
  enc.rdbuf()->setLineLength(0);
  enc.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  enc.close();
  return out.str();
}

// nullopt on anything that is not base64.
std::optional<std::string> fromBase64(std::string_view text) {
  try {
    std::istringstream in{std::string(text)};
    Poco::Base64Decoder dec(in);
    std::string out((std::istreambuf_iterator<char>(dec)), std::istreambuf_iterator<char>());
    if (dec.bad()) return std::nullopt;
    return out;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

Poco::Crypto::Cipher::Ptr cipherFor(const std::string& key, const std::string& iv) {
  const Poco::Crypto::CipherKey::ByteVec k(key.begin(), key.end());
  const Poco::Crypto::CipherKey::ByteVec v(iv.begin(), iv.end());
  Poco::Crypto::CipherFactory factory;
  return Poco::Crypto::Cipher::Ptr(
      factory.createCipher(Poco::Crypto::CipherKey(kCipherName, k, v)));
}

// Runs `input` through `t` and finalizes (which checks the tag when
// decrypting). Throws whatever OpenSSL/Poco throws.
std::string run(Poco::Crypto::CryptoTransform& t, std::string_view input) {
  std::string out(input.size() + 2 * t.blockSize() + 32, '\0');
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  std::streamsize n = t.transform(reinterpret_cast<const unsigned char*>(input.data()),
                                  static_cast<std::streamsize>(input.size()), o,
                                  static_cast<std::streamsize>(out.size()));
  n += t.finalize(o + n, static_cast<std::streamsize>(out.size()) - n);
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string trim(std::string s) {
  const auto notSpace = [](unsigned char c) { return !std::isspace(c); };
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), notSpace));
  s.erase(std::find_if(s.rbegin(), s.rend(), notSpace).base(), s.end());
  return s;
}

SecretResult<std::string> decodeKey(const std::string& text, const std::string& where) {
  auto key = fromBase64(trim(text));
  if (!key || key->size() != SecretBox::kKeySize) {
    if (key) wipe(*key);
    return fail(SecretErrorCode::InvalidKey, where + " does not hold the base64 of a 32-byte key");
  }
  return std::move(*key);
}

SecretResult<std::string> readKeyFile(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return fail(SecretErrorCode::Io,
                "cannot read key file " + path.string() + ": " + std::strerror(errno));
  if ((st.st_mode & 077) != 0)
    return fail(SecretErrorCode::KeyFileUnsafe,
                "key file " + path.string() + " is accessible to group or others; chmod 600 it");
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(SecretErrorCode::Io, "cannot read key file " + path.string());
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto key = decodeKey(text, "key file " + path.string());
  wipe(text);
  return key;
}

// Writes a new key to a private temporary file, then links it into place:
// link() fails when another process created the key first, and then that key
// is used. The key file is never visible half-written.
SecretResult<std::string> createKeyFile(const std::filesystem::path& path) {
  std::error_code ec;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  std::string key = randomBytes(SecretBox::kKeySize);
  std::string text = toBase64(key) + "\n";
  std::string suffix;
  for (unsigned char c : randomBytes(8))
    suffix += "0123456789abcdef"[c >> 4], suffix += "0123456789abcdef"[c & 15];
  const std::filesystem::path tmp = path.string() + ".tmp-" + suffix;
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    wipe(key);
    wipe(text);
    return fail(SecretErrorCode::Io,
                "cannot create key file " + path.string() + ": " + std::strerror(errno));
  }
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                       ::fsync(fd) == 0;
  ::close(fd);
  wipe(text);
  if (!written) {
    ::unlink(tmp.c_str());
    wipe(key);
    return fail(SecretErrorCode::Io, "cannot write key file " + path.string());
  }
  const int linked = ::link(tmp.c_str(), path.c_str());
  const int linkErrno = errno;
  ::unlink(tmp.c_str());
  if (linked != 0) {
    wipe(key);
    if (linkErrno == EEXIST) return readKeyFile(path);  // another process won the race
    return fail(SecretErrorCode::Io,
                "cannot create key file " + path.string() + ": " + std::strerror(linkErrno));
  }
  return key;
}

}  // namespace

SecretResult<SecretBox> SecretBox::create(std::string key) {
  if (key.size() != kKeySize) {
    wipe(key);
    return fail(SecretErrorCode::InvalidKey, "a secret key must be 32 bytes");
  }
  return SecretBox(std::move(key));
}

SecretBox::~SecretBox() {
  wipe(key_);
}

bool SecretBox::isSealed(std::string_view value) {
  return value.substr(0, kPrefix.size()) == kPrefix;
}

SecretResult<std::string> SecretBox::seal(std::string_view plaintext) const {
  try {
    const std::string iv = randomBytes(kIvSize);
    auto cipher = cipherFor(key_, iv);
    auto encryptor = cipher->createEncryptor();
    std::string ciphertext = run(*encryptor, plaintext);
    const std::string tag = encryptor->getTag(kTagSize);
    if (tag.size() != kTagSize) return fail(SecretErrorCode::CryptoFailure, "no GCM tag");
    std::string blob = iv + ciphertext + tag;
    wipe(ciphertext);
    return std::string(kPrefix) + toBase64(blob);
  } catch (const std::exception&) {
    // Poco/OpenSSL messages are not secret, but stay on the safe side.
    return fail(SecretErrorCode::CryptoFailure, "AES-256-GCM encryption failed");
  }
}

SecretResult<std::string> SecretBox::open(std::string_view sealed) const {
  if (!isSealed(sealed))
    return fail(SecretErrorCode::Malformed, "not a sealed value (expected the v1: prefix)");
  const auto blob = fromBase64(sealed.substr(kPrefix.size()));
  if (!blob) return fail(SecretErrorCode::Malformed, "sealed value is not base64");
  if (blob->size() < kIvSize + kTagSize)
    return fail(SecretErrorCode::Malformed, "sealed value is too short");
  const std::string iv = blob->substr(0, kIvSize);
  const std::string tag = blob->substr(blob->size() - kTagSize);
  const std::string_view ciphertext =
      std::string_view(*blob).substr(kIvSize, blob->size() - kIvSize - kTagSize);
  try {
    auto cipher = cipherFor(key_, iv);
    auto decryptor = cipher->createDecryptor();
    decryptor->setTag(tag);
    return run(*decryptor, ciphertext);
  } catch (const std::exception&) {
    return fail(SecretErrorCode::AuthenticationFailed,
                "sealed value failed authentication (tampered, or sealed with another key)");
  }
}

SecretResult<std::string> loadOrCreateKey(const KeySource& source) {
  if (source.environmentValue) return decodeKey(*source.environmentValue, kKeyEnvironmentVariable);
  if (source.keyFile.empty())
    return fail(SecretErrorCode::Io,
                std::string("no key: set ") + kKeyEnvironmentVariable + " or give a key file");
  std::error_code ec;
  if (std::filesystem::exists(source.keyFile, ec)) return readKeyFile(source.keyFile);
  return createKeyFile(source.keyFile);
}

KeySource keySourceFromEnvironment(std::filesystem::path keyFile) {
  KeySource s;
  s.keyFile = std::move(keyFile);
  if (Poco::Environment::has(kKeyEnvironmentVariable))
    s.environmentValue = Poco::Environment::get(kKeyEnvironmentVariable);
  return s;
}

}  // namespace creneau::engine::secrets
