// The JSON Schema documents the import format; these tests keep it honest:
// the demo data and the valid fixtures pass it, the malformed ones do not.
// Uses Debian's python3-jsonschema through /usr/bin/python3 (the python3
// first on PATH may be a pyenv build without Debian's modules).
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "TestSupport.h"
#include "engine/import/JsonImporter.h"

namespace creneau::engine {
namespace {

namespace fs = std::filesystem;

constexpr const char* kPython = "/usr/bin/python3";

struct Run {
  int status = -1;
  std::string out;
};

Run run(const std::string& command) {
  Run r;
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf{};
  while (const auto n = std::fread(buf.data(), 1, buf.size(), p)) r.out.append(buf.data(), n);
  const int raw = ::pclose(p);
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  return r;
}

std::string quote(const fs::path& p) {
  return "'" + p.string() + "'";
}

class ImportSchemaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::exists(kPython)) << kPython << " is missing: install Debian's python3";
    const auto probe = run(std::string(kPython) + " -c 'import jsonschema'");
    ASSERT_EQ(probe.status, 0)
        << "the Python module jsonschema is missing: apt-get install -y python3-jsonschema "
           "(the set-up script must install it)\n"
        << probe.out;
  }

  // validate.py's verdict per file: true = valid.
  std::map<std::string, bool> validate(const std::vector<fs::path>& files) {
    std::string cmd =
        std::string(kPython) + " " + quote(test::fixturesDir() / "schema/validate.py");
    for (const auto& f : files) cmd += " " + quote(f);
    const auto r = run(cmd);
    EXPECT_NE(r.status, 2) << r.out;
    std::map<std::string, bool> verdict;
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) {
      for (const auto& f : files) {
        const auto prefix = f.string() + ": ";
        if (line.rfind(prefix, 0) != 0) continue;
        const bool valid = line.substr(prefix.size()) == "valid";
        if (!verdict.count(f.string()) || !valid) verdict[f.string()] = valid;
      }
    }
    output_ = r.out;
    return verdict;
  }

  std::string output_;
};

std::vector<fs::path> fixtures(const std::string& prefix) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(test::fixturesDir() / "import"))
    if (e.path().filename().string().rfind(prefix, 0) == 0 && e.path().extension() == ".json")
      out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

TEST_F(ImportSchemaTest, Schema_DemoAndValidFixtures_Validate) {
  std::vector<fs::path> files = {test::fixturesDir() / "demo/demo.json",
                                 test::fixturesDir() / "interop/edge-cases.json",
                                 test::fixturesDir() / "import/delete-appointment.json"};
  for (const auto& f : fixtures("valid-")) files.push_back(f);
  const auto verdict = validate(files);
  for (const auto& f : files) {
    ASSERT_TRUE(verdict.count(f.string())) << f << "\n" << output_;
    EXPECT_TRUE(verdict.at(f.string())) << f << "\n" << output_;
    // ... and the importer agrees.
    const auto r = JsonImporter().checkFile(f);
    EXPECT_TRUE(r.ok()) << f << ": " << (r.ok() ? "" : formatIssue(r.errors[0], f.string()));
  }
}

TEST_F(ImportSchemaTest, Schema_MalformedFixtures_AreRejected) {
  // Shape errors the schema sees. The importer rejects every malformed file;
  // these three need what a schema cannot know (zones, references, time order).
  const std::vector<std::string> beyondTheSchema = {"malformed-dangling-reference.json",
                                                    "malformed-end-before-start.json",
                                                    "malformed-unknown-zone.json"};
  const auto files = fixtures("malformed-");
  ASSERT_GE(files.size(), 8u);
  const auto verdict = validate(files);
  for (const auto& f : files) {
    ASSERT_TRUE(verdict.count(f.string())) << f << "\n" << output_;
    const bool schemaOnly = std::find(beyondTheSchema.begin(), beyondTheSchema.end(),
                                      f.filename().string()) == beyondTheSchema.end();
    EXPECT_EQ(verdict.at(f.string()), !schemaOnly) << f << "\n" << output_;
    EXPECT_FALSE(JsonImporter().checkFile(f).ok()) << f;
  }
}

TEST_F(ImportSchemaTest, Schema_IsAValidDraft202012SchemaWithEveryFieldDescribed) {
  const auto schema = test::fixturesDir() / "schema/creneau-import.schema.json";
  const std::string script =
      "import json, sys, jsonschema\n"
      "s = json.load(open(sys.argv[1], encoding='utf-8'))\n"
      "jsonschema.Draft202012Validator.check_schema(s)\n"
      "missing = []\n"
      "def walk(node, path):\n"
      "    if isinstance(node, dict):\n"
      "        for k, v in node.get('properties', {}).items():\n"
      "            if isinstance(v, dict) and 'description' not in v and '$ref' not in v:\n"
      "                missing.append(path + '.' + k)\n"
      "        for k, v in node.items():\n"
      "            if k != 'if':\n"
      "                walk(v, path + '/' + k)\n"
      "walk(s, '#')\n"
      "print('\\n'.join(missing))\n"
      "sys.exit(1 if missing else 0)\n";
  const auto py = test::scratchDir("schema-check") / "check.py";
  std::ofstream(py) << script;
  const auto r = run(std::string(kPython) + " " + quote(py) + " " + quote(schema));
  EXPECT_EQ(r.status, 0) << "fields without a description:\n" << r.out;
}

}  // namespace
}  // namespace creneau::engine
