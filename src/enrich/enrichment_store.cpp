#include "enrich/enrichment_store.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "enrich/azure_cli_import.h"
#include "enrich/topology_file.h"

namespace flowlens::enrich {
namespace {

namespace fs = std::filesystem;

fs::path root(const std::string& data_dir) {
  return fs::path(data_dir) / "enrichment";
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw EnrichError(fmt::format("{}: cannot open", path));
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// An Azure CLI export is a JSON array, or one ARM resource (an object with "type" and "id");
// a flowlens topology file is an object with arrays of objects.
bool looks_like_azure_cli(std::string_view text) {
  std::size_t i = 0;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") i = 3;
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i])))
    ++i;
  if (i < text.size() && text[i] == '[') return true;
  return text.find("\"vnets\"") == std::string_view::npos &&
         text.find("\"nics\"") == std::string_view::npos &&
         text.find("\"type\"") != std::string_view::npos;
}

// Writes `bytes` to `to` through a temporary file and a rename.
void write_atomically(const fs::path& to, std::string_view bytes) {
  fs::create_directories(to.parent_path());
  fs::path tmp = to;
  tmp += fmt::format(".tmp-{}", ::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.flush();
    if (!out) throw EnrichError(fmt::format("cannot write {}", tmp.string()));
  }
  fs::rename(tmp, to);
}

// Replaces the files of one kind (a directory of numbered copies).
std::vector<std::string> replace_set(const fs::path& dir, const std::vector<std::string>& given) {
  fs::path staging = dir;
  staging += fmt::format(".new-{}", ::getpid());
  fs::remove_all(staging);
  fs::create_directories(staging);
  std::vector<std::string> stored;
  for (std::size_t i = 0; i < given.size(); ++i) {
    fs::path name = fmt::format("{}-{}", i, fs::path(given[i]).filename().string());
    fs::copy_file(given[i], staging / name, fs::copy_options::overwrite_existing);
    stored.push_back((dir / name).string());
  }
  fs::path old = dir;
  old += fmt::format(".old-{}", ::getpid());
  if (fs::exists(dir)) fs::rename(dir, old);
  fs::rename(staging, dir);
  fs::remove_all(old);
  return stored;
}

std::vector<std::string> files_in(const fs::path& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_regular_file()) out.push_back(entry.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

std::vector<std::pair<Ticks, std::string>> topology_snapshots(const std::string& data_dir) {
  std::vector<std::pair<Ticks, std::string>> out;
  for (const std::string& path : files_in(root(data_dir) / "topology-snapshots")) {
    std::string stem = fs::path(path).stem().string();
    Ticks t = 0;
    auto [end, ec] = std::from_chars(stem.data(), stem.data() + stem.size(), t);
    if (ec == std::errc() && end == stem.data() + stem.size() &&
        fs::path(path).extension() == ".json") {
      out.emplace_back(t, path);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

Topology read_topology_inputs(const std::vector<std::string>& paths) {
  Topology merged;
  std::vector<std::string> azure;
  for (const std::string& path : paths) {
    std::string text = read_file(path);
    if (looks_like_azure_cli(text)) {
      azure.push_back(path);
    } else {
      merged.merge(parse_topology_json(text, path));
    }
  }
  if (!azure.empty()) merged.merge(import_azure_cli(azure));
  return merged;
}

EnrichmentSources stored_sources(const std::string& data_dir) {
  fs::path r = root(data_dir);
  EnrichmentSources s;
  std::error_code ec;
  if (fs::exists(r / "topology.json", ec)) s.topology = (r / "topology.json").string();
  if (fs::exists(r / "country.mmdb", ec)) s.geoip = (r / "country.mmdb").string();
  if (fs::exists(r / "service-tags.json", ec)) s.service_tags = (r / "service-tags.json").string();
  s.asn = files_in(r / "asn");
  s.threat_feeds = files_in(r / "threats");
  return s;
}

std::shared_ptr<const Enricher> store_and_load(const std::string& data_dir,
                                               const EnrichmentInputs& given) {
  // Load once, from the given files (so messages name them) and the stored ones.
  EnrichmentSources sources = stored_sources(data_dir);
  if (!given.geoip.empty()) sources.geoip = given.geoip;
  if (!given.asn.empty()) sources.asn = given.asn;
  if (!given.service_tags.empty()) sources.service_tags = given.service_tags;
  if (!given.threat_feeds.empty()) sources.threat_feeds = given.threat_feeds;
  std::optional<Topology> topology;
  std::string topology_json;
  if (!given.topology.empty()) {
    topology = read_topology_inputs(given.topology);
    topology_json = topology_to_json(*topology);
    sources.topology.clear();
  }
  if (sources.empty() && !topology) return nullptr;
  std::shared_ptr<const Enricher> enricher =
      Enricher::load(sources, topology ? &*topology : nullptr);
  // Everything loaded: keep copies.
  fs::path r = root(data_dir);
  fs::create_directories(r);
  if (topology) {
    write_atomically(r / "topology-snapshots" / fmt::format("{}.json", now_ticks()), topology_json);
    write_atomically(r / "topology.json", topology_json);
  }
  if (!given.geoip.empty()) write_atomically(r / "country.mmdb", read_file(given.geoip));
  if (!given.service_tags.empty()) {
    write_atomically(r / "service-tags.json", read_file(given.service_tags));
  }
  if (!given.asn.empty()) replace_set(r / "asn", given.asn);
  if (!given.threat_feeds.empty()) replace_set(r / "threats", given.threat_feeds);
  return enricher;
}

}  // namespace flowlens::enrich
