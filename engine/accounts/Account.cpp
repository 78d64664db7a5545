#include "engine/accounts/Account.h"

namespace creneau::engine {

std::string_view toString(Role r) {
  return r == Role::Admin ? "admin" : "employee";
}

std::optional<Role> parseRole(std::string_view s) {
  if (s == "admin") return Role::Admin;
  if (s == "employee") return Role::Employee;
  return std::nullopt;
}

Principal principalOf(const User& user) {
  Principal p;
  p.login = user.login;
  p.isAdmin = user.role == Role::Admin;
  if (!p.isAdmin) {
    p.employeeId = user.employeeId;
    p.employeeExternalId = user.employeeExternalId;
  }
  return p;
}

std::optional<std::string> passwordProblem(std::string_view password) {
  if (password.empty()) return "the password is empty";
  if (password.size() > 1024) return "the password is longer than 1024 bytes";
  std::size_t chars = 0;
  for (const char ch : password) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f) return "the password holds a control character";
    if ((c & 0xC0) != 0x80) ++chars;  // not a UTF-8 continuation byte
  }
  if (chars < 8) return "the password is too short: at least 8 characters";
  return std::nullopt;
}

std::optional<std::string> normalizeLogin(std::string_view login) {
  if (login.empty() || login.size() > 64) return std::nullopt;
  std::string out;
  out.reserve(login.size());
  for (const char ch : login) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 'A' && c <= 'Z') {
      out += static_cast<char>(c - 'A' + 'a');
    } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
               c == '-' || c == '@' || c == '+') {
      out += static_cast<char>(c);
    } else {
      return std::nullopt;
    }
  }
  if (out == "." || out == "..") return std::nullopt;
  return out;
}

}  // namespace creneau::engine
