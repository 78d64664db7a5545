#include "engine/render/Localization.h"

#include <array>
#include <chrono>
#include <cstdio>

namespace creneau::engine {

namespace {

constexpr std::array<std::string_view, 7> kWeekdayEn{"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                     "Thursday", "Friday", "Saturday"};
constexpr std::array<std::string_view, 7> kWeekdayFr{"dimanche", "lundi",    "mardi", "mercredi",
                                                     "jeudi",    "vendredi", "samedi"};
constexpr std::array<std::string_view, 12> kMonthEn{
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};
constexpr std::array<std::string_view, 12> kMonthFr{"janvier",   "février", "mars",     "avril",
                                                    "mai",       "juin",    "juillet",  "août",
                                                    "septembre", "octobre", "novembre", "décembre"};

unsigned weekdayOf(const ical::DateTime& d) {
  using namespace std::chrono;
  const year_month_day ymd{year{d.year}, month{static_cast<unsigned>(d.month)},
                           day{static_cast<unsigned>(d.day)}};
  return weekday{sys_days{ymd}}.c_encoding();
}

std::string twoDigits(int v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d", v);
  return buf;
}

}  // namespace

std::optional<Language> parseLanguage(std::string_view code) {
  if (code == "en" || code.starts_with("en-") || code.starts_with("en_")) return Language::English;
  if (code == "fr" || code.starts_with("fr-") || code.starts_with("fr_")) return Language::French;
  return std::nullopt;
}

std::string formatDate(const ical::DateTime& d, Language lang) {
  const unsigned wd = weekdayOf(d);
  const size_t m = static_cast<size_t>(d.month - 1) % 12;
  if (lang == Language::French) {
    // "mardi 24 novembre 2026" (1er for the first day of the month)
    return std::string(kWeekdayFr[wd]) + " " +
           (d.day == 1 ? std::string("1er") : std::to_string(d.day)) + " " +
           std::string(kMonthFr[m]) + " " + std::to_string(d.year);
  }
  return std::string(kWeekdayEn[wd]) + ", " + std::string(kMonthEn[m]) + " " +
         std::to_string(d.day) + ", " + std::to_string(d.year);
}

std::string formatTime(const ical::DateTime& d, Language lang) {
  if (lang == Language::French) return twoDigits(d.hour) + ":" + twoDigits(d.minute);
  const int h12 = d.hour % 12 == 0 ? 12 : d.hour % 12;
  return std::to_string(h12) + ":" + twoDigits(d.minute) + (d.hour < 12 ? " AM" : " PM");
}

std::string formatDateTime(const ical::DateTime& d, Language lang) {
  if (lang == Language::French) return formatDate(d, lang) + " à " + formatTime(d, lang);
  return formatDate(d, lang) + " at " + formatTime(d, lang);
}

std::string formatDuration(int minutes, Language lang) {
  const int h = minutes / 60;
  const int m = minutes % 60;
  const char* sep = lang == Language::French ? " " : "";
  std::string out;
  if (h > 0) out += std::to_string(h) + sep + "h";
  if (m > 0 || h == 0) {
    if (!out.empty()) out += " ";
    out += std::to_string(m) + sep + "min";
  }
  return out;
}

std::string formatPrice(const std::string& amount, const std::string& currency, Language lang) {
  if (amount.empty()) return {};
  std::string a = amount;
  if (lang == Language::French)
    for (auto& c : a)
      if (c == '.') c = ',';
  return currency.empty() ? a : a + " " + currency;
}

std::string statusLabel(Status status, Language lang) {
  const bool fr = lang == Language::French;
  switch (status) {
    case Status::Approved:
      return fr ? "Approuvé" : "Approved";
    case Status::Pending:
      return fr ? "En attente" : "Pending";
    case Status::Canceled:
      return fr ? "Annulé" : "Canceled";
    case Status::Rejected:
      return fr ? "Refusé" : "Rejected";
    case Status::NoShow:
      return fr ? "Absent" : "No-show";
  }
  return {};
}

}  // namespace creneau::engine
