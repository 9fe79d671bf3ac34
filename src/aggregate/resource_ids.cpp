#include "aggregate/resource_ids.h"

#include <algorithm>
#include <cctype>

namespace flowlens::aggregate {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// The value after "/<name>/" (case-insensitive), up to the next '/'.
std::string_view segment_after(std::string_view id, std::string_view lower_name, std::size_t* end) {
  std::string l = lower(id);
  std::string needle;
  needle.reserve(lower_name.size() + 2);
  needle.push_back('/');
  needle.append(lower_name);
  needle.push_back('/');
  std::size_t at = l.find(needle);
  if (at == std::string::npos) return {};
  std::size_t start = at + needle.size();
  std::size_t stop = id.find('/', start);
  if (stop == std::string_view::npos) stop = id.size();
  if (end != nullptr) *end = stop;
  return id.substr(start, stop - start);
}

}  // namespace

std::string network_of_target(std::string_view target) {
  std::size_t end = 0;
  if (!segment_after(target, "virtualnetworks", &end).empty()) return lower(target.substr(0, end));
  return {};
}

std::string subscription_of(std::string_view resource_id) {
  return lower(segment_after(resource_id, "subscriptions", nullptr));
}

std::string region_of_flow_log(std::string_view flow_log) {
  std::string_view watcher = segment_after(flow_log, "networkwatchers", nullptr);
  std::string l = lower(watcher);
  constexpr std::string_view kPrefix = "networkwatcher_";
  return l.rfind(kPrefix, 0) == 0 ? l.substr(kPrefix.size()) : std::string();
}

std::string_view target_resource_type(std::string_view target) {
  std::string l = lower(target);
  if (l.find("/subnets/") != std::string::npos) return "SUBNET";
  if (l.find("/virtualnetworks/") != std::string::npos) return "VNET";
  if (l.find("/networkinterfaces/") != std::string::npos) return "NIC";
  if (l.find("/networksecuritygroups/") != std::string::npos) return "NSG";
  return "";
}

}  // namespace flowlens::aggregate
