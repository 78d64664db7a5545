#pragma once

#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace creneau::bridge {

// A command line problem: printed with the command's usage, exit status 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Command-line arguments after the subcommand: --name value, --name=value,
// --flag, and positionals. Options are declared up front so a typo is an
// error, not a silently ignored flag.
class Args {
 public:
  Args(const std::vector<std::string>& argv, const std::set<std::string>& valued,
       const std::set<std::string>& flags);

  [[nodiscard]] std::optional<std::string> value(const std::string& name) const;
  [[nodiscard]] bool flag(const std::string& name) const { return flags_.count(name) > 0; }
  [[nodiscard]] const std::vector<std::string>& positionals() const { return positionals_; }

 private:
  std::map<std::string, std::string> values_;
  std::set<std::string> flags_;
  std::vector<std::string> positionals_;
};

}  // namespace creneau::bridge
