#include "bridge/cli/UserCommand.h"

#include <termios.h>
#include <unistd.h>

#include <ctime>
#include <iomanip>
#include <iostream>

#include "bridge/auth/Password.h"
#include "bridge/cli/Args.h"
#include "bridge/cli/OpenStore.h"
#include "engine/accounts/Account.h"
#include "engine/store/Store.h"

namespace creneau::bridge {

namespace {

constexpr const char* kUserUsage = R"(usage: creneau user COMMAND [--db PATH]

  add LOGIN --admin           add the admin login (sees every employee's calendars)
  add LOGIN --employee ID     add an employee's login (ID: the booking system's id)
  passwd LOGIN                set a new password
  remove LOGIN                delete a login
  list                        show every login with its role

add and passwd read the password from standard input, one line (at least 8
characters), without echo on a terminal:
  creneau user add sophie --employee emp-sophie
  printf '%s\n' "$PASSWORD" | creneau user passwd sophie
Logins are case-insensitive: letters, digits and . _ - @ +
)";

// Turns terminal echo off for its lifetime when `fd` is a terminal.
class NoEcho {
 public:
  explicit NoEcho(int fd) : fd_(fd) {
    if (!isatty(fd_) || tcgetattr(fd_, &saved_) != 0) return;
    termios quiet = saved_;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    active_ = tcsetattr(fd_, TCSAFLUSH, &quiet) == 0;
  }
  ~NoEcho() {
    if (active_) tcsetattr(fd_, TCSAFLUSH, &saved_);
  }
  NoEcho(const NoEcho&) = delete;
  NoEcho& operator=(const NoEcho&) = delete;
  [[nodiscard]] bool active() const { return active_; }

 private:
  int fd_;
  termios saved_{};
  bool active_ = false;
};

// One line of `in`, without its line end. Prompts on io.err, with echo off,
// only when `in` is the process's terminal.
std::string readPassword(std::istream& in, CliStreams io) {
  const bool terminal = &in == &std::cin && isatty(STDIN_FILENO);
  std::string line;
  if (terminal) {
    io.err << "Password: " << std::flush;
    const NoEcho quiet(STDIN_FILENO);
    std::getline(in, line);
    io.err << "\n";
  } else {
    std::getline(in, line);
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (const auto problem = engine::passwordProblem(line))
    throw UsageError(*problem + " (give the password on standard input, one line)");
  return line;
}

std::string loginArgument(const Args& args, std::size_t count) {
  const auto& pos = args.positionals();
  if (pos.size() < 2) throw UsageError(pos[0] + " needs a LOGIN");
  if (pos.size() > count) throw UsageError("unexpected argument '" + pos[count] + "'");
  auto login = engine::normalizeLogin(pos[1]);
  if (!login)
    throw UsageError("'" + pos[1] +
                     "' is not a valid login: 1 to 64 letters, digits and . _ - @ +");
  return *login;
}

std::string formatTime(engine::UnixTime t) {
  if (t == 0) return "-";
  const std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%SZ", &tm);
  return buf;
}

int add(const Args& args, CliStreams io, std::istream& in) {
  const std::string login = loginArgument(args, 2);
  const bool admin = args.flag("admin");
  const auto employeeExt = args.value("employee");
  if (admin == employeeExt.has_value())
    throw UsageError("user add needs exactly one of --admin or --employee ID");
  auto store = openStore(resolveDbPath(args.value("db")), OpenMode::CreateIfMissing);

  engine::NewUser user;
  user.login = login;
  user.role = admin ? engine::Role::Admin : engine::Role::Employee;
  if (employeeExt) {
    const auto employee = store->employeeByExternalId(*employeeExt);
    if (!employee)
      throw UsageError("no employee with id '" + *employeeExt +
                       "' (import the booking data first: 'creneau import FILE.json')");
    user.employeeId = employee->id;
  }
  if (store->userByLogin(login)) {
    io.err << "creneau user: login '" << login << "' exists already (use 'user passwd')\n";
    return kExitInvalidInput;
  }
  const std::string password = readPassword(in, io);
  user.password = hashPassword(password);
  if (!store->addUser(user)) {
    io.err << "creneau user: login '" << login << "' exists already (use 'user passwd')\n";
    return kExitInvalidInput;
  }
  io.out << "added " << (admin ? "admin" : "employee") << " login '" << login << "'";
  if (employeeExt) io.out << " for employee " << *employeeExt;
  io.out << "\n";
  return kExitOk;
}

int passwd(const Args& args, CliStreams io, std::istream& in) {
  const std::string login = loginArgument(args, 2);
  auto store = openStore(resolveDbPath(args.value("db")));
  if (!store->userByLogin(login)) {
    io.err << "creneau user: no login '" << login << "'\n";
    return kExitInvalidInput;
  }
  const std::string password = readPassword(in, io);
  if (!store->setUserPassword(login, hashPassword(password))) {
    io.err << "creneau user: no login '" << login << "'\n";
    return kExitInvalidInput;
  }
  io.out << "password of '" << login << "' changed\n";
  return kExitOk;
}

int remove(const Args& args, CliStreams io) {
  const std::string login = loginArgument(args, 2);
  auto store = openStore(resolveDbPath(args.value("db")));
  if (!store->removeUser(login)) {
    io.err << "creneau user: no login '" << login << "'\n";
    return kExitInvalidInput;
  }
  io.out << "removed login '" << login << "'\n";
  return kExitOk;
}

int list(const Args& args, CliStreams io) {
  if (args.positionals().size() > 1)
    throw UsageError("unexpected argument '" + args.positionals()[1] + "'");
  auto store = openStore(resolveDbPath(args.value("db")));
  const auto users = store->users();
  if (users.empty()) {
    io.out << "no logins yet: add one with 'creneau user add LOGIN --admin'\n";
    return kExitOk;
  }
  io.out << std::left << std::setw(24) << "LOGIN" << std::setw(10) << "ROLE" << std::setw(20)
         << "EMPLOYEE" << std::setw(22) << "CREATED"
         << "UPDATED\n";
  for (const auto& u : users)
    io.out << std::setw(24) << u.login << std::setw(10) << engine::toString(u.role) << std::setw(20)
           << (u.employeeExternalId.empty() ? "-" : u.employeeExternalId) << std::setw(22)
           << formatTime(u.createdAt) << formatTime(u.updatedAt) << "\n";
  return kExitOk;
}

}  // namespace

const char* userUsage() {
  return kUserUsage;
}

int userCommand(const std::vector<std::string>& argv, CliStreams io, std::istream& in) {
  const Args args(argv, {"db", "employee"}, {"admin", "help"});
  const auto& pos = args.positionals();
  if (args.flag("help") || pos.empty()) {
    (pos.empty() && !args.flag("help") ? io.err : io.out) << kUserUsage;
    return args.flag("help") ? kExitOk : kExitUsage;
  }
  const std::string& sub = pos[0];
  if (sub != "add" && (args.flag("admin") || args.value("employee")))
    throw UsageError("--admin and --employee go with 'user add'");
  if (sub == "add") return add(args, io, in);
  if (sub == "passwd") return passwd(args, io, in);
  if (sub == "remove") return remove(args, io);
  if (sub == "list") return list(args, io);
  throw UsageError("unknown user command '" + sub + "' (add, passwd, remove, list)");
}

}  // namespace creneau::bridge
