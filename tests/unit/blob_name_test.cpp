// Percent-encoding of blob names and query values (blob-rest.md §1.5).
#include "blob/blob_name.h"

#include <gtest/gtest.h>

#include <string>

namespace flowlens::blob {
namespace {

TEST(BlobName, PathKeepsSlashesAndUnreservedAndEncodesEquals) {
  EXPECT_EQ(
      encode_blob_path("flowLogResourceID=/00000000-0000-0000-0000-000000000000_NETWORKWATCHERRG/"
                       "NETWORKWATCHER_EASTUS_VNET1-RG1-FLOWLOG/y=2025/m=03/d=14/h=09/m=00/"
                       "macAddress=00224871C205/PT1H.json"),
      "flowLogResourceID%3D/00000000-0000-0000-0000-000000000000_NETWORKWATCHERRG/"
      "NETWORKWATCHER_EASTUS_VNET1-RG1-FLOWLOG/y%3D2025/m%3D03/d%3D14/h%3D09/m%3D00/"
      "macAddress%3D00224871C205/PT1H.json");
  EXPECT_EQ(encode_blob_path("a-b.c_d~e/F9"), "a-b.c_d~e/F9");
}

TEST(BlobName, PathEncodesSpacePlusPercentQueryAndUtf8PerByte) {
  EXPECT_EQ(encode_blob_path("a b+c%d?e#f&g"), "a%20b%2Bc%25d%3Fe%23f%26g");
  EXPECT_EQ(encode_blob_path("caf\xC3\xA9/\xE2\x82\xAC"), "caf%C3%A9/%E2%82%AC");
}

TEST(BlobName, QueryValueEncodesEverythingButUnreserved) {
  EXPECT_EQ(encode_query_value("flowLogResourceID=/"), "flowLogResourceID%3D%2F");
  EXPECT_EQ(encode_query_value("a b+c/d=e&f%g:h"), "a%20b%2Bc%2Fd%3De%26f%25g%3Ah");
  EXPECT_EQ(encode_query_value("QUJD+/=="), "QUJD%2B%2F%3D%3D");  // a base64 block ID
  EXPECT_EQ(encode_query_value("AZaz09-._~"), "AZaz09-._~");
}

TEST(BlobName, PercentDecodeIsTheInverseAndRejectsBadEscapes) {
  const std::string name = "y=2025/m=03 a+b%/\xC3\xA9";
  EXPECT_EQ(*percent_decode(encode_query_value(name)), name);
  EXPECT_EQ(*percent_decode(encode_blob_path(name)), name);
  EXPECT_EQ(*percent_decode("a%2fb%2F+"), "a/b/+");  // '+' is not a space
  EXPECT_FALSE(percent_decode("abc%2"));
  EXPECT_FALSE(percent_decode("abc%"));
  EXPECT_FALSE(percent_decode("%zz"));
}

TEST(BlobName, ContainerAndBlobNameRules) {
  EXPECT_TRUE(is_valid_container_name("insights-logs-flowlogflowevent"));
  EXPECT_TRUE(is_valid_container_name("abc"));
  EXPECT_TRUE(is_valid_container_name("$logs"));
  EXPECT_FALSE(is_valid_container_name("ab"));
  EXPECT_FALSE(is_valid_container_name(std::string(64, 'a')));
  EXPECT_FALSE(is_valid_container_name("Upper"));
  EXPECT_FALSE(is_valid_container_name("-abc"));
  EXPECT_FALSE(is_valid_container_name("abc-"));
  EXPECT_FALSE(is_valid_container_name("a--b"));
  EXPECT_FALSE(is_valid_container_name("a/b"));
  EXPECT_FALSE(is_valid_container_name("../x"));
  EXPECT_TRUE(is_valid_blob_name("x"));
  EXPECT_FALSE(is_valid_blob_name(""));
  EXPECT_FALSE(is_valid_blob_name(std::string(1025, 'a')));
}

}  // namespace
}  // namespace flowlens::blob
