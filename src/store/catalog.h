// The catalog: a SQLite database (WAL mode) beside the segment files, and the single source of
// truth about what a data directory holds. A segment file exists for readers only once its row
// is committed here, and the same transaction advances the checkpoints of the inputs whose data
// it holds, which is what makes ingest exactly-once.
//
// Tables:
//   meta(key, value)            format and catalog versions, rollup interval, retention
//   segments(...)               one row per live segment file
//   sources(...)                per input (file or blob): resume point, size, mtime, counts;
//                               for blobs also the ETag, block digest and hash state
//   ingests(...)                one row per ingest run
//   nic_addresses(ip, network)  addresses seen as the local side of a NIC, with its network
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "common/ip_address.h"
#include "common/timestamp.h"
#include "flowlog/chunk.h"
#include "store/table_schema.h"

namespace flowlens::store {

// A problem with the data directory that the user must act on; the message says what.
class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct SegmentRecord {
  std::int64_t id = 0;
  TableId table = TableId::kFlowTuples;
  std::string file;  // relative to the data directory's segments/
  std::uint64_t rows = 0;
  std::uint64_t bytes = 0;
  bool has_time = false;
  Ticks min_time = 0;
  Ticks max_time = 0;
  Ticks created = 0;
  int level = 0;  // 0: written by ingest; higher: produced by compaction
};

struct SourceRecord {
  std::string key;   // identity: the blob name, or the absolute path
  std::string path;  // where it was last read from
  ResumePoint resume;
  std::uint64_t size = 0;  // size when last read
  std::int64_t mtime = 0;  // modification time (ns) when last read
  bool has_last_record = false;
  Ticks last_record_time = 0;  // the latest record time consumed
  std::uint64_t tuples = 0;    // tuples stored from it
  std::uint64_t errors = 0;    // problems reported for it
  bool unterminated = false;   // still being written when last read
  bool complete = false;       // read to its end (else a commit stopped part-way through it)
  Ticks first_ingest = 0;
  Ticks last_ingest = 0;
  // Blob sources only (docs/blob-source-design.md): what lets a grown blob be continued
  // without downloading its prefix again.
  std::string etag;                // the version read ("" for files)
  bool has_blocks = false;         // block_count/block_digest are known
  std::uint64_t block_count = 0;   // committed blocks that start before resume.offset
  std::uint64_t block_digest = 0;  // XXH3 over their IDs and sizes (ingest/block_digest.h)
  std::string hash_state;          // StreamHash::serialize() at resume.offset ("": not kept)
  // The latest problem reading it, until a later read gets through it.
  std::string last_error;
  Ticks last_error_time = 0;
  // A rewritten input being read again from its start keeps only records after this time (the
  // newest stored before); kept until that read reaches the end, so an interrupted one goes on
  // skipping them.
  bool has_skip_through = false;
  Ticks skip_through = 0;
};

struct IngestRecord {
  std::int64_t id = 0;
  Ticks started = 0;
  Ticks finished = 0;
  std::uint64_t inputs = 0;
  std::uint64_t tuples = 0;
  std::uint64_t errors = 0;
  std::string status;   // running, completed, failed (a crashed run stays "running")
  std::string message;  // why it failed ("" otherwise)
};

class Catalog {
 public:
  // Opens the catalog. A writer creates the schema if needed and upgrades an older version in
  // place; a reader only checks the version (it reads version 1 too, whose missing columns read
  // as empty) and never takes the write lock. Throws StoreError.
  // A writer creates the file and schema if missing. `initial_meta` is written in the same
  // transaction as the schema, so a crash never leaves a catalog that exists but is half set up.
  Catalog(const std::string& path, bool writer,
          const std::vector<std::pair<std::string, std::string>>& initial_meta = {});
  ~Catalog();
  Catalog(const Catalog&) = delete;
  Catalog& operator=(const Catalog&) = delete;

  // RAII transaction: rolls back unless committed.
  class Transaction {
   public:
    Transaction(Catalog& catalog, bool write);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit();

   private:
    Catalog& catalog_;
    bool open_ = true;
  };

  std::optional<std::string> meta(const std::string& key);
  void set_meta(const std::string& key, const std::string& value);

  std::vector<SegmentRecord> segments();
  std::vector<SegmentRecord> segments(TableId table);
  std::int64_t add_segment(const SegmentRecord& segment);
  void remove_segment(std::int64_t id);

  std::optional<SourceRecord> source(const std::string& key);
  void put_source(const SourceRecord& source);
  std::vector<SourceRecord> sources();

  std::int64_t begin_ingest(Ticks started);
  void finish_ingest(const IngestRecord& ingest);
  std::vector<IngestRecord> ingests(int latest);

  void add_nic_addresses(const std::vector<std::pair<IpAddress, std::string>>& addresses);
  std::vector<std::pair<IpAddress, std::string>> nic_addresses();

  void exec(const char* sql);  // for schema statements and tests

 private:
  friend class Transaction;
  void upgrade(int from);
  const char* source_columns() const;

  sqlite3* db_ = nullptr;
  std::string path_;
  int version_ = 0;  // of the file (a reader leaves an older version as it is)
  sqlite3_stmt* source_by_key_ = nullptr;  // source(), kept prepared
};

}  // namespace flowlens::store
