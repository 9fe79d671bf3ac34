#include "store/ip_details.h"

#include <algorithm>
#include <map>
#include <string>
#include <tuple>

#include "common/ip_address.h"
#include "common/timestamp.h"

namespace flowlens::store {

using flowlens::Ticks;

IpFilter::IpFilter(const std::vector<std::string>& texts) {
  for (const std::string& t : texts) {
    IpAddress ip{};
    if (parse_ip(t, ip)) {
      addresses_.push_back(ip);
    } else {
      texts_.push_back(t);
    }
  }
  std::sort(addresses_.begin(), addresses_.end());
  std::sort(texts_.begin(), texts_.end());
}

bool IpFilter::contains(const IpAddress& ip) const {
  return std::binary_search(addresses_.begin(), addresses_.end(), ip);
}

bool IpFilter::contains_text(std::string_view text) const {
  return std::binary_search(texts_.begin(), texts_.end(), text);
}

void derive_ip_details(const RowBatch& analytics, RowBatchBuilder& out,
                       const IpDetailsLookup* lookup, const IpFilter* wanted) {
  const TableDef& na = *analytics.table;
  const TableDef& ipd = ip_details_table();
  auto col = [&](std::string_view name) -> const ColumnData& {
    return analytics.columns[static_cast<std::size_t>(na.column_index(name))];
  };
  const ColumnData& generated = col("TimeGenerated");
  const ColumnData& start = col("FlowIntervalStartTime");
  const ColumnData& interval_end = col("FlowIntervalEndTime");
  const ColumnData& flow_type = col("FlowType");
  const ColumnData& src_public = col("SrcPublicIps");
  const ColumnData& dest_public = col("DestPublicIps");
  const ColumnData& country = col("Country");
  const ColumnData& azure_region = col("AzureRegion");

  struct Seen {
    Ticks generated;
    Ticks end;
    std::string_view location;  // AzurePublic: the Azure region; else the country
  };
  // (interval start, flow type, address, address text) -> latest TimeGenerated, interval end
  std::map<std::tuple<Ticks, std::string_view, IpAddress, std::string_view>, Seen> seen;
  for (std::uint32_t row : analytics.rows) {
    for (const ColumnData* list : {&src_public, &dest_public}) {
      if (list->is_null(row)) continue;
      std::string_view entries = list->string_at(row);
      while (!entries.empty()) {
        std::size_t space = entries.find(' ');
        std::string_view entry = entries.substr(0, space);
        entries = space == std::string_view::npos ? std::string_view() : entries.substr(space + 1);
        std::string_view text = entry.substr(0, entry.find('|'));
        if (text.empty()) continue;
        IpAddress ip{};
        bool parsed = parse_ip(text, ip);
        if (wanted && !(parsed ? wanted->contains(ip) : wanted->contains_text(text))) continue;
        if (!parsed) ip.bytes.fill(0xff);  // never produced by flowlens; kept, sorted last
        auto key = std::make_tuple(start.ints[row], flow_type.string_at(row), ip,
                                   parsed ? std::string_view() : text);
        auto [it, inserted] =
            seen.try_emplace(key, Seen{generated.ints[row], interval_end.ints[row], {}});
        if (it->second.location.empty()) {
          std::string_view region = azure_region.is_null(row) ? "" : azure_region.string_at(row);
          it->second.location =
              !region.empty() ? region : (country.is_null(row) ? "" : country.string_at(row));
        }
        if (!inserted) it->second.generated = std::max(it->second.generated, generated.ints[row]);
      }
    }
  }
  char text[kMaxIpTextLength];
  std::vector<IpDetailsInfo> infos;
  for (const auto& [key, s] : seen) {
    const auto& [interval, type, ip, raw] = key;
    infos.clear();
    if (lookup != nullptr && *lookup && raw.empty()) (*lookup)(ip, type, infos);
    if (infos.empty()) infos.emplace_back();
    for (const IpDetailsInfo& info : infos) {
      for (std::size_t c = 0; c < ipd.columns.size(); ++c) {
        std::string_view name = ipd.columns[c].name;
        if (name == "TimeGenerated") {
          out.put_int(c, s.generated);
        } else if (name == "SubType") {
          out.put_string(c, "FlowLog");
        } else if (name == "FaSchemaVersion") {
          out.put_string(c, "3");
        } else if (name == "FlowIntervalStartTime") {
          out.put_int(c, interval);
        } else if (name == "FlowIntervalEndTime") {
          out.put_int(c, s.end);
        } else if (name == "FlowType") {
          out.put_string(c, type);
        } else if (name == "Ip") {
          out.put_string(c, raw.empty() ? std::string_view(text, format_ip(ip, text)) : raw);
        } else if (name == "Port") {
          if (info.port > 0) {
            out.put_int(c, info.port);
          } else {
            out.put_null(c);
          }
        } else if (name == "Location") {
          out.put_string(c, s.location);
        } else if (name == "PublicIpDetails") {
          out.put_string(c, info.public_ip_details);
        } else if (name == "ThreatType") {
          out.put_string(c, info.threat_type);
        } else if (name == "ThreatDescription") {
          out.put_string(c, info.threat_description);
        } else if (name == "DnsDomain") {
          out.put_string(c, info.dns_domain);
        } else if (name == "Url") {
          out.put_string(c, info.url);
        } else {
          out.put_string(c, "");
        }
      }
      out.end_row();
    }
  }
}

}  // namespace flowlens::store
