#include "store/maintenance.h"

#include <filesystem>

#include "store/rollup_merge.h"
#include "store/snapshot.h"

namespace flowlens::store {
namespace {

namespace fs = std::filesystem;

// Writes merged or copied rows into segment files of at most `target_rows` rows (cut only
// where the caller allows, so a rollup interval is never split).
class SegmentSink final : public RowSink {
 public:
  SegmentSink(DataDir& dir, const TableDef& table, int level, Ticks created)
      : dir_(dir), table_(table), level_(level), created_(created) {
    start();
  }
  void put_null(std::size_t c) override { writer_->column(c).add_null(); }
  void put_int(std::size_t c, std::int64_t v) override { writer_->column(c).add_int(v); }
  void put_real(std::size_t c, double v) override { writer_->column(c).add_real(v); }
  void put_string(std::size_t c, std::string_view v) override {
    if (table_.columns[c].kind == StringKind::kIp) {
      IpAddress ip{};
      if (!v.empty()) parse_ip(v, ip);
      writer_->column(c).add_ip(ip);
    } else {
      writer_->column(c).add_string(v);
    }
  }
  void end_row() override { writer_->row_appended(); }

  std::uint64_t rows() const { return writer_->rows(); }
  // Writes the current segment (if it has rows) and starts another.
  void cut() {
    if (writer_->rows() == 0) return;
    SegmentRecord r;
    r.table = table_.id;
    r.file = dir_.new_segment_file(table_);
    std::string path = dir_.segment_path(r.file);
    writer_->write(path, created_);
    r.rows = writer_->rows();
    r.bytes = fs::file_size(path);
    r.has_time = writer_->has_time();
    r.min_time = writer_->min_time();
    r.max_time = writer_->max_time();
    r.created = created_;
    r.level = level_;
    written.push_back(r);
    start();
  }
  std::vector<SegmentRecord> written;

 private:
  void start() { writer_ = new_segment_writer(table_); }
  DataDir& dir_;
  const TableDef& table_;
  int level_;
  Ticks created_;
  std::unique_ptr<SegmentWriter> writer_;
};

void remove_files(DataDir& dir, const std::vector<OpenSegment>& segments) {
  for (const OpenSegment& s : segments) {
    std::error_code ec;
    fs::remove(dir.segment_path(s.record.file), ec);  // a leftover is collected at next open
  }
}

}  // namespace

std::size_t apply_retention(DataDir& dir, Ticks now) {
  Snapshot snapshot = Snapshot::take(dir);
  Ticks cutoff = snapshot.retention_cutoff(now);
  if (cutoff == kMinTicks) return 0;
  std::vector<OpenSegment> expired;
  for (const OpenSegment& s : snapshot.all_segments()) {
    if (s.record.has_time && s.record.max_time < cutoff) expired.push_back(s);
  }
  if (expired.empty()) return 0;
  Catalog::Transaction t(dir.catalog(), true);
  for (const OpenSegment& s : expired)
    dir.catalog().remove_segment(s.record.id);
  t.commit();
  remove_files(dir, expired);
  return expired.size();
}

CompactionResult compact(DataDir& dir, const CompactionOptions& options) {
  CompactionResult result;
  Ticks now = options.now != 0 ? options.now : now_ticks();
  Snapshot snapshot = Snapshot::take(dir);
  Ticks cutoff = snapshot.retention_cutoff(now);
  for (const TableDef* table : all_tables()) {
    std::vector<OpenSegment> small;
    int level = 0;
    for (const OpenSegment& s : snapshot.segments(table->id)) {
      if (s.record.bytes < options.small_bytes) {
        small.push_back(s);
        level = std::max(level, s.record.level + 1);
      }
    }
    if (small.size() < std::max<std::size_t>(options.min_segments, 2)) continue;

    SegmentSink sink(dir, *table, level, now_ticks());
    if (table->rollup) {
      merge_rollup(small, *table, cutoff, kMaxTicks, sink, [&] {
        if (sink.rows() >= options.target_rows) sink.cut();
      });
    } else {
      auto time_column = static_cast<std::size_t>(table->time_index());
      std::vector<ColumnData> columns(table->columns.size());
      for (const OpenSegment& s : small) {
        const SegmentReader& reader = *s.reader;
        for (std::size_t g = 0; g < reader.row_groups().size(); ++g) {
          for (std::size_t c = 0; c < columns.size(); ++c) {
            int at = reader.column_index(table->columns[c].name);
            std::string error;
            if (at < 0) throw StoreError(s.record.file + ": segment lacks a column");
            if (!reader.read(g, static_cast<std::size_t>(at), columns[c], error)) {
              throw StoreError(error);
            }
          }
          const ColumnData& t = columns[time_column];
          for (std::size_t r = 0; r < reader.row_groups()[g].rows; ++r) {
            if (!t.is_null(r) && t.ints[r] < cutoff) continue;
            for (std::size_t c = 0; c < columns.size(); ++c)
              copy_cell(columns[c], c, r, sink);
            sink.end_row();
            if (sink.rows() >= options.target_rows) sink.cut();
          }
        }
      }
    }
    sink.cut();

    Catalog::Transaction t(dir.catalog(), true);
    for (const OpenSegment& s : small)
      dir.catalog().remove_segment(s.record.id);
    for (const SegmentRecord& r : sink.written)
      dir.catalog().add_segment(r);
    t.commit();
    remove_files(dir, small);

    result.segments_in += small.size();
    result.segments_out += sink.written.size();
    for (const OpenSegment& s : small) {
      result.rows_in += s.record.rows;
      result.bytes_in += s.record.bytes;
    }
    for (const SegmentRecord& r : sink.written) {
      result.rows_out += r.rows;
      result.bytes_out += r.bytes;
    }
  }
  return result;
}

}  // namespace flowlens::store
