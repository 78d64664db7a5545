#include "engine/feeds/Feed.h"

#include <Poco/DigestEngine.h>
#include <Poco/RandomStream.h>
#include <Poco/SHA2Engine.h>

#include <array>

#include "engine/store/Store.h"

namespace creneau::engine {

namespace {
constexpr std::size_t kTokenBytes = 20;                   // 160 bits
constexpr std::size_t kTokenChars = kTokenBytes * 8 / 5;  // 32 base32 characters
constexpr std::string_view kBase32 = "abcdefghijklmnopqrstuvwxyz234567";
}  // namespace

std::string_view toString(FeedScope s) {
  switch (s) {
    case FeedScope::Employee:
      return "employee";
    case FeedScope::Service:
      return "service";
    case FeedScope::Location:
      return "location";
    case FeedScope::All:
      break;
  }
  return "all";
}

std::optional<FeedScope> parseFeedScope(std::string_view s) {
  if (s == "employee") return FeedScope::Employee;
  if (s == "service") return FeedScope::Service;
  if (s == "location") return FeedScope::Location;
  if (s == "all") return FeedScope::All;
  return std::nullopt;
}

std::string feedCollection(const Feed& feed) {
  const Id id = feed.recordId.value_or(0);
  switch (feed.scope) {
    case FeedScope::Employee:
      return employeeCollection(id);
    case FeedScope::Service:
      return serviceCollection(id);
    case FeedScope::Location:
      return locationCollection(id);
    case FeedScope::All:
      break;
  }
  return allCollection();
}

std::string generateFeedToken() {
  // Poco::RandomInputStream reads the kernel's CSPRNG (getrandom/urandom).
  std::array<unsigned char, kTokenBytes> bytes{};
  Poco::RandomInputStream random;
  random.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (random.gcount() != static_cast<std::streamsize>(bytes.size()))
    throw std::runtime_error("cannot read random bytes for a feed token");
  std::string out;
  out.reserve(kTokenChars);
  unsigned buffer = 0;
  int bits = 0;
  for (const unsigned char b : bytes) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += kBase32[(buffer >> (bits - 5)) & 31u];
      bits -= 5;
    }
  }
  return out;
}

bool looksLikeFeedToken(std::string_view text) {
  if (text.size() != kTokenChars) return false;
  for (const char c : text)
    if (kBase32.find(c) == std::string_view::npos) return false;
  return true;
}

std::string hashFeedToken(std::string_view token) {
  Poco::SHA2Engine sha(Poco::SHA2Engine::SHA_256);
  sha.update(token.data(), static_cast<unsigned>(token.size()));
  return Poco::DigestEngine::digestToHex(sha.digest());
}

}  // namespace creneau::engine
