#include "engine/text/Markup.h"

namespace creneau::engine {

std::string xmlEscape(std::string_view text) {
  // Runs without a special character are copied whole: calendar-data of a
  // few hundred objects goes through here for every report.
  std::string out;
  out.reserve(text.size() + text.size() / 16);
  std::size_t run = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char* entity = nullptr;
    switch (text[i]) {
      case '&':
        entity = "&amp;";
        break;
      case '<':
        entity = "&lt;";
        break;
      case '>':
        entity = "&gt;";
        break;
      case '"':
        entity = "&quot;";
        break;
      default:
        continue;
    }
    out.append(text.data() + run, i - run);
    out += entity;
    run = i + 1;
  }
  out.append(text.data() + run, text.size() - run);
  return out;
}

}  // namespace creneau::engine
