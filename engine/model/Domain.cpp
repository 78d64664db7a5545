#include "engine/model/Domain.h"

namespace creneau::engine {

namespace {
std::string joinName(const std::string& first, const std::string& last) {
  if (first.empty()) return last;
  if (last.empty()) return first;
  return first + " " + last;
}
}  // namespace

std::string Employee::fullName() const {
  return joinName(firstName, lastName);
}
std::string Customer::fullName() const {
  return joinName(firstName, lastName);
}

std::string_view toString(Status s) {
  switch (s) {
    case Status::Approved:
      return "approved";
    case Status::Pending:
      return "pending";
    case Status::Canceled:
      return "canceled";
    case Status::Rejected:
      return "rejected";
    case Status::NoShow:
      return "no-show";
  }
  return "approved";
}

std::optional<Status> parseStatus(std::string_view s) {
  if (s == "approved") return Status::Approved;
  if (s == "pending") return Status::Pending;
  if (s == "canceled" || s == "cancelled") return Status::Canceled;
  if (s == "rejected") return Status::Rejected;
  if (s == "no-show" || s == "noshow") return Status::NoShow;
  return std::nullopt;
}

}  // namespace creneau::engine
