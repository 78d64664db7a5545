#include <filesystem>
#include <memory>
#include <ostream>

#include "bridge/cli/Args.h"
#include "bridge/cli/Commands.h"
#include "bridge/cli/OpenStore.h"
#include "engine/import/JsonImporter.h"

namespace creneau::bridge {

namespace {

// Prints at most `limit` issues, then how many more there are.
void printIssues(const std::vector<engine::ImportIssue>& issues, const std::string& file,
                 std::ostream& err, std::size_t limit = 50) {
  for (std::size_t i = 0; i < issues.size() && i < limit; ++i)
    err << engine::formatIssue(issues[i], file) << "\n";
  if (issues.size() > limit) err << file << ": ... and " << issues.size() - limit << " more\n";
}

}  // namespace

int importCommand(const std::vector<std::string>& argv, CliStreams io) {
  const Args args(argv, {"db"}, {"dry-run"});
  if (args.positionals().size() != 1) throw UsageError("import takes one FILE.json");
  const std::string file = args.positionals()[0];
  const std::string db = resolveDbPath(args.value("db"));

  // A new database is only created for a file that can be applied; references
  // may point at records of an existing one.
  std::unique_ptr<engine::Store> store;
  if (std::filesystem::exists(db)) store = openStore(db, OpenMode::MustExist);

  const engine::JsonImporter importer;
  const auto result = importer.checkFile(file, store.get());
  printIssues(result.warnings, file, io.err, 20);
  if (!result.ok()) {
    printIssues(result.errors, file, io.err);
    io.err << file << ": " << result.errors.size() << " error"
           << (result.errors.size() == 1 ? "" : "s") << "; nothing imported\n";
    return kExitInvalidInput;
  }
  const auto& b = result.batch;
  const std::size_t records = b.employees.size() + b.customers.size() + b.services.size() +
                              b.locations.size() + b.appointments.size() + b.events.size();
  if (args.flag("dry-run")) {
    io.out << file << ": valid, " << records << " records; nothing imported (--dry-run)\n";
    return kExitOk;
  }
  if (!store) store = openStore(db, OpenMode::CreateIfMissing);
  try {
    const auto s = store->apply(b);
    io.out << file << ": " << s.inserted << " inserted, " << s.updated << " updated, "
           << s.unchanged << " unchanged, " << s.deleted << " deleted\n";
  } catch (const engine::ImportError& e) {
    printIssues(e.issues(), file, io.err);
    io.err << file << ": nothing imported\n";
    return kExitInvalidInput;
  }
  return kExitOk;
}

}  // namespace creneau::bridge
