// The dashboard's panel catalogue: filter validation, the KQL prelude the filters become, and
// the literals that keep parameters from changing a query's shape.
#include <gtest/gtest.h>

#include <set>

#include "common/timestamp.h"
#include "query/lexer.h"
#include "server/panels.h"

namespace flowlens::server {
namespace {

Ticks at(const char* text) {
  return *parse_user_time(text);
}

TEST(ServerPanels, CatalogueIdsAreUniqueAndBelongToAView) {
  std::set<std::string_view> views, ids;
  for (const ViewDef& v : dashboard_views())
    views.insert(v.id);
  for (const PanelDef& p : dashboard_panels()) {
    EXPECT_TRUE(ids.insert(p.id).second) << p.id;
    EXPECT_TRUE(views.count(p.view)) << p.id;
    EXPECT_EQ(p.id.substr(0, p.id.find('.')), p.view == "distribution" ? "dist" : p.view) << p.id;
    EXPECT_FALSE(p.title.empty());
    EXPECT_FALSE(p.description.empty());
    EXPECT_EQ(find_panel(p.id), &p);
  }
  EXPECT_EQ(find_panel("overview.nope"), nullptr);
}

TEST(ServerPanels, StringLiteralsEscapeQuotesAndBackslashes) {
  EXPECT_EQ(kql_string_literal("plain"), "\"plain\"");
  EXPECT_EQ(kql_string_literal(R"(a"b\c)"), R"("a\"b\\c")");
  // The literal lexes as one string token whatever the input holds.
  for (std::string_view hostile : {R"(x" or 1 == 1 //)", R"(\)", R"(";drop)", "a'b"}) {
    std::string lit = kql_string_literal(hostile);
    auto tokens = query::tokenize(lit);
    ASSERT_GE(tokens.size(), 1u) << lit;
    EXPECT_EQ(tokens[0].kind, query::TokenKind::kString) << lit;
    EXPECT_EQ(tokens[0].text.size(), lit.size()) << lit;
    EXPECT_EQ(tokens[0].value, hostile);
  }
}

TEST(ServerPanels, FiltersAreValidated) {
  PanelFilters f;
  set_panel_filter(f, "from", "2026-11-01T00:00:00Z");
  set_panel_filter(f, "unit", "bytes");
  set_panel_filter(f, "flowtype", "ExternalPublic,MaliciousFlow");
  set_panel_filter(f, "direction", "Inbound");
  set_panel_filter(f, "country", "de");
  EXPECT_EQ(f.from, at("2026-11-01T00:00:00Z"));
  EXPECT_EQ(f.unit, Unit::kBytes);
  EXPECT_EQ(f.flow_types, (std::vector<std::string>{"ExternalPublic", "MaliciousFlow"}));
  EXPECT_EQ(f.country, "DE");
  EXPECT_THROW(set_panel_filter(f, "from", "yesterday-ish"), PanelParamError);
  EXPECT_THROW(set_panel_filter(f, "unit", "frames"), PanelParamError);
  EXPECT_THROW(set_panel_filter(f, "direction", "Sideways"), PanelParamError);
  EXPECT_THROW(set_panel_filter(f, "status", "allowed; drop"), PanelParamError);
  EXPECT_THROW(set_panel_filter(f, "ip", "10.0.0.1\" or true"), PanelParamError);
  EXPECT_THROW(set_panel_filter(f, "ip", ":::::"), PanelParamError);
  set_panel_filter(f, "ip", "FE80:0:0::1");
  EXPECT_EQ(f.ip, "fe80::1");  // as the store writes it
  EXPECT_THROW(set_panel_filter(f, "country", "DEU"), PanelParamError);
  EXPECT_THROW(set_panel_filter(f, "vnet", std::string("a\nb")), PanelParamError);
  EXPECT_THROW(set_panel_filter(f, "flowtyp", "x"), PanelParamError);  // typo: refused
}

TEST(ServerPanels, DefaultWindowIsTheDayBeforeTheNewestData) {
  const PanelDef* p = find_panel("dist.flowtype");
  ASSERT_NE(p, nullptr);
  std::string q = panel_query(*p, PanelFilters{}, at("2026-11-02T00:00:00Z"));
  EXPECT_NE(q.find("let Start = datetime(2026-11-01T00:00:00.0000000Z);"), std::string::npos) << q;
  EXPECT_NE(q.find("let End = datetime(2026-11-02T00:00:00.0000000Z);"), std::string::npos) << q;
  EXPECT_NE(q.find("let Bin = 30m;"), std::string::npos) << q;  // about 50 points per day
  EXPECT_NE(q.find("AllowedInFlows + AllowedOutFlows + DeniedInFlows + DeniedOutFlows"),
            std::string::npos);
}

TEST(ServerPanels, FiltersBecomeWhereClausesWithLiterals) {
  const PanelDef* p = find_panel("overview.inbound");
  PanelFilters f;
  set_panel_filter(f, "from", "2026-11-01T00:00:00Z");
  set_panel_filter(f, "to", "2026-11-01T01:00:00Z");
  set_panel_filter(f, "unit", "packets");
  set_panel_filter(f, "flowtype", "MaliciousFlow");
  set_panel_filter(f, "vnet", "rg-app/vnet-\"app\"");
  set_panel_filter(f, "status", "Denied");
  set_panel_filter(f, "protocol", "TCP");
  std::string q = panel_query(*p, f, std::nullopt);
  EXPECT_NE(q.find("let Bin = 10m;"), std::string::npos) << q;  // never below the interval
  EXPECT_NE(q.find("| where FlowType in (\"MaliciousFlow\")"), std::string::npos) << q;
  EXPECT_NE(q.find(R"(SrcSubnet startswith "rg-app/vnet-\"app\"/")"), std::string::npos) << q;
  EXPECT_NE(q.find("| where FlowStatus == \"Denied\""), std::string::npos) << q;
  EXPECT_NE(q.find("| where L4Protocol == \"TCP\""), std::string::npos) << q;
  EXPECT_NE(q.find("PacketsSrcToDest + PacketsDestToSrc"), std::string::npos) << q;
  // Views the body does not use are not in the prelude.
  EXPECT_EQ(q.find("PublicEndpointsOf"), std::string::npos) << q;
}

TEST(ServerPanels, WindowsWidenToWholeRollupIntervals) {
  PanelFilters f;
  set_panel_filter(f, "from", "2026-11-01T00:07:00Z");
  set_panel_filter(f, "to", "2026-11-01T02:01:00Z");
  std::string q = panel_query(*find_panel("dist.l7"), f, std::nullopt, 10 * kTicksPerMinute);
  EXPECT_NE(q.find("let Start = datetime(2026-11-01T00:00:00.0000000Z);"), std::string::npos) << q;
  EXPECT_NE(q.find("let End = datetime(2026-11-01T02:10:00.0000000Z);"), std::string::npos) << q;
  EXPECT_NE(q.find("FlowIntervalStartTime >= Start and FlowIntervalStartTime < End"),
            std::string::npos)
      << q;
  // With hourly intervals, bins are whole hours.
  std::string h = panel_query(*find_panel("dist.timeline"), f, std::nullopt, 60 * kTicksPerMinute);
  EXPECT_NE(h.find("let Bin = 1h;"), std::string::npos) << h;
}

TEST(ServerPanels, ParametersAreRequiredAndWindowsMustBeOrdered) {
  PanelFilters f;
  EXPECT_THROW(panel_query(*find_panel("ip.peers"), f, at("2026-11-02T00:00:00Z")),
               PanelParamError);
  EXPECT_THROW(panel_query(*find_panel("geo.country"), f, at("2026-11-02T00:00:00Z")),
               PanelParamError);
  set_panel_filter(f, "from", "2026-11-02T00:00:00Z");
  set_panel_filter(f, "to", "2026-11-01T00:00:00Z");
  EXPECT_THROW(panel_query(*find_panel("dist.l7"), f, std::nullopt), PanelParamError);
  PanelFilters g;
  set_panel_filter(g, "ip", "ace:cab:deca::4");
  std::string q = panel_query(*find_panel("ip.peers"), g, at("2026-11-02T00:00:00Z"));
  EXPECT_NE(q.find("let SelectedIp = \"ace:cab:deca::4\";"), std::string::npos) << q;
  EXPECT_NE(q.find("contains SelectedIp"), std::string::npos) << q;  // prefilter before expansion
}

}  // namespace
}  // namespace flowlens::server
