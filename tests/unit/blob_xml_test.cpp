// The XML answers: List Blobs (paging, BOM, empty), Get Block List, error bodies
// (blob-rest.md §3.2, §4.2, §6.1).
#include "blob/blob_xml.h"

#include <gtest/gtest.h>

#include <string>

namespace flowlens::blob {
namespace {

const std::string kBom = "\xEF\xBB\xBF";

// Azure's shape (composed from blob-rest.md §3.2): BOM, `<X />` empty elements, a second blob
// with metadata holding its own <Name>, an entity in a name, a percent-encoded name.
const std::string kAzureList = kBom + R"(<?xml version="1.0" encoding="utf-8"?>
<EnumerationResults ServiceEndpoint="https://contosoflowlogs.blob.core.windows.net/" ContainerName="insights-logs-flowlogflowevent">
  <Prefix>flowLogResourceID=/</Prefix>
  <MaxResults>2</MaxResults>
  <Blobs>
    <Blob>
      <Name>flowLogResourceID=/X/y=2025/m=03/d=14/h=09/m=00/macAddress=00224871C205/PT1H.json</Name>
      <Properties>
        <Creation-Time>Fri, 14 Mar 2025 09:01:58 GMT</Creation-Time>
        <Last-Modified>Fri, 14 Mar 2025 09:03:11 GMT</Last-Modified>
        <Etag>0x8DD62A1C0A4F1B2</Etag>
        <Content-Length>5285</Content-Length>
        <Content-Type>application/octet-stream</Content-Type>
        <Content-MD5 />
        <BlobType>BlockBlob</BlobType>
        <NewerProperty>ignored</NewerProperty>
      </Properties>
      <OrMetadata />
    </Blob>
    <Blob>
      <Metadata><Name>not the blob name</Name></Metadata>
      <Properties><BlobType>AppendBlob</BlobType><Content-Length>12345678901</Content-Length><Etag>"0x1"</Etag></Properties>
      <Name>a&amp;b &lt;c&gt;</Name>
    </Blob>
    <Blob>
      <Name Encoded="true">odd%0Aname</Name>
      <Properties><Content-Length>0</Content-Length></Properties>
    </Blob>
  </Blobs>
  <NextMarker>2!96!MDAwMDI3IWZsb3dMb2dSZXNvdXJjZUlEPS8-</NextMarker>
</EnumerationResults>)";

TEST(BlobXml, ListWithBomNextMarkerAndTolerance) {
  const BlobListPage page = parse_list_blobs(kAzureList);
  ASSERT_EQ(page.blobs.size(), 3u);
  const BlobItem& a = page.blobs[0];
  EXPECT_EQ(a.name,
            "flowLogResourceID=/X/y=2025/m=03/d=14/h=09/m=00/macAddress=00224871C205/PT1H.json");
  EXPECT_EQ(a.etag, "\"0x8DD62A1C0A4F1B2\"");  // the listing's unquoted ETag, normalized
  EXPECT_EQ(a.content_length, 5285u);
  EXPECT_EQ(a.blob_type, "BlockBlob");
  EXPECT_EQ(a.last_modified, "Fri, 14 Mar 2025 09:03:11 GMT");
  EXPECT_EQ(a.creation_time, "Fri, 14 Mar 2025 09:01:58 GMT");
  EXPECT_EQ(page.blobs[1].name, "a&b <c>");
  EXPECT_EQ(page.blobs[1].etag, "\"0x1\"");
  EXPECT_EQ(page.blobs[1].content_length, 12345678901u);  // 64-bit
  EXPECT_EQ(page.blobs[1].blob_type, "AppendBlob");
  EXPECT_EQ(page.blobs[2].name, "odd\nname");
  EXPECT_EQ(page.next_marker, "2!96!MDAwMDI3IWZsb3dMb2dSZXNvdXJjZUlEPS8-");
}

TEST(BlobXml, EmptyListAzuriteStyleWithoutBom) {
  const BlobListPage page = parse_list_blobs(
      R"(<?xml version="1.0" encoding="utf-8"?><EnumerationResults ServiceEndpoint="http://127.0.0.1:10000/devstoreaccount1" ContainerName="c1c"><Prefix>none/</Prefix><Blobs/><NextMarker/></EnumerationResults>)");
  EXPECT_TRUE(page.blobs.empty());
  EXPECT_TRUE(page.prefixes.empty());
  EXPECT_EQ(page.next_marker, "");
}

TEST(BlobXml, ListWithPrefixesFromADelimiter) {
  const BlobListPage page = parse_list_blobs(
      R"(<EnumerationResults><Blobs><BlobPrefix><Name>r1/y=</Name></BlobPrefix><BlobPrefix><Name>r2/y=</Name></BlobPrefix></Blobs><NextMarker></NextMarker></EnumerationResults>)");
  ASSERT_EQ(page.prefixes.size(), 2u);
  EXPECT_EQ(page.prefixes[1], "r2/y=");
}

TEST(BlobXml, MalformedListsAreErrors) {
  EXPECT_THROW(parse_list_blobs("not xml <"), BlobXmlError);
  EXPECT_THROW(parse_list_blobs("<Other/>"), BlobXmlError);
  EXPECT_THROW(parse_list_blobs("<EnumerationResults><Blobs><Blob><Properties/></Blob></Blobs>"
                                "</EnumerationResults>"),
               BlobXmlError);
  EXPECT_THROW(parse_list_blobs("<EnumerationResults><Blobs><Blob><Name>a</Name><Properties>"
                                "<Content-Length>12x</Content-Length></Properties></Blob>"
                                "</Blobs></EnumerationResults>"),
               BlobXmlError);
}

TEST(BlobXml, BlockListInBlobOrderIgnoringUncommitted) {
  const std::string body =
      kBom +
      R"(<?xml version="1.0" encoding="utf-8"?><BlockList><CommittedBlocks><Block><Name>SEVBRC0wMDAx</Name><Size>12</Size></Block><Block><Name>REFUQS0wMDAx</Name><Size>2685</Size></Block><Block><Name>REFUQS0wMDAy</Name><Size>2586</Size></Block><Block><Name>VEFJTC0wMDAx</Name><Size>2</Size></Block></CommittedBlocks><UncommittedBlocks><Block><Name>WA==</Name><Size>9</Size></Block></UncommittedBlocks></BlockList>)";
  const auto blocks = parse_block_list(body);
  ASSERT_EQ(blocks.size(), 4u);
  EXPECT_EQ(blocks[0].name, "SEVBRC0wMDAx");
  EXPECT_EQ(blocks[0].size, 12u);
  EXPECT_EQ(blocks[2].name, "REFUQS0wMDAy");
  EXPECT_EQ(blocks[3].size, 2u);
  EXPECT_TRUE(
      parse_block_list("<BlockList><CommittedBlocks/><UncommittedBlocks/></BlockList>").empty());
  EXPECT_THROW(parse_block_list("<BlockList><CommittedBlocks><Block><Name>A</Name></Block>"
                                "</CommittedBlocks></BlockList>"),
               BlobXmlError);
  EXPECT_THROW(parse_block_list("<EnumerationResults/>"), BlobXmlError);
}

TEST(BlobXml, ErrorBodies) {
  const auto e = parse_error_body(
      kBom +
      "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>ServerBusy</Code><Message>Operations "
      "per second is over the account limit.\nRequestId:5a0c\nTime:2025-03-14T09:05:11Z</Message>"
      "</Error>");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "ServerBusy");
  EXPECT_EQ(e->message.substr(0, 22), "Operations per second ");
  const auto auth = parse_error_body(
      "<Error><Code>AuthenticationFailed</Code><Message>Server failed</Message>"
      "<AuthenticationErrorDetail>The MAC signature found in the HTTP request is not the same"
      "</AuthenticationErrorDetail></Error>");
  ASSERT_TRUE(auth);
  EXPECT_EQ(auth->detail.substr(0, 7), "The MAC");
  EXPECT_FALSE(parse_error_body(""));
  EXPECT_FALSE(parse_error_body("<html>bad gateway</html>"));
  EXPECT_FALSE(parse_error_body("<Error><Message>no code</Message></Error>"));
}

TEST(BlobXml, QuotedEtag) {
  EXPECT_EQ(quoted_etag("0x8D"), "\"0x8D\"");
  EXPECT_EQ(quoted_etag("\"0x8D\""), "\"0x8D\"");
}

}  // namespace
}  // namespace flowlens::blob
