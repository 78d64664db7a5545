#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "engine/model/Domain.h"

namespace creneau::engine {

// Who may log in (CalDAV, admin UI): the admin sees every employee's
// calendars, an employee only their own.
enum class Role { Admin, Employee };

[[nodiscard]] std::string_view toString(Role r);  // "admin", "employee"
[[nodiscard]] std::optional<Role> parseRole(std::string_view s);

// A slow salted password hash, kept with its parameters so the work factor
// can be raised later: hashes made with fewer iterations still verify and
// are replaced at the next successful login or `creneau user passwd`.
// salt and hash are raw bytes.
struct PasswordHash {
  std::string algorithm;  // "pbkdf2-sha256"
  int iterations = 0;
  std::string salt;
  std::string hash;
  bool operator==(const PasswordHash&) const = default;
};

struct User {
  Id id = 0;
  std::string login;  // normalized (see normalizeLogin)
  Role role = Role::Employee;
  std::optional<Id> employeeId;    // set exactly for employees
  std::string employeeExternalId;  // the booking system's id of that employee
  PasswordHash password;
  UnixTime createdAt = 0;
  UnixTime updatedAt = 0;
  bool operator==(const User&) const = default;
};

// What `creneau user add` stores.
struct NewUser {
  std::string login;
  Role role = Role::Employee;
  std::optional<Id> employeeId;
  PasswordHash password;
};

// The authenticated caller, as handlers see it.
struct Principal {
  std::string login;
  bool isAdmin = false;
  std::optional<Id> employeeId;    // row id; set for employees
  std::string employeeExternalId;  // the booking system's id; empty for the admin
  bool operator==(const Principal&) const = default;

  // Whether this principal may read the records of employee `id`.
  [[nodiscard]] bool canSeeEmployee(Id id) const { return isAdmin || employeeId == id; }
};

[[nodiscard]] Principal principalOf(const User& user);

// Why a new password cannot be used, or nullopt when it can: empty, fewer
// than 8 characters (UTF-8 code points), longer than 1024 bytes, or holding
// control characters.
[[nodiscard]] std::optional<std::string> passwordProblem(std::string_view password);

// Logins are case-insensitive: ASCII letters are lowered. nullopt when the
// login is empty, longer than 64 bytes, or holds anything but letters,
// digits and . _ - @ + (no ':' for HTTP Basic, no '/' for CalDAV paths).
[[nodiscard]] std::optional<std::string> normalizeLogin(std::string_view login);

}  // namespace creneau::engine
