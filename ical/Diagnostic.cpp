#include "ical/Diagnostic.h"

namespace creneau::ical {

std::string format(const Diagnostic& d) {
  std::string out;
  if (d.line > 0) out += "line " + std::to_string(d.line) + ": ";
  out += d.severity == Diagnostic::Severity::Error ? "error: " : "warning: ";
  out += d.message;
  return out;
}

}  // namespace creneau::ical
