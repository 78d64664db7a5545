#pragma once

// RAII owners for libical objects. Private to ical/*.cpp: never include this
// from a public header (STYLE.md: libical stays behind the codec).

#include <libical/ical.h>

#include <cstdlib>
#include <memory>
#include <string>

namespace creneau::ical::detail {

struct ComponentDeleter {
  void operator()(icalcomponent* c) const noexcept {
    if (c) icalcomponent_free(c);
  }
};
struct PropertyDeleter {
  void operator()(icalproperty* p) const noexcept {
    if (p) icalproperty_free(p);
  }
};
struct ParserDeleter {
  void operator()(icalparser* p) const noexcept {
    if (p) icalparser_free(p);
  }
};
struct RecurIteratorDeleter {
  void operator()(icalrecur_iterator* it) const noexcept {
    if (it) icalrecur_iterator_free(it);
  }
};
// A zone made from a VTIMEZONE of the parsed file (not a built-in one:
// built-in zones belong to libical and are never freed by us).
struct TimezoneDeleter {
  void operator()(icaltimezone* z) const noexcept {
    if (z) icaltimezone_free(z, 1);
  }
};
// Strings returned by the *_r functions are malloc'ed and ours to free.
struct MallocDeleter {
  void operator()(char* s) const noexcept { std::free(s); }
};

using ComponentPtr = std::unique_ptr<icalcomponent, ComponentDeleter>;
using PropertyPtr = std::unique_ptr<icalproperty, PropertyDeleter>;
using ParserPtr = std::unique_ptr<icalparser, ParserDeleter>;
using RecurIteratorPtr = std::unique_ptr<icalrecur_iterator, RecurIteratorDeleter>;
using TimezonePtr = std::unique_ptr<icaltimezone, TimezoneDeleter>;
using CStringPtr = std::unique_ptr<char, MallocDeleter>;

// Takes ownership of a malloc'ed C string from libical and copies it out.
inline std::string takeString(char* s) {
  CStringPtr owned(s);
  return owned ? std::string(owned.get()) : std::string();
}

}  // namespace creneau::ical::detail
