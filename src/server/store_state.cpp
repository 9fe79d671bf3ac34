#include "server/store_state.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>

#include "store/catalog.h"
#include "store/data_dir.h"

namespace flowlens::server {

StoreState read_store_state(const std::filesystem::path& data_dir) {
  auto dir = store::DataDir::open(data_dir.string(), store::DataDir::Mode::kRead);
  store::Catalog& catalog = dir->catalog();
  StoreState state;
  Ticks from = kMaxTicks, to = kMinTicks;
  Ticks& interval = state.interval;
  {
    store::Catalog::Transaction read(catalog, false);
    for (const store::SegmentRecord& s : catalog.segments()) {
      state.fingerprint += fmt::format("{},", s.id);
      if (s.table == store::TableId::kNTANetAnalytics && s.has_time && s.rows > 0) {
        from = std::min(from, s.min_time);
        to = std::max(to, s.max_time);
      }
    }
    state.fingerprint += ';';
    state.fingerprint += catalog.meta("retention_days").value_or("-");
    if (auto minutes = catalog.meta("interval_minutes"))
      interval = std::atoll(minutes->c_str()) * kTicksPerMinute;
  }
  struct stat st {};
  std::string enrichment = (data_dir / "enrichment").string();
  if (::stat(enrichment.c_str(), &st) == 0)
    state.fingerprint += fmt::format(";{}.{}", static_cast<long long>(st.st_mtim.tv_sec),
                                     static_cast<long long>(st.st_mtim.tv_nsec));
  if (from <= to) {
    state.rollup_start = from;
    state.rollup_end = to + interval;  // segments record interval starts
  }
  return state;
}

}  // namespace flowlens::server
