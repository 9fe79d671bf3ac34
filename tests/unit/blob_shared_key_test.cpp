// SharedKey signing against the known-answer vectors of blob-rest.md §2.8 (checked there
// against Azurite 3.37.0), the mis-decoded-key trap of §2.5, and HTTP dates.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <chrono>
#include <string>
#include <vector>

#include "blob/blob_endpoint.h"
#include "blob/http_date.h"
#include "blob/shared_key.h"

namespace flowlens::blob {
namespace {

const std::string kDate = "Fri, 14 Mar 2025 09:05:00 GMT";
const std::string kBlobPathB =
    "/devstoreaccount1/insights-logs-flowlogflowevent/flowLogResourceID%3D/"
    "00000000-0000-0000-0000-000000000000_NETWORKWATCHERRG/"
    "NETWORKWATCHER_EASTUS_VNET1-RG1-FLOWLOG/y%3D2025/m%3D03/d%3D14/h%3D09/m%3D00/"
    "macAddress%3D00224871C205/PT1H.json";

AccountKey dev_key() {
  return *AccountKey::from_base64(kDevAccountKey);
}

std::string vector_a_string() {
  const std::vector<QueryParam> query = {
      {"restype", "container"}, {"comp", "list"}, {"prefix", "flowLogResourceID=/"}};
  const std::vector<Header> headers = {{"x-ms-date", kDate}, {"x-ms-version", "2021-08-06"}};
  return string_to_sign("GET", "devstoreaccount1",
                        "/devstoreaccount1/insights-logs-flowlogflowevent", query, headers);
}

TEST(BlobSharedKey, VectorAListBlobsStringToSignAndSignature) {
  const std::string expected = "GET\n" + std::string(11, '\n') +
                               "x-ms-date:Fri, 14 Mar 2025 09:05:00 GMT\n"
                               "x-ms-version:2021-08-06\n"
                               "/devstoreaccount1/devstoreaccount1/insights-logs-flowlogflowevent\n"
                               "comp:list\n"
                               "prefix:flowLogResourceID=/\n"
                               "restype:container";
  EXPECT_EQ(vector_a_string(), expected);
  EXPECT_EQ(sign(dev_key(), vector_a_string()), "QZ0lzTYLo5mEZIun74szXznWJTiPsNzSTMsIb1T7fYI=");
  EXPECT_EQ(
      shared_key_authorization("devstoreaccount1", "QZ0lzTYLo5mEZIun74szXznWJTiPsNzSTMsIb1T7fYI="),
      "SharedKey devstoreaccount1:QZ0lzTYLo5mEZIun74szXznWJTiPsNzSTMsIb1T7fYI=");
}

TEST(BlobSharedKey, VectorBConditionalRangedReadOfAnEncodedName) {
  // Headers in a different order and case than signed: the signer sorts and lower-cases.
  const std::vector<Header> headers = {{"x-ms-version", "2021-08-06"},
                                       {"x-ms-range", "bytes=12-56"},
                                       {"If-Match", "\"0x8DD62A1B2C3D4E5\""},
                                       {"X-MS-Date", kDate},
                                       {"x-ms-client-request-id", "flowlens-0001"}};
  const std::string got = string_to_sign("GET", "devstoreaccount1", kBlobPathB, {}, headers);
  const std::string expected = "GET\n" + std::string(7, '\n') + "\"0x8DD62A1B2C3D4E5\"\n" +
                               std::string(3, '\n') +
                               "x-ms-client-request-id:flowlens-0001\n"
                               "x-ms-date:Fri, 14 Mar 2025 09:05:00 GMT\n"
                               "x-ms-range:bytes=12-56\n"
                               "x-ms-version:2021-08-06\n"
                               "/devstoreaccount1" +
                               kBlobPathB;
  EXPECT_EQ(got, expected);
  EXPECT_EQ(sign(dev_key(), got), "YFOC8JkV3m2z+bMC2CuQ0Ac7m4CiAra7MJUhP9LG+Uc=");
}

TEST(BlobSharedKey, KeyDecodesToSixtyFourBytesNotSixtySix) {
  EXPECT_EQ(dev_key().bytes().size(), 64u);
  // The trap: EVP_DecodeBlock alone counts the two '=' as two zero bytes.
  std::vector<unsigned char> naive(66);
  const int n =
      EVP_DecodeBlock(naive.data(), reinterpret_cast<const unsigned char*>(kDevAccountKey.data()),
                      static_cast<int>(kDevAccountKey.size()));
  ASSERT_EQ(n, 66);
  const AccountKey wrong =
      AccountKey::from_bytes(std::vector<std::uint8_t>(naive.begin(), naive.end()));
  EXPECT_EQ(sign(wrong, vector_a_string()), "Ofvond5No+wZxhTV2IpcZFjjlGXNuVXSgDDhJyw1Ljc=");
  EXPECT_NE(sign(wrong, vector_a_string()), sign(dev_key(), vector_a_string()));
}

TEST(BlobSharedKey, Base64IsStrict) {
  EXPECT_FALSE(base64_decode(""));
  EXPECT_FALSE(base64_decode("abc"));   // not a multiple of 4
  EXPECT_FALSE(base64_decode("ab!d"));  // outside the alphabet
  EXPECT_FALSE(base64_decode("a=bc"));  // padding inside
  EXPECT_EQ(base64_decode("YQ==")->size(), 1u);
  EXPECT_EQ(base64_decode("YWI=")->size(), 2u);
  EXPECT_EQ(base64_decode("YWJj")->size(), 3u);
  const std::uint8_t bytes[] = {0xfb, 0xff, 0x00};
  EXPECT_EQ(base64_encode(bytes, 3), "+/8A");
  EXPECT_FALSE(AccountKey::from_base64("not a key"));
}

TEST(BlobSharedKey, EmptyContentLengthRuleAndStandardHeaderSlots) {
  const std::vector<Header> zero = {{"Content-Length", "0"}, {"x-ms-date", kDate}};
  const std::vector<Header> some = {
      {"Content-Length", "12"}, {"Content-Type", "application/octet-stream"}, {"x-ms-date", kDate}};
  EXPECT_EQ(string_to_sign("PUT", "a", "/c", {}, zero),
            "PUT\n" + std::string(11, '\n') + "x-ms-date:" + kDate + "\n/a/c");
  EXPECT_EQ(string_to_sign("PUT", "a", "/c", {}, some),
            "PUT\n\n\n12\n\napplication/octet-stream\n" + std::string(6, '\n') +
                "x-ms-date:" + kDate + "\n/a/c");
}

TEST(BlobSharedKey, CanonicalHeadersFoldWhitespaceOutsideQuotes) {
  const std::vector<Header> headers = {{"x-ms-meta-a", "  one \t two  "},
                                       {"x-ms-meta-b", "\"keep  this\"   x"}};
  EXPECT_EQ(
      string_to_sign("GET", "a", "/c", {}, headers),
      "GET\n" + std::string(11, '\n') + "x-ms-meta-a:one two\nx-ms-meta-b:\"keep  this\" x\n/a/c");
}

TEST(BlobSharedKey, QueryParametersSortedLowerCasedAndMultiValuesJoined) {
  const std::vector<QueryParam> query = {
      {"Include", "metadata"}, {"comp", "list"}, {"include", "deleted"}};
  EXPECT_EQ(string_to_sign("GET", "a", "/c", query, {}),
            "GET\n" + std::string(11, '\n') + "/a/c\ncomp:list\ninclude:deleted,metadata");
  EXPECT_EQ(string_to_sign("GET", "a", "", {}, {}), "GET\n" + std::string(11, '\n') + "/a/");
}

TEST(BlobHttpDate, FormatsAndParsesRfc1123InGmt) {
  using namespace std::chrono;
  const sys_seconds when = sys_days{2025y / March / 14} + 9h + 5min;
  EXPECT_EQ(format_http_date(when + 999ms), kDate);
  EXPECT_EQ(format_http_date(sys_days{2024y / February / 4} + 23h + 59min + 7s),
            "Sun, 04 Feb 2024 23:59:07 GMT");
  ASSERT_TRUE(parse_http_date(kDate));
  EXPECT_EQ(*parse_http_date(kDate), when);
  EXPECT_FALSE(parse_http_date("Fri, 14 Mar 2025 09:05:00 CET"));
  EXPECT_FALSE(parse_http_date("2025-03-14T09:05:00Z"));
  EXPECT_FALSE(parse_http_date("Fri, 31 Feb 2025 09:05:00 GMT"));
}

}  // namespace
}  // namespace flowlens::blob
