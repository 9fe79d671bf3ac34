// What lets a grown blob be continued without downloading its prefix: the hash state kept in
// the checkpoint, the digest of the committed blocks before the resume offset, the hour a blob
// name holds, and the catalog that stores them (version 2, upgraded in place from version 1).
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <memory>
#include <vector>

#include "flowlog/stream_hash.h"
#include "ingest/blob_inputs.h"
#include "ingest/block_digest.h"
#include "store/catalog.h"

namespace flowlens {
namespace {

namespace fs = std::filesystem;

TEST(StreamHashState, ARestoredStateContinuesTheSameHash) {
  std::string text(10'000, 'x');
  for (std::size_t i = 0; i < text.size(); ++i)
    text[i] = static_cast<char>('a' + i * 7 % 26);
  StreamHash whole;
  whole.update(text);
  // Split points inside and at the edges of xxHash's internal 256-byte buffer and stripes.
  for (std::size_t cut : {0u, 1u, 63u, 64u, 255u, 256u, 1024u, 5000u, 9999u, 10'000u}) {
    StreamHash first;
    first.update(std::string_view(text).substr(0, cut));
    std::optional<StreamHash> restored = StreamHash::restore(first.serialize());
    ASSERT_TRUE(restored) << cut;
    EXPECT_EQ(restored->digest(), first.digest()) << cut;
    restored->update(std::string_view(text).substr(cut));
    EXPECT_EQ(restored->digest(), whole.digest()) << cut;
  }
}

TEST(StreamHashState, ForeignBytesAreRefused) {
  StreamHash h;
  h.update("flow logs");
  std::string bytes = h.serialize();
  EXPECT_FALSE(StreamHash::restore(""));
  EXPECT_FALSE(StreamHash::restore(bytes.substr(0, bytes.size() - 1)));
  std::string other_magic = bytes;
  other_magic[0] = 'Y';
  EXPECT_FALSE(StreamHash::restore(other_magic));
  std::string other_version = bytes;
  other_version[4] ^= 1;  // the version number follows the magic
  EXPECT_FALSE(StreamHash::restore(other_version));
}

TEST(StreamHashState, TheStoredBytesDependOnlyOnWhatWasHashed) {
  // No stray heap bytes: two hashes of the same input serialize identically, even when the
  // heap they were allocated from held other data.
  std::vector<std::unique_ptr<StreamHash>> noise;
  for (int i = 0; i < 8; ++i) {
    noise.push_back(std::make_unique<StreamHash>());
    noise.back()->update(std::string(5000, static_cast<char>('A' + i)));
  }
  noise.clear();
  StreamHash a;
  a.update("flow logs, 100 bytes or so, fewer than xxHash's internal buffer");
  StreamHash b;
  b.update("flow logs, 100 bytes or so, fewer than xxHash's internal buffer");
  EXPECT_EQ(a.serialize(), b.serialize());
}

TEST(StreamHashState, ADamagedStateIsRefused) {
  StreamHash h;
  h.update(std::string(300, 'x'));
  std::string bytes = h.serialize();
  ASSERT_TRUE(StreamHash::restore(bytes));
  // bufferedSize sits after acc (64), customSecret (192) and buffer (256), behind the 12-byte
  // header; a value past the buffer would make xxHash copy out of bounds.
  std::string damaged = bytes;
  std::size_t at = 12 + 64 + 192 + 256;
  damaged[at + 1] = '\x7f';
  EXPECT_FALSE(StreamHash::restore(damaged));
}

TEST(StreamHashState, MovedFromHashCanBeAssignedAgain) {
  StreamHash a;
  a.update("abc");
  StreamHash b(std::move(a));
  a = b;  // NOLINT(bugprone-use-after-move): assignment is what a moved-from hash allows
  EXPECT_EQ(a.digest(), b.digest());
}

std::vector<blob::Block> blocks(std::initializer_list<std::pair<const char*, std::uint64_t>> l) {
  std::vector<blob::Block> out;
  for (const auto& [name, size] : l)
    out.push_back(blob::Block{name, size});
  return out;
}

TEST(BlockPrefix, CountsTheBlocksThatStartBeforeTheOffset) {
  auto list = blocks({{"head", 12}, {"r1", 100}, {"r2", 50}, {"tail", 2}});
  EXPECT_EQ(ingest::block_prefix(list, 0).count, 0u);
  EXPECT_EQ(ingest::block_prefix(list, 1).count, 1u);
  EXPECT_EQ(ingest::block_prefix(list, 12).count, 1u);
  EXPECT_EQ(ingest::block_prefix(list, 13).count, 2u);
  EXPECT_EQ(ingest::block_prefix(list, 162).count, 3u);
  EXPECT_EQ(ingest::block_prefix(list, 163).count, 4u);
  EXPECT_EQ(ingest::block_prefix(list, 1000).count, 4u);
}

TEST(BlockPrefix, GrowthBeforeTheTailKeepsThePrefixAndRewritesChangeIt) {
  auto before = blocks({{"head", 12}, {"r1", 100}, {"r2", 50}, {"tail", 2}});
  auto grown = blocks({{"head", 12}, {"r1", 100}, {"r2", 50}, {"r3", 70}, {"tail", 2}});
  // The checkpoint after r2 (offset 162) is before the tail block.
  EXPECT_EQ(ingest::block_prefix(before, 162), ingest::block_prefix(grown, 162));
  auto resized = blocks({{"head", 12}, {"r1", 101}, {"r2", 49}, {"tail", 2}});
  EXPECT_NE(ingest::block_prefix(before, 162), ingest::block_prefix(resized, 162));
  auto renamed = blocks({{"head", 12}, {"r1x", 100}, {"r2", 50}, {"tail", 2}});
  EXPECT_NE(ingest::block_prefix(before, 162), ingest::block_prefix(renamed, 162));
  // ID/size boundaries cannot be shifted to collide.
  EXPECT_NE(ingest::block_prefix(blocks({{"ab", 1}, {"c", 1}}), 2),
            ingest::block_prefix(blocks({{"a", 1}, {"bc", 1}}), 2));
}

TEST(BlobHour, ReadsTheHourOfAzureNames) {
  auto hour = ingest::blob_hour(
      "flowLogResourceID=/SUB_RG/NETWORKWATCHER_EASTUS_FLOWLOG/y=2025/m=03/d=14/h=09/m=00/"
      "macAddress=002248/PT1H.json");
  ASSERT_TRUE(hour);
  EXPECT_EQ(format_iso8601(*hour), "2025-03-14T09:00:00.0000000Z");
  auto nsg = ingest::blob_hour(
      "resourceId=/SUBSCRIPTIONS/X/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.NETWORK/"
      "NETWORKSECURITYGROUPS/NSG/y=2026/m=11/d=27/h=23/m=00/macAddress=00/PT1H.json");
  ASSERT_TRUE(nsg);
  EXPECT_EQ(format_iso8601(*nsg), "2026-11-27T23:00:00.0000000Z");
  EXPECT_FALSE(ingest::blob_hour("other/PT1H.json"));
  EXPECT_FALSE(ingest::blob_hour("x/y=2025/m=3/d=14/h=09/PT1H.json"));
  EXPECT_FALSE(ingest::blob_hour("x/y=2025/m=13/d=14/h=09/PT1H.json"));
  EXPECT_FALSE(ingest::blob_hour("x/y=2025/m=03/d=14/h=+9/PT1H.json"));
}

class CatalogVersionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("flowlens-catalog-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    path_ = (dir_ / "catalog.sqlite").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  // The version 1 schema and one file source, as flowlens 1 wrote them.
  void write_version_1() {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    const char* sql = R"sql(
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      INSERT INTO meta VALUES ('catalog_version', '1');
      CREATE TABLE segments (id INTEGER PRIMARY KEY, table_id INTEGER NOT NULL,
        file TEXT NOT NULL UNIQUE, rows INTEGER NOT NULL, bytes INTEGER NOT NULL,
        min_time INTEGER, max_time INTEGER, created INTEGER NOT NULL,
        level INTEGER NOT NULL DEFAULT 0);
      CREATE TABLE sources (key TEXT PRIMARY KEY, path TEXT NOT NULL,
        resume_offset INTEGER NOT NULL, resume_records INTEGER NOT NULL,
        resume_state INTEGER NOT NULL, resume_context INTEGER NOT NULL,
        resume_prev INTEGER NOT NULL, resume_hash INTEGER NOT NULL, size INTEGER NOT NULL,
        mtime INTEGER NOT NULL, last_record_time INTEGER, tuples INTEGER NOT NULL,
        errors INTEGER NOT NULL, unterminated INTEGER NOT NULL, complete INTEGER NOT NULL,
        first_ingest INTEGER NOT NULL, last_ingest INTEGER NOT NULL);
      INSERT INTO sources VALUES ('a/PT1H.json', '/x/a/PT1H.json', 500, 3, 2, 1, 44, 77, 502,
        9, 123, 30, 0, 1, 1, 5, 6);
      CREATE TABLE ingests (id INTEGER PRIMARY KEY, started INTEGER NOT NULL, finished INTEGER,
        inputs INTEGER NOT NULL DEFAULT 0, tuples INTEGER NOT NULL DEFAULT 0,
        errors INTEGER NOT NULL DEFAULT 0, status TEXT NOT NULL);
      INSERT INTO ingests VALUES (1, 5, 6, 1, 30, 0, 'completed');
      CREATE TABLE nic_addresses (ip BLOB NOT NULL, network TEXT NOT NULL,
        PRIMARY KEY (ip, network)) WITHOUT ROWID;
    )sql";
    ASSERT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }

  fs::path dir_;
  std::string path_;
};

TEST_F(CatalogVersionTest, AReaderReadsVersion1AsItIs) {
  write_version_1();
  store::Catalog reader(path_, false);
  EXPECT_EQ(reader.meta("catalog_version"), "1");
  auto s = reader.source("a/PT1H.json");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->resume.offset, 500u);
  EXPECT_EQ(s->tuples, 30u);
  EXPECT_TRUE(s->etag.empty());
  EXPECT_FALSE(s->has_blocks);
  EXPECT_TRUE(s->hash_state.empty());
  ASSERT_EQ(reader.ingests(5).size(), 1u);
  EXPECT_EQ(reader.ingests(5)[0].message, "");
}

TEST_F(CatalogVersionTest, AWriterUpgradesVersion1AndKeepsItsRows) {
  write_version_1();
  {
    store::Catalog writer(path_, true);
    EXPECT_EQ(writer.meta("catalog_version"), "2");
    auto old = writer.source("a/PT1H.json");
    ASSERT_TRUE(old);
    EXPECT_EQ(old->resume.hash, 77u);
    EXPECT_EQ(old->last_record_time, 123);
    EXPECT_TRUE(old->complete);

    store::SourceRecord blob;
    blob.key = "c/PT1H.json";
    blob.path = "http://127.0.0.1/devstoreaccount1/c/PT1H.json";
    blob.etag = "\"0x8DC\"";
    blob.has_blocks = true;
    blob.block_count = 7;
    blob.block_digest = 0xFEDCBA9876543210ULL;
    StreamHash h;
    h.update("head");
    blob.hash_state = h.serialize();
    blob.last_error = "c/PT1H.json: deleted while being read";
    blob.last_error_time = 99;
    blob.has_skip_through = true;
    blob.skip_through = 1234;
    store::Catalog::Transaction t(writer, true);
    writer.put_source(blob);
    std::int64_t id = writer.begin_ingest(10);
    store::IngestRecord r;
    r.id = id;
    r.status = "failed";
    r.message = "List Blobs: 403";
    writer.finish_ingest(r);
    t.commit();
  }
  store::Catalog reader(path_, false);
  auto b = reader.source("c/PT1H.json");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->etag, "\"0x8DC\"");
  EXPECT_TRUE(b->has_blocks);
  EXPECT_EQ(b->block_count, 7u);
  EXPECT_EQ(b->block_digest, 0xFEDCBA9876543210ULL);
  auto h = StreamHash::restore(b->hash_state);
  ASSERT_TRUE(h);
  StreamHash expected;
  expected.update("head");
  EXPECT_EQ(h->digest(), expected.digest());
  EXPECT_EQ(b->last_error, "c/PT1H.json: deleted while being read");
  EXPECT_EQ(b->last_error_time, 99);
  EXPECT_TRUE(b->has_skip_through);
  EXPECT_EQ(b->skip_through, 1234);
  EXPECT_EQ(reader.ingests(1)[0].message, "List Blobs: 403");
  auto file = reader.source("a/PT1H.json");
  ASSERT_TRUE(file);
  EXPECT_TRUE(file->etag.empty());
  EXPECT_FALSE(file->has_blocks);
  EXPECT_FALSE(file->has_skip_through);
}

TEST_F(CatalogVersionTest, ANewerVersionIsRefusedWithBothVersionsNamed) {
  write_version_1();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  sqlite3_exec(db, "UPDATE meta SET value = '9' WHERE key = 'catalog_version'", nullptr, nullptr,
               nullptr);
  sqlite3_close(db);
  try {
    store::Catalog writer(path_, true);
    FAIL() << "a version 9 catalog was opened";
  } catch (const store::StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("version 9"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("1 to 2"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace flowlens
