#include "engine/connections/Connection.h"

namespace creneau::engine::connections {

std::string_view providerName(Provider p) {
  return p == Provider::Google ? "google" : "microsoft";
}

std::optional<Provider> parseProvider(std::string_view name) {
  if (name == "google") return Provider::Google;
  if (name == "microsoft") return Provider::Microsoft;
  return std::nullopt;
}

}  // namespace creneau::engine::connections
