#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "engine/model/Domain.h"
#include "ical/DateTime.h"

namespace creneau::engine {

enum class Language { English, French };

[[nodiscard]] std::optional<Language> parseLanguage(std::string_view code);  // "en", "fr"

// Human-readable forms used by the %placeholders%. Wall-clock values are
// already in the employee's zone.
[[nodiscard]] std::string formatDate(const ical::DateTime& local, Language lang);
[[nodiscard]] std::string formatTime(const ical::DateTime& local, Language lang);
[[nodiscard]] std::string formatDateTime(const ical::DateTime& local, Language lang);
[[nodiscard]] std::string formatDuration(int minutes, Language lang);
[[nodiscard]] std::string formatPrice(const std::string& amount, const std::string& currency,
                                      Language lang);
[[nodiscard]] std::string statusLabel(Status status, Language lang);

}  // namespace creneau::engine
