#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "engine/model/Domain.h"

namespace creneau::engine {

// What a feed shows: one employee's, one service's, one location's
// appointments (and group events, except for services), or everything.
enum class FeedScope { Employee, Service, Location, All };

[[nodiscard]] std::string_view toString(FeedScope s);  // "employee", "service", ...
[[nodiscard]] std::optional<FeedScope> parseFeedScope(std::string_view s);

// A subscription URL /feeds/<token>.ics. Only the SHA-256 of the token is
// kept (DESIGN.md decision 8): the token itself is shown once, at creation.
struct Feed {
  Id id = 0;
  std::string tokenHash;  // lower-case hex SHA-256 of the token text
  FeedScope scope = FeedScope::All;
  std::optional<Id> recordId;  // employee, service or location row id; none for All
  std::string label;
  bool includePending = false;  // pending appointments as STATUS:TENTATIVE
  bool includeCanceled = true;  // canceled and rejected as STATUS:CANCELLED
  UnixTime createdAt = 0;
  std::optional<UnixTime> revokedAt;
  bool operator==(const Feed&) const = default;

  [[nodiscard]] bool revoked() const { return revokedAt.has_value(); }
};

// The change-log collection a feed's content follows ("employee:3", "all").
[[nodiscard]] std::string feedCollection(const Feed& feed);

// A new token: 160 random bits from the system's CSPRNG as 32 characters of
// lower-case base32 (a-z, 2-7), safe in a URL path and in a file name.
[[nodiscard]] std::string generateFeedToken();

// Whether `text` has the shape of a token generateFeedToken() makes. Cheap
// check before any lookup; anything else is simply an unknown feed.
[[nodiscard]] bool looksLikeFeedToken(std::string_view text);

// Lower-case hex SHA-256 of the token: what the store keeps and looks up.
[[nodiscard]] std::string hashFeedToken(std::string_view token);

}  // namespace creneau::engine
