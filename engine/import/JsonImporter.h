#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "engine/import/ImportBatch.h"

namespace creneau::engine {

class Store;

struct JsonImportOptions {
  std::size_t maxBytes = 64u * 1024u * 1024u;  // larger inputs are refused before parsing
  std::size_t maxErrors = 200;                 // then stop: fix these first
};

struct JsonImportResult {
  ImportBatch batch;                  // complete only when ok()
  std::vector<ImportIssue> errors;    // sorted by line; empty when the file can be applied
  std::vector<ImportIssue> warnings;  // worth reading, but the file can be applied
  [[nodiscard]] bool ok() const { return errors.empty(); }
};

// Reads the JSON import format (fixtures/schema/creneau-import.schema.json)
// into an ImportBatch. Parsing is Poco::JSON's; this class validates every
// field (types, required fields, enums, ranges, time zones, e-mail shape,
// date-times, end after start, references) and reports every problem with
// its line, column and JSON path. It never writes: pass the batch to
// Store::apply, which upserts it in one transaction.
class JsonImporter {
 public:
  static constexpr int kFormatVersion = 1;

  explicit JsonImporter(JsonImportOptions options = {}) : options_(options) {}

  // Validates `text`. References must resolve within the file or, when
  // `store` is given, to records already in it. Never throws on bad input.
  [[nodiscard]] JsonImportResult check(std::string_view text, const Store* store = nullptr) const;

  // check(), throwing ImportError with every error when the text is invalid.
  [[nodiscard]] ImportBatch parse(std::string_view text, const Store& store) const;

  // The same for a file; the size limit is checked before reading it.
  // Throws std::runtime_error when the file cannot be read.
  [[nodiscard]] JsonImportResult checkFile(const std::filesystem::path& file,
                                           const Store* store = nullptr) const;
  [[nodiscard]] ImportBatch parseFile(const std::filesystem::path& file, const Store& store) const;

 private:
  JsonImportOptions options_;
};

// "FILE:LINE:COLUMN: error: PATH: message" (parts left out when unknown),
// the shape compilers use, so editors can jump to the line.
[[nodiscard]] std::string formatIssue(const ImportIssue& issue, std::string_view fileName);

}  // namespace creneau::engine
