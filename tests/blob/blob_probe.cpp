// blob_probe: drives flowlens_blob from tests/blob/run.sh against Azurite. Not a user tool.
//
//   FLOWLENS_BLOB_SOURCE='<connection string or container URL>' blob_probe COMMAND ARGS...
//     list CONTAINER PREFIX MARKER MAX   one page: "blob NAME LENGTH ETAG TYPE" lines, "next M"
//     list-all CONTAINER PREFIX [PAGE]   every page: "blob ..." lines
//     blocks CONTAINER BLOB              "etag E", "length N", then "block NAME SIZE" lines
//     range CONTAINER BLOB OFFSET LENGTH [ETAG]
//                                        "outcome O", "etag E", "total T", "bytes N", then the
//                                        N bytes on their own line
//     props CONTAINER BLOB               "etag E", "length N", "type T", "created C"
//
// The source comes from the environment so that keys and SAS tokens stay off command lines.
// FLOWLENS_BLOB_VERBOSE=1 prints one line per HTTP attempt on stderr. Exit status: 0 done,
// 1 a BlobError ("error kind=K status=S code=C: message" on stderr), 2 usage or configuration.
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "blob/blob_client.h"

using namespace flowlens::blob;

namespace {

int usage() {
  std::cerr << "usage: FLOWLENS_BLOB_SOURCE=... blob_probe list|list-all|blocks|range|props ...\n";
  return 2;
}

void print_blob(const BlobItem& b) {
  std::cout << "blob " << b.name << ' ' << b.content_length << ' ' << b.etag << ' ' << b.blob_type
            << '\n';
}

int run(const std::vector<std::string>& args) {
  const char* source_text = std::getenv("FLOWLENS_BLOB_SOURCE");
  if (source_text == nullptr || args.empty()) return usage();
  ClientOptions options;
  options.connect_timeout = std::chrono::milliseconds(3000);
  options.request_timeout = std::chrono::milliseconds(15000);
  options.retry.max_retries = 2;
  options.retry.base_delay = std::chrono::milliseconds(100);
  if (const char* v = std::getenv("FLOWLENS_BLOB_VERBOSE"); v != nullptr && std::string(v) == "1") {
    options.on_request = [](const RequestLog& l) {
      std::cerr << "request op=\"" << l.operation << "\" target=" << l.target
                << " status=" << l.status << " code=" << l.error_code << " attempt=" << l.attempt
                << " id=" << l.client_request_id << " request_id=" << l.request_id
                << " bytes=" << l.bytes << " ms=" << l.latency.count() << '\n';
    };
  }
  BlobClient client(parse_blob_source(source_text), options);
  const std::string& command = args[0];
  if (command == "list" && args.size() == 5) {
    const BlobListPage page = client.list_blobs(args[1], args[2], args[3], std::stoi(args[4]));
    for (const BlobItem& b : page.blobs)
      print_blob(b);
    std::cout << "next " << page.next_marker << '\n';
  } else if (command == "list-all" && (args.size() == 3 || args.size() == 4)) {
    const int page = args.size() == 4 ? std::stoi(args[3]) : 0;
    for (const BlobItem& b : client.list_all(args[1], args[2], page))
      print_blob(b);
  } else if (command == "blocks" && args.size() == 3) {
    const BlockListResult list = client.get_block_list(args[1], args[2]);
    std::cout << "etag " << list.etag << "\nlength " << list.content_length << '\n';
    for (const Block& b : list.blocks)
      std::cout << "block " << b.name << ' ' << b.size << '\n';
  } else if (command == "range" && (args.size() == 5 || args.size() == 6)) {
    const RangeResult r = client.get_range(args[1], args[2], std::stoull(args[3]),
                                           std::stoull(args[4]), args.size() == 6 ? args[5] : "");
    std::cout << "outcome " << to_string(r.outcome) << "\netag " << r.etag << "\ntotal "
              << r.total_length << "\nbytes " << r.data.size() << '\n'
              << r.data << '\n';
  } else if (command == "props" && args.size() == 3) {
    const BlobProperties p = client.get_properties(args[1], args[2]);
    std::cout << "etag " << p.etag << "\nlength " << p.content_length << "\ntype " << p.blob_type
              << "\ncreated " << p.creation_time << '\n';
  } else {
    return usage();
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const BlobError& e) {
    std::cerr << "error kind=" << to_string(e.kind()) << " status=" << e.status()
              << " code=" << e.code() << ": " << e.what() << '\n';
    return 1;
  } catch (const BlobConfigError& e) {
    std::cerr << "config error: " << e.what() << '\n';
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "error: " << redacted(e.what()) << '\n';
    return 2;
  }
}
