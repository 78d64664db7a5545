#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace creneau::test {

inline std::filesystem::path sourceDir() {
  return CRENEAU_SOURCE_DIR;
}
inline std::filesystem::path sharedDir() {
  return CRENEAU_SHARED_DIR;
}
inline std::filesystem::path fixturesDir() {
  return sourceDir() / "fixtures";
}
// The creneau executable built with the tests (for end-to-end tests).
inline std::filesystem::path creneauBinary() {
  return CRENEAU_BINARY;
}
inline std::filesystem::path corpusDir() {
  return sharedDir() / "corpus" / "ics";
}

inline std::string readFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + p.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Reads fixtures/<relative>.
inline std::string readFixture(const std::string& relative) {
  return readFile(fixturesDir() / relative);
}

// A fresh directory under the build tree, removed and recreated per call.
inline std::filesystem::path scratchDir(const std::string& name) {
  auto dir = std::filesystem::path(CRENEAU_BINARY_DIR) / "test-scratch" / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace creneau::test
