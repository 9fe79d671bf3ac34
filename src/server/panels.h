// The dashboard's named panels: each is a KQL query over the stored tables, grouped into the
// views of the web UI (docs/dashboard.md). The server answers GET /api/panels (the catalogue)
// and GET /api/panels/<id>?filters (one panel's query and result).
//
// A panel's query is complete, readable KQL: a prelude of `let` statements that carries the
// global filters (time window, flow types, VNet, subnet, direction, status, protocol), the
// chosen unit, the chart bin and the panel's own parameters, then the panel's body. The same
// text runs unchanged in the KQL console or `flowlens query`, so every number on the dashboard
// can be reproduced and edited. Filter values are validated here and written as KQL string
// literals with escapes, so no parameter can change the shape of a query.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "common/timestamp.h"

namespace flowlens::server {

struct PanelDef {
  std::string_view id;                   // "overview.totals"
  std::string_view view;                 // "overview"
  std::string_view title;                // shown above the panel
  std::string_view description;          // one sentence: what the numbers mean
  std::string_view render;               // table, card, timechart, barchart, piechart, map, graph
  std::vector<std::string_view> params;  // required panel parameters: "ip", "country"
  std::string_view body;                 // KQL after the prelude
};

struct ViewDef {
  std::string_view id;
  std::string_view title;
};

const std::vector<ViewDef>& dashboard_views();
const std::vector<PanelDef>& dashboard_panels();
const PanelDef* find_panel(std::string_view id);

enum class Unit { kFlows, kBytes, kPackets };

// The global filters and panel parameters, validated.
struct PanelFilters {
  std::optional<Ticks> from, to;  // unset: the 24 hours that end at the newest data
  Unit unit = Unit::kFlows;
  std::vector<std::string> flow_types;
  std::string vnet;       // "resourceGroup/vnet", as in the Src/DestSubnet prefix
  std::string subnet;     // "resourceGroup/vnet/subnet"
  std::string direction;  // Inbound | Outbound
  std::string status;     // Allowed | Denied
  std::string protocol;   // TCP | UDP (any L4Protocol value)
  std::string ip;         // panel parameter of the ip.* panels
  std::string country;    // panel parameter of geo.country (ISO 3166 alpha-2)
};

// A filter or parameter the server refuses (HTTP 400); the message names it.
class PanelParamError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reads one filter from a URL parameter; throws PanelParamError for a bad value.
// Unknown names are refused too, so a typo never silently shows unfiltered numbers.
void set_panel_filter(PanelFilters& filters, std::string_view name, std::string_view value);

// The complete KQL of `panel` under `filters`. `data_end` (the end of the newest stored rollup
// interval, or unset when the store is empty) anchors the default window. The window widens to
// whole rollup intervals of `interval` (panels filter and bin on FlowIntervalStartTime, which
// lets aggregations read the stored partial rows without merging them). Throws
// PanelParamError when a required parameter is missing or the window is empty.
std::string panel_query(const PanelDef& panel, const PanelFilters& filters,
                        std::optional<Ticks> data_end, Ticks interval = 10 * kTicksPerMinute);

// The KQL string literal for `text` (double quotes, backslash escapes).
std::string kql_string_literal(std::string_view text);

}  // namespace flowlens::server
