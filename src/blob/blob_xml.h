// The XML bodies the reader meets (blob-rest.md §3.2, §4.2, §6.1): List Blobs, Get Block List
// and error bodies. Parsed with pugixml. A UTF-8 byte-order mark (Azure sends one, Azurite does
// not) is skipped; unknown elements are ignored; element order does not matter.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace flowlens::blob {

// A body that is not the XML the operation answers with. The message says which element is
// missing or malformed; it never quotes the body.
class BlobXmlError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct BlobItem {
  std::string name;  // decoded: XML entities resolved, percent-decoded when Encoded="true"
  std::string etag;  // quoted form, "0x8D..." (the listing sends it unquoted; see quoted_etag)
  std::uint64_t content_length = 0;  // committed size
  std::string blob_type;             // BlockBlob, AppendBlob or PageBlob
  std::string last_modified;         // RFC 1123 text, as sent
  std::string creation_time;         // RFC 1123 text, as sent ("" when absent)
};

struct BlobListPage {
  std::vector<BlobItem> blobs;        // in the service's (byte-wise name) order
  std::vector<std::string> prefixes;  // <BlobPrefix><Name> entries (listing with a delimiter)
  std::string next_marker;            // "" on the last page; opaque, pass back verbatim
};

struct Block {
  std::string name;  // base64 block ID, compared as text, never decoded
  std::uint64_t size = 0;
};

struct ServiceError {
  std::string code;     // e.g. "ContainerNotFound"
  std::string message;  // the service's text (varies; never branch on it)
  std::string detail;   // AuthenticationErrorDetail or ExtendedErrorDetail, when present
};

// The ETag in its quoted form: adds the quotes when missing, keeps them when present.
std::string quoted_etag(std::string_view etag);

// Parses an EnumerationResults body. Throws BlobXmlError when the root is not
// EnumerationResults, a Blob has no Name, or a Content-Length is not a number.
BlobListPage parse_list_blobs(std::string_view xml);

// Parses a BlockList body: the committed blocks, in blob order (uncommitted ones are ignored).
// Throws BlobXmlError when the root is not BlockList or a Block lacks a Name or numeric Size.
std::vector<Block> parse_block_list(std::string_view xml);

// Parses an <Error> body. nullopt when the body is empty, not XML, or has no <Code>.
std::optional<ServiceError> parse_error_body(std::string_view xml);

}  // namespace flowlens::blob
