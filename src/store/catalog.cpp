#include "store/catalog.h"

#include <fmt/format.h>

#include <cstring>

namespace flowlens::store {
namespace {

// Version 2 added the blob fields, last read error and skip time of sources and the message of
// ingests (upgrade()).
constexpr int kCatalogVersion = 2;

// A prepared statement with typed binds and reads; finalized on destruction.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) {
      throw StoreError(fmt::format("catalog: {} ({})", sqlite3_errmsg(db), sql));
    }
  }
  // Uses a statement the catalog keeps prepared (`*cached`, prepared on first use); it is reset
  // for the next use instead of finalized.
  Statement(sqlite3* db, sqlite3_stmt** cached, const char* sql) : db_(db), owned_(false) {
    if (*cached == nullptr &&
        sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, cached, nullptr) != SQLITE_OK) {
      throw StoreError(fmt::format("catalog: {} ({})", sqlite3_errmsg(db), sql));
    }
    stmt_ = *cached;
  }
  ~Statement() {
    if (owned_) {
      sqlite3_finalize(stmt_);
    } else {
      sqlite3_reset(stmt_);
      sqlite3_clear_bindings(stmt_);
    }
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int i, std::int64_t v) {
    check(sqlite3_bind_int64(stmt_, i, v));
    return *this;
  }
  Statement& bind(int i, const std::string& v) {
    check(sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
    return *this;
  }
  Statement& bind_blob(int i, const void* data, int size) {
    check(sqlite3_bind_blob(stmt_, i, data, size, SQLITE_TRANSIENT));
    return *this;
  }
  Statement& bind_null(int i) {
    check(sqlite3_bind_null(stmt_, i));
    return *this;
  }
  // Steps once: true when a row is available.
  bool step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw StoreError(fmt::format("catalog: {}", sqlite3_errmsg(db_)));
  }
  void run() {
    while (step()) {
    }
  }
  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  std::int64_t int64(int col) { return sqlite3_column_int64(stmt_, col); }
  bool is_null(int col) { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::string text(int col) {
    const auto* p = sqlite3_column_text(stmt_, col);
    return p == nullptr ? std::string()
                        : std::string(reinterpret_cast<const char*>(p),
                                      static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)));
  }
  std::string blob(int col) {
    const void* p = sqlite3_column_blob(stmt_, col);
    return p == nullptr ? std::string()
                        : std::string(static_cast<const char*>(p),
                                      static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)));
  }

 private:
  void check(int rc) {
    if (rc != SQLITE_OK) throw StoreError(fmt::format("catalog: {}", sqlite3_errmsg(db_)));
  }
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  bool owned_ = true;
};

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS segments (
  id INTEGER PRIMARY KEY,
  table_id INTEGER NOT NULL,
  file TEXT NOT NULL UNIQUE,
  rows INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  min_time INTEGER,
  max_time INTEGER,
  created INTEGER NOT NULL,
  level INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS segments_by_table ON segments (table_id, min_time);
CREATE TABLE IF NOT EXISTS sources (
  key TEXT PRIMARY KEY,
  path TEXT NOT NULL,
  resume_offset INTEGER NOT NULL,
  resume_records INTEGER NOT NULL,
  resume_state INTEGER NOT NULL,
  resume_context INTEGER NOT NULL,
  resume_prev INTEGER NOT NULL,
  resume_hash INTEGER NOT NULL,
  size INTEGER NOT NULL,
  mtime INTEGER NOT NULL,
  last_record_time INTEGER,
  tuples INTEGER NOT NULL,
  errors INTEGER NOT NULL,
  unterminated INTEGER NOT NULL,
  complete INTEGER NOT NULL,
  first_ingest INTEGER NOT NULL,
  last_ingest INTEGER NOT NULL,
  etag TEXT,
  block_count INTEGER,
  block_digest INTEGER,
  hash_state BLOB,
  last_error TEXT,
  last_error_time INTEGER,
  skip_through INTEGER
);
CREATE TABLE IF NOT EXISTS ingests (
  id INTEGER PRIMARY KEY,
  started INTEGER NOT NULL,
  finished INTEGER,
  inputs INTEGER NOT NULL DEFAULT 0,
  tuples INTEGER NOT NULL DEFAULT 0,
  errors INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL,
  message TEXT
);
CREATE TABLE IF NOT EXISTS nic_addresses (
  ip BLOB NOT NULL,
  network TEXT NOT NULL,
  PRIMARY KEY (ip, network)
) WITHOUT ROWID;
)sql";

SegmentRecord read_segment(Statement& s) {
  SegmentRecord r;
  r.id = s.int64(0);
  r.table = static_cast<TableId>(s.int64(1));
  r.file = s.text(2);
  r.rows = static_cast<std::uint64_t>(s.int64(3));
  r.bytes = static_cast<std::uint64_t>(s.int64(4));
  r.has_time = !s.is_null(5);
  r.min_time = s.int64(5);
  r.max_time = s.int64(6);
  r.created = s.int64(7);
  r.level = static_cast<int>(s.int64(8));
  return r;
}

SourceRecord read_source(Statement& s) {
  SourceRecord r;
  r.key = s.text(0);
  r.path = s.text(1);
  r.resume.offset = static_cast<std::uint64_t>(s.int64(2));
  r.resume.records = s.int64(3);
  r.resume.state = static_cast<std::uint8_t>(s.int64(4));
  r.resume.context = static_cast<std::uint8_t>(s.int64(5));
  r.resume.prev_significant = static_cast<char>(s.int64(6));
  r.resume.hash = static_cast<std::uint64_t>(s.int64(7));
  r.size = static_cast<std::uint64_t>(s.int64(8));
  r.mtime = s.int64(9);
  r.has_last_record = !s.is_null(10);
  r.last_record_time = s.int64(10);
  r.tuples = static_cast<std::uint64_t>(s.int64(11));
  r.errors = static_cast<std::uint64_t>(s.int64(12));
  r.unterminated = s.int64(13) != 0;
  r.complete = s.int64(14) != 0;
  r.first_ingest = s.int64(15);
  r.last_ingest = s.int64(16);
  r.etag = s.text(17);
  r.has_blocks = !s.is_null(18);
  r.block_count = static_cast<std::uint64_t>(s.int64(18));
  r.block_digest = static_cast<std::uint64_t>(s.int64(19));
  r.hash_state = s.blob(20);
  r.last_error = s.text(21);
  r.last_error_time = s.int64(22);
  r.has_skip_through = !s.is_null(23);
  r.skip_through = s.int64(23);
  return r;
}

constexpr const char* kSegmentColumns =
    "id, table_id, file, rows, bytes, min_time, max_time, created, level";
constexpr const char* kSourceColumns =
    "key, path, resume_offset, resume_records, resume_state, resume_context, resume_prev, "
    "resume_hash, size, mtime, last_record_time, tuples, errors, unterminated, complete, "
    "first_ingest, last_ingest, etag, block_count, block_digest, hash_state, last_error, "
    "last_error_time, skip_through";
// What a reader selects from a version 1 catalog: the columns version 2 added read as NULL.
constexpr const char* kSourceColumnsV1 =
    "key, path, resume_offset, resume_records, resume_state, resume_context, resume_prev, "
    "resume_hash, size, mtime, last_record_time, tuples, errors, unterminated, complete, "
    "first_ingest, last_ingest, NULL, NULL, NULL, NULL, NULL, NULL, NULL";

}  // namespace

Catalog::Catalog(const std::string& path, bool writer,
                 const std::vector<std::pair<std::string, std::string>>& initial_meta)
    : path_(path) {
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    std::string why = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw StoreError(fmt::format("cannot open catalog {}: {}", path, why));
  }
  // Readers and the writer wait for each other briefly instead of failing at once.
  sqlite3_busy_timeout(db_, 30000);
  exec("PRAGMA journal_mode=WAL");
  // Durable commits: an acknowledged ingest survives power loss, not just a crash.
  exec("PRAGMA synchronous=FULL");
  Transaction t(*this, writer);
  if (writer) {
    exec(kSchema);
  } else {
    // A writer may have created the file and not yet committed the schema.
    Statement probe(db_, "SELECT count(*) FROM sqlite_master WHERE name = 'meta'");
    if (!probe.step() || probe.int64(0) == 0) {
      throw StoreError(fmt::format("{} holds no flowlens data yet", path));
    }
  }
  auto version = meta("catalog_version");
  if (!version) {
    if (!writer) throw StoreError(fmt::format("{} is not a flowlens catalog", path));
    set_meta("catalog_version", std::to_string(kCatalogVersion));
    for (const auto& [key, value] : initial_meta)
      set_meta(key, value);
    version_ = kCatalogVersion;
  } else if (*version == "1" || *version == std::to_string(kCatalogVersion)) {
    version_ = *version == "1" ? 1 : kCatalogVersion;
    if (writer && version_ < kCatalogVersion) upgrade(version_);
  } else {
    throw StoreError(fmt::format("catalog {} has version {}; this flowlens reads versions 1 to {}",
                                 path, *version, kCatalogVersion));
  }
  t.commit();
}

// Runs inside the opening transaction, so a crash leaves the old version intact. The schema
// statement already ran; CREATE TABLE IF NOT EXISTS does not add columns to existing tables.
void Catalog::upgrade(int from) {
  if (from < 2) {
    exec(
        "ALTER TABLE sources ADD COLUMN etag TEXT;"
        "ALTER TABLE sources ADD COLUMN block_count INTEGER;"
        "ALTER TABLE sources ADD COLUMN block_digest INTEGER;"
        "ALTER TABLE sources ADD COLUMN hash_state BLOB;"
        "ALTER TABLE sources ADD COLUMN last_error TEXT;"
        "ALTER TABLE sources ADD COLUMN last_error_time INTEGER;"
        "ALTER TABLE sources ADD COLUMN skip_through INTEGER;"
        "ALTER TABLE ingests ADD COLUMN message TEXT;");
  }
  set_meta("catalog_version", std::to_string(kCatalogVersion));
  version_ = kCatalogVersion;
}

const char* Catalog::source_columns() const {
  return version_ >= 2 ? kSourceColumns : kSourceColumnsV1;
}

Catalog::~Catalog() {
  sqlite3_finalize(source_by_key_);
  sqlite3_close(db_);
}

void Catalog::exec(const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    std::string why = error != nullptr ? error : "unknown error";
    sqlite3_free(error);
    throw StoreError(fmt::format("catalog {}: {}", path_, why));
  }
}

Catalog::Transaction::Transaction(Catalog& catalog, bool write) : catalog_(catalog) {
  // A write transaction takes the write lock at once; a read transaction sees one snapshot.
  catalog_.exec(write ? "BEGIN IMMEDIATE" : "BEGIN");
}

Catalog::Transaction::~Transaction() {
  if (open_) sqlite3_exec(catalog_.db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

void Catalog::Transaction::commit() {
  catalog_.exec("COMMIT");
  open_ = false;
}

std::optional<std::string> Catalog::meta(const std::string& key) {
  Statement s(db_, "SELECT value FROM meta WHERE key = ?");
  s.bind(1, key);
  if (!s.step()) return std::nullopt;
  return s.text(0);
}

void Catalog::set_meta(const std::string& key, const std::string& value) {
  Statement s(db_,
              "INSERT INTO meta (key, value) VALUES (?, ?) "
              "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
  s.bind(1, key).bind(2, value).run();
}

std::vector<SegmentRecord> Catalog::segments() {
  Statement s(db_, fmt::format("SELECT {} FROM segments ORDER BY id", kSegmentColumns).c_str());
  std::vector<SegmentRecord> out;
  while (s.step())
    out.push_back(read_segment(s));
  return out;
}

std::vector<SegmentRecord> Catalog::segments(TableId table) {
  Statement s(db_,
              fmt::format("SELECT {} FROM segments WHERE table_id = ? ORDER BY id", kSegmentColumns)
                  .c_str());
  s.bind(1, static_cast<std::int64_t>(table));
  std::vector<SegmentRecord> out;
  while (s.step())
    out.push_back(read_segment(s));
  return out;
}

std::int64_t Catalog::add_segment(const SegmentRecord& r) {
  Statement s(db_,
              "INSERT INTO segments (table_id, file, rows, bytes, min_time, max_time, created, "
              "level) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  s.bind(1, static_cast<std::int64_t>(r.table)).bind(2, r.file);
  s.bind(3, static_cast<std::int64_t>(r.rows)).bind(4, static_cast<std::int64_t>(r.bytes));
  if (r.has_time) {
    s.bind(5, r.min_time).bind(6, r.max_time);
  } else {
    s.bind_null(5).bind_null(6);
  }
  s.bind(7, r.created).bind(8, r.level).run();
  return sqlite3_last_insert_rowid(db_);
}

void Catalog::remove_segment(std::int64_t id) {
  Statement s(db_, "DELETE FROM segments WHERE id = ?");
  s.bind(1, id).run();
}

std::optional<SourceRecord> Catalog::source(const std::string& key) {
  // Prepared once: a poll looks up every listed blob's checkpoint.
  Statement s(db_, &source_by_key_,
              fmt::format("SELECT {} FROM sources WHERE key = ?", source_columns()).c_str());
  s.bind(1, key);
  if (!s.step()) return std::nullopt;
  return read_source(s);
}

void Catalog::put_source(const SourceRecord& r) {
  Statement s(
      db_, fmt::format("INSERT OR REPLACE INTO sources ({}) VALUES "
                       "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       kSourceColumns)
               .c_str());
  s.bind(1, r.key).bind(2, r.path);
  s.bind(3, static_cast<std::int64_t>(r.resume.offset)).bind(4, r.resume.records);
  s.bind(5, r.resume.state).bind(6, r.resume.context).bind(7, r.resume.prev_significant);
  s.bind(8, static_cast<std::int64_t>(r.resume.hash));
  s.bind(9, static_cast<std::int64_t>(r.size)).bind(10, r.mtime);
  if (r.has_last_record) {
    s.bind(11, r.last_record_time);
  } else {
    s.bind_null(11);
  }
  s.bind(12, static_cast<std::int64_t>(r.tuples)).bind(13, static_cast<std::int64_t>(r.errors));
  s.bind(14, r.unterminated ? 1 : 0).bind(15, r.complete ? 1 : 0);
  s.bind(16, r.first_ingest).bind(17, r.last_ingest);
  if (r.etag.empty()) {
    s.bind_null(18);
  } else {
    s.bind(18, r.etag);
  }
  if (r.has_blocks) {
    s.bind(19, static_cast<std::int64_t>(r.block_count));
    s.bind(20, static_cast<std::int64_t>(r.block_digest));
  } else {
    s.bind_null(19).bind_null(20);
  }
  if (r.hash_state.empty()) {
    s.bind_null(21);
  } else {
    s.bind_blob(21, r.hash_state.data(), static_cast<int>(r.hash_state.size()));
  }
  if (r.last_error.empty()) {
    s.bind_null(22).bind_null(23);
  } else {
    s.bind(22, r.last_error).bind(23, r.last_error_time);
  }
  if (r.has_skip_through) {
    s.bind(24, r.skip_through);
  } else {
    s.bind_null(24);
  }
  s.run();
}

std::vector<SourceRecord> Catalog::sources() {
  Statement s(db_, fmt::format("SELECT {} FROM sources ORDER BY key", source_columns()).c_str());
  std::vector<SourceRecord> out;
  while (s.step())
    out.push_back(read_source(s));
  return out;
}

std::int64_t Catalog::begin_ingest(Ticks started) {
  Statement s(db_, "INSERT INTO ingests (started, status) VALUES (?, 'running')");
  s.bind(1, started).run();
  return sqlite3_last_insert_rowid(db_);
}

void Catalog::finish_ingest(const IngestRecord& r) {
  Statement s(db_,
              "UPDATE ingests SET finished = ?, inputs = ?, tuples = ?, errors = ?, "
              "status = ?, message = ? WHERE id = ?");
  s.bind(1, r.finished).bind(2, static_cast<std::int64_t>(r.inputs));
  s.bind(3, static_cast<std::int64_t>(r.tuples)).bind(4, static_cast<std::int64_t>(r.errors));
  s.bind(5, r.status);
  if (r.message.empty()) {
    s.bind_null(6);
  } else {
    s.bind(6, r.message);
  }
  s.bind(7, r.id).run();
}

std::vector<IngestRecord> Catalog::ingests(int latest) {
  Statement s(db_, fmt::format("SELECT id, started, finished, inputs, tuples, errors, status, {} "
                               "FROM ingests ORDER BY id DESC LIMIT ?",
                               version_ >= 2 ? "message" : "NULL")
                       .c_str());
  s.bind(1, latest);
  std::vector<IngestRecord> out;
  while (s.step()) {
    out.push_back(IngestRecord{s.int64(0), s.int64(1), s.int64(2),
                               static_cast<std::uint64_t>(s.int64(3)),
                               static_cast<std::uint64_t>(s.int64(4)),
                               static_cast<std::uint64_t>(s.int64(5)), s.text(6), s.text(7)});
  }
  return out;
}

void Catalog::add_nic_addresses(const std::vector<std::pair<IpAddress, std::string>>& addresses) {
  Statement s(db_, "INSERT OR IGNORE INTO nic_addresses (ip, network) VALUES (?, ?)");
  for (const auto& [ip, network] : addresses) {
    s.reset();
    s.bind_blob(1, ip.bytes.data(), 16).bind(2, network).run();
  }
}

std::vector<std::pair<IpAddress, std::string>> Catalog::nic_addresses() {
  Statement s(db_, "SELECT ip, network FROM nic_addresses ORDER BY ip, network");
  std::vector<std::pair<IpAddress, std::string>> out;
  while (s.step()) {
    std::string b = s.blob(0);
    IpAddress ip{};
    if (b.size() == 16) std::memcpy(ip.bytes.data(), b.data(), 16);
    out.emplace_back(ip, s.text(1));
  }
  return out;
}

}  // namespace flowlens::store
