#include "blob/blob_xml.h"

#include <charconv>
#include <pugixml.hpp>

#include "blob/blob_name.h"

namespace flowlens::blob {
namespace {

std::string_view strip_bom(std::string_view xml) {
  if (xml.size() >= 3 && static_cast<unsigned char>(xml[0]) == 0xEF &&
      static_cast<unsigned char>(xml[1]) == 0xBB && static_cast<unsigned char>(xml[2]) == 0xBF) {
    xml.remove_prefix(3);
  }
  return xml;
}

bool load(pugi::xml_document& doc, std::string_view xml) {
  xml = strip_bom(xml);
  const pugi::xml_parse_result result =
      doc.load_buffer(xml.data(), xml.size(), pugi::parse_default, pugi::encoding_utf8);
  return static_cast<bool>(result);
}

std::optional<std::uint64_t> parse_u64(std::string_view text) {
  std::uint64_t value = 0;
  const auto* end = text.data() + text.size();
  const auto result = std::from_chars(text.data(), end, value);
  if (text.empty() || result.ec != std::errc{} || result.ptr != end) return std::nullopt;
  return value;
}

// The text of a <Name> element, decoded as §1.5 says.
std::string element_name(const pugi::xml_node& name, std::string_view what) {
  std::string text = name.text().get();
  if (std::string_view(name.attribute("Encoded").value()) == "true") {
    auto decoded = percent_decode(text);
    if (!decoded) throw BlobXmlError(std::string(what) + ": an Encoded name has a bad escape");
    text = std::move(*decoded);
  }
  return text;
}

}  // namespace

std::string quoted_etag(std::string_view etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') return std::string(etag);
  std::string out;
  out.reserve(etag.size() + 2);
  out += '"';
  out += etag;
  out += '"';
  return out;
}

BlobListPage parse_list_blobs(std::string_view xml) {
  pugi::xml_document doc;
  if (!load(doc, xml)) throw BlobXmlError("List Blobs answer is not XML");
  const pugi::xml_node root = doc.child("EnumerationResults");
  if (!root) throw BlobXmlError("List Blobs answer has no EnumerationResults element");
  BlobListPage page;
  page.next_marker = root.child("NextMarker").text().get();
  const pugi::xml_node blobs = root.child("Blobs");
  for (const pugi::xml_node& entry : blobs.children()) {
    const std::string_view kind = entry.name();
    if (kind == "BlobPrefix") {
      const pugi::xml_node name = entry.child("Name");
      if (!name) throw BlobXmlError("List Blobs answer: a BlobPrefix has no Name");
      page.prefixes.push_back(element_name(name, "List Blobs answer"));
      continue;
    }
    if (kind != "Blob") continue;
    // Name only as the direct child of Blob: a Metadata block may hold its own <Name>.
    const pugi::xml_node name = entry.child("Name");
    if (!name) throw BlobXmlError("List Blobs answer: a Blob has no Name");
    BlobItem item;
    item.name = element_name(name, "List Blobs answer");
    const pugi::xml_node props = entry.child("Properties");
    const std::string_view etag = props.child("Etag").text().get();
    if (!etag.empty()) item.etag = quoted_etag(etag);
    const auto length = parse_u64(props.child("Content-Length").text().get());
    if (!length) {
      throw BlobXmlError("List Blobs answer: blob '" + item.name +
                         "' has no numeric Content-Length");
    }
    item.content_length = *length;
    item.blob_type = props.child("BlobType").text().get();
    item.last_modified = props.child("Last-Modified").text().get();
    item.creation_time = props.child("Creation-Time").text().get();
    page.blobs.push_back(std::move(item));
  }
  return page;
}

std::vector<Block> parse_block_list(std::string_view xml) {
  pugi::xml_document doc;
  if (!load(doc, xml)) throw BlobXmlError("Get Block List answer is not XML");
  const pugi::xml_node root = doc.child("BlockList");
  if (!root) throw BlobXmlError("Get Block List answer has no BlockList element");
  std::vector<Block> blocks;
  for (const pugi::xml_node& entry : root.child("CommittedBlocks").children("Block")) {
    Block block;
    const pugi::xml_node name = entry.child("Name");
    if (!name) throw BlobXmlError("Get Block List answer: a Block has no Name");
    block.name = name.text().get();
    const auto size = parse_u64(entry.child("Size").text().get());
    if (!size) throw BlobXmlError("Get Block List answer: block " + block.name + " has no Size");
    block.size = *size;
    blocks.push_back(std::move(block));
  }
  return blocks;
}

std::optional<ServiceError> parse_error_body(std::string_view xml) {
  if (strip_bom(xml).empty()) return std::nullopt;
  pugi::xml_document doc;
  if (!load(doc, xml)) return std::nullopt;
  const pugi::xml_node root = doc.child("Error");
  const std::string code = root.child("Code").text().get();
  if (!root || code.empty()) return std::nullopt;
  ServiceError out;
  out.code = code;
  out.message = root.child("Message").text().get();
  out.detail = root.child("AuthenticationErrorDetail").text().get();
  if (out.detail.empty()) out.detail = root.child("ExtendedErrorDetail").text().get();
  return out;
}

}  // namespace flowlens::blob
