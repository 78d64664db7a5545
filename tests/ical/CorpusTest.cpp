// The shared corpus (/work/shared/corpus/ics, SOURCES.tsv): every file whose
// category is not "malformed" validates without an Error, every malformed
// file has at least one Error with the line of the offending content line,
// and no input, however cut or garbled, crashes or hangs the parser.

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include "TestSupport.h"
#include "ical/IcalCodec.h"
#include "ical/Validator.h"

namespace creneau::ical {
namespace {

struct CorpusFile {
  std::string name;
  std::string category;
};

std::vector<CorpusFile> corpus() {
  std::vector<CorpusFile> files;
  std::istringstream tsv(test::readFile(test::corpusDir() / "SOURCES.tsv"));
  std::string line;
  std::getline(tsv, line);  // header: file repo path commit license category notes sha256
  while (std::getline(tsv, line)) {
    std::vector<std::string> cols;
    std::size_t pos = 0;
    while (true) {
      const std::size_t tab = line.find('\t', pos);
      cols.push_back(line.substr(pos, tab - pos));
      if (tab == std::string::npos) break;
      pos = tab + 1;
    }
    if (cols.size() >= 6) files.push_back({cols[0], cols[5]});
  }
  return files;
}

std::string errorsOf(const std::vector<Diagnostic>& ds) {
  std::string out;
  for (const auto& d : ds)
    if (d.severity == Diagnostic::Severity::Error) out += "  " + format(d) + "\n";
  return out;
}

// Files whose category says valid but which break a MUST of RFC 5545 that the
// malformed category also relies on. Each entry pins the exact remaining
// errors, so anything new still fails the test.
const std::map<std::string, std::vector<int>> kKnownIssues = {
    // Its sample VEVENT has two DTSTART lines (48 and 49), the very defect
    // malformed-large-late-error.ics is filed as malformed for; no rule can
    // accept one and reject the other.
    {"vtimezone-pacific-fiji.ics", {49}},
};

TEST(CorpusTest, Corpus_HasTheFilesSourcesTsvLists) {
  const auto files = corpus();
  EXPECT_EQ(files.size(), 78u);
  for (const auto& f : files)
    EXPECT_TRUE(std::filesystem::exists(test::corpusDir() / f.name)) << f.name;
}

TEST(CorpusTest, Validate_ValidCorpus_NoFileHasAnError) {
  std::size_t checked = 0;
  for (const auto& f : corpus()) {
    if (f.category == "malformed") continue;
    ++checked;
    const auto ds = validate(test::readFile(test::corpusDir() / f.name));
    if (auto known = kKnownIssues.find(f.name); known != kKnownIssues.end()) {
      std::vector<int> lines;
      for (const auto& d : ds)
        if (d.severity == Diagnostic::Severity::Error) lines.push_back(d.line);
      EXPECT_EQ(lines, known->second) << f.name << "\n" << errorsOf(ds);
      continue;
    }
    EXPECT_FALSE(hasErrors(ds)) << f.name << " (" << f.category << ")\n" << errorsOf(ds);
  }
  EXPECT_EQ(checked, 60u);
}

TEST(CorpusTest, Validate_MalformedCorpus_EachFileHasAnErrorWithLine) {
  std::size_t checked = 0;
  for (const auto& f : corpus()) {
    if (f.category != "malformed") continue;
    ++checked;
    const auto ds = validate(test::readFile(test::corpusDir() / f.name));
    bool withLine = false;
    for (const auto& d : ds)
      withLine = withLine || (d.severity == Diagnostic::Severity::Error && d.line > 0);
    EXPECT_TRUE(withLine) << f.name << " has no error with a line";
  }
  EXPECT_EQ(checked, 18u);
}

TEST(CorpusTest, Validate_MalformedCorpus_PointsAtTheOffendingLine) {
  // file -> a line that must carry an Error, and a word of its message.
  const std::vector<std::tuple<std::string, int, std::string>> expected = {
      {"malformed-large-late-error.ics", 2407, "DTSTART appears more than once"},
      {"malformed-missing-colon.ics", 2, "no ':'"},
      {"malformed-param-value.ics", 2, "empty parameter"},
      {"malformed-quoted-params.ics", 2, "unterminated quoted value"},
      {"malformed-broken-ical.ics", 4, "empty parameter"},
      {"malformed-nul-in-component-name.ics", 1, "control character 0x00"},
      {"malformed-lone-cr.ics", 2, "control character"},
      {"malformed-utc-offset.ics", 7, "TZOFFSETFROM +5744 is out of range"},
      {"malformed-tzoffset.ics", 9, "TZOFFSETFROM +5328 is out of range"},
      {"malformed-invalid-duration.ics", 8, "DURATION"},
      {"malformed-parsing-error.ics", 19, "EXDATE has no value"},
      {"malformed-bad-rrule.ics", 50, "RRULE value starts with \"RRULE:\""},
      {"malformed-end-before-start.ics", 32, "DTEND is before DTSTART"},
      {"malformed-missing-uid.ics", 4, "has no UID"},
      {"malformed-exdate-type-mismatch.ics", 6, "matches no occurrence"},
      {"malformed-recur-errors.ics", 5, "US-Eastern"},
      {"malformed-big-bad-calendar.ics", 2, "no DTSTART"},
      {"exchange-cdo-invalid.ics", 36, "CLASS has no value"},
  };
  for (const auto& [file, line, words] : expected) {
    const auto ds = validate(test::readFile(test::corpusDir() / file));
    bool found = false;
    for (const auto& d : ds)
      found = found || (d.severity == Diagnostic::Severity::Error && d.line == line &&
                        d.message.find(words) != std::string::npos);
    EXPECT_TRUE(found) << file << ": no error at line " << line << " about \"" << words << "\"\n"
                       << errorsOf(ds);
  }
}

TEST(CorpusTest, Parse_ValidCorpus_ReadsEveryEvent) {
  for (const auto& f : corpus()) {
    if (f.category == "malformed") continue;
    const std::string text = test::readFile(test::corpusDir() / f.name);
    std::size_t begins = 0;
    for (std::size_t pos = 0; (pos = text.find("BEGIN:VEVENT", pos)) != std::string::npos; ++pos)
      ++begins;
    const ParseResult r = parse(text);
    EXPECT_EQ(r.calendar.events.size(), begins) << f.name;
    for (const auto& e : r.calendar.events) EXPECT_FALSE(e.uid.empty()) << f.name;
  }
}

// Every file cut at several offsets, with bytes flipped, and random bytes:
// parse() and validate() must return, never crash.
TEST(CorpusTest, Parse_TruncatedAndGarbledCorpus_NeverCrashesOrHangs) {
  std::mt19937 rng(20260329);
  const auto started = std::chrono::steady_clock::now();
  std::size_t inputs = 0;
  for (const auto& f : corpus()) {
    const std::string text = test::readFile(test::corpusDir() / f.name);
    std::vector<std::string> variants;
    for (int k = 1; k <= 7; ++k) variants.push_back(text.substr(0, text.size() * k / 8));
    variants.push_back(text.substr(0, text.size() - 1));
    for (int k = 0; k < 4; ++k) {
      std::string garbled = text;
      for (int n = 0; n < 12 && !garbled.empty(); ++n)
        garbled[rng() % garbled.size()] = static_cast<char>(rng() % 256);
      variants.push_back(std::move(garbled));
    }
    std::string shuffled = text;  // lines out of order
    std::shuffle(shuffled.begin() + static_cast<long>(shuffled.size() / 2), shuffled.end(), rng);
    variants.push_back(std::move(shuffled));
    for (const auto& v : variants) {
      const ParseResult r = parse(v);
      (void)validate(v);
      for (const auto& d : r.diagnostics) EXPECT_GE(d.line, 0);
      ++inputs;
    }
  }
  for (int k = 0; k < 200; ++k) {
    std::string noise(rng() % 2000, '\0');
    for (auto& c : noise) c = static_cast<char>(rng() % 256);
    if (k % 2) noise = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n" + noise;
    (void)parse(noise);
    ++inputs;
  }
  for (const char* odd : {"", "\r\n", "BEGIN:", "END:VCALENDAR", ":", ";", "BEGIN:VEVENT",
                          "BEGIN:VCALENDAR\nEND:VEVENT\nEND:VEVENT\nEND:VCALENDAR",
                          "DTSTART;TZID=\"", "RRULE:FREQ=SECONDLY", " \n \n"})
    (void)parse(odd);
  EXPECT_GT(inputs, 1000u);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(120));
}

}  // namespace
}  // namespace creneau::ical
