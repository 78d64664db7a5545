#include "engine/render/Template.h"

#include <gtest/gtest.h>

#include <set>

namespace creneau::engine {
namespace {

PlaceholderValues values() {
  PlaceholderValues v;
  v[static_cast<size_t>(Placeholder::ServiceName)] = "Haircut";
  v[static_cast<size_t>(Placeholder::CustomerFullName)] = "Zoë Ångström";
  return v;
}

TEST(TemplateTest, Render_ReplacesKnownPlaceholders) {
  const Template t("%service_name% for %customer_full_name%");
  EXPECT_EQ(t.render(values()), "Haircut for Zoë Ångström");
  EXPECT_TRUE(t.unknownPlaceholders().empty());
}

TEST(TemplateTest, UnknownPlaceholder_IsReportedAndKeptVerbatim) {
  const Template t("%service_nmae% – %customer_full_name% %foo%");
  EXPECT_EQ(t.unknownPlaceholders(), (std::vector<std::string>{"service_nmae", "foo"}));
  EXPECT_EQ(t.render(values()), "%service_nmae% – Zoë Ångström %foo%");
}

TEST(TemplateTest, LonePercentSigns_AreLiteralText) {
  const Template t("50% off, 100%% sure, %Service_Name% %");
  EXPECT_TRUE(t.unknownPlaceholders().empty());
  EXPECT_EQ(t.render(values()), "50% off, 100%% sure, %Service_Name% %");
}

TEST(TemplateTest, AdjacentPlaceholders_RenderWithoutSeparator) {
  const Template t("%service_name%%customer_full_name%");
  EXPECT_EQ(t.render(values()), "HaircutZoë Ångström");
  EXPECT_TRUE(t.uses(Placeholder::ServiceName));
  EXPECT_FALSE(t.uses(Placeholder::MeetingUrl));
}

TEST(TemplateTest, Catalog_HasEveryPlaceholderOnceWithTheIssueNames) {
  std::set<std::string> names;
  for (const auto& p : placeholderCatalog()) names.insert(std::string(p.name));
  EXPECT_EQ(names.size(), placeholderCatalog().size());
  for (const char* required :
       {"service_name",          "service_description",    "service_duration",
        "service_price",         "employee_full_name",     "employee_email",
        "employee_phone",        "customer_full_name",     "customer_first_name",
        "customer_last_name",    "customer_email",         "customer_phone",
        "customer_note",         "appointment_id",         "appointment_date",
        "appointment_date_time", "appointment_start_time", "appointment_end_time",
        "appointment_notes",     "appointment_status",     "booked_persons",
        "location_name",         "location_address",       "event_name",
        "event_description",     "event_location",         "meeting_url"})
    EXPECT_TRUE(names.count(required)) << required;
  for (size_t i = 0; i < placeholderCatalog().size(); ++i)
    EXPECT_EQ(static_cast<size_t>(placeholderCatalog()[i].id), i)
        << "catalog order must match the enum";
}

}  // namespace
}  // namespace creneau::engine
