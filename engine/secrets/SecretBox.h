#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace creneau::engine::secrets {

// Secrets at rest (DESIGN.md decision 8): OAuth client secrets and refresh
// tokens are sealed with AES-256-GCM through Poco::Crypto. A sealed value is
//   "v1:" + base64(iv[12] | ciphertext | tag[16])
// with a fresh random IV per message. No message built here ever contains a
// plaintext, a key or a sealed value.

enum class SecretErrorCode {
  InvalidKey,            // not 32 bytes / not base64 of 32 bytes
  Malformed,             // no "v1:" prefix, bad base64, too short
  AuthenticationFailed,  // tag mismatch: tampered, or sealed with another key
  KeyFileUnsafe,         // the key file is readable or writable by group or others
  Io,                    // key file cannot be read or created
  CryptoFailure,         // OpenSSL refused (should not happen)
};

struct SecretError {
  SecretErrorCode code;
  std::string message;  // for logs and the admin; never holds secret material
  bool operator==(const SecretError&) const = default;
};

// A value or a SecretError (the engine returns expected failures as values).
template <typename T>
class SecretResult {
 public:
  SecretResult(T value) : v_(std::move(value)) {}            // NOLINT: implicit on purpose
  SecretResult(SecretError error) : v_(std::move(error)) {}  // NOLINT

  explicit operator bool() const { return std::holds_alternative<T>(v_); }
  [[nodiscard]] const T& value() const& { return std::get<T>(v_); }
  [[nodiscard]] T&& value() && { return std::get<T>(std::move(v_)); }
  [[nodiscard]] const T& operator*() const& { return value(); }
  [[nodiscard]] const T* operator->() const { return &value(); }
  [[nodiscard]] const SecretError& error() const { return std::get<SecretError>(v_); }

 private:
  std::variant<T, SecretError> v_;
};

class SecretBox {
 public:
  static constexpr std::size_t kKeySize = 32;
  static constexpr std::size_t kIvSize = 12;
  static constexpr std::size_t kTagSize = 16;
  static constexpr std::string_view kPrefix = "v1:";

  // `key` is 32 raw bytes.
  [[nodiscard]] static SecretResult<SecretBox> create(std::string key);

  SecretBox(const SecretBox&) = default;
  SecretBox(SecretBox&&) noexcept = default;
  SecretBox& operator=(const SecretBox&) = default;
  SecretBox& operator=(SecretBox&&) noexcept = default;
  ~SecretBox();  // wipes the key

  [[nodiscard]] SecretResult<std::string> seal(std::string_view plaintext) const;
  [[nodiscard]] SecretResult<std::string> open(std::string_view sealed) const;

  // Whether a stored value looks sealed (so a migration can seal old plain
  // values once).
  [[nodiscard]] static bool isSealed(std::string_view value);

 private:
  explicit SecretBox(std::string key) : key_(std::move(key)) {}
  std::string key_;
};

// Where the key comes from: CRENEAU_SECRET_KEY (base64 of 32 bytes) when set,
// else a key file holding the same base64 text.
struct KeySource {
  std::optional<std::string> environmentValue;  // the variable's value, if set
  std::filesystem::path keyFile;
};

// The 32-byte key. With an environment value, that value (decoded; the file
// is not touched). Else the key file's key; when the file does not exist it
// is created with mode 0600 holding a new random key (atomically: a second
// process starting at the same time reads the first one's key). A key file
// that group or others may read is refused.
[[nodiscard]] SecretResult<std::string> loadOrCreateKey(const KeySource& source);

// KeySource with the value of CRENEAU_SECRET_KEY from the process
// environment, for main().
[[nodiscard]] KeySource keySourceFromEnvironment(std::filesystem::path keyFile);

inline constexpr const char* kKeyEnvironmentVariable = "CRENEAU_SECRET_KEY";

}  // namespace creneau::engine::secrets
