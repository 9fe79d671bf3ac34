// Connection strings, container URLs and account keys (blob-rest.md §1.2-§1.4, §2.10): each
// form, each error, and that no message ever carries a key or a SAS signature.
#include "blob/blob_endpoint.h"

#include <gtest/gtest.h>

#include <string>

namespace flowlens::blob {
namespace {

const std::string kKey(kDevAccountKey);
const std::string kSig = "sig=AbC%2B123%2Fxyz%3D";
const std::string kSas = "sv=2021-08-06&ss=b&srt=co&sp=rl&se=2026-01-01T00%3A00%3A00Z&" + kSig;

// The message of the BlobConfigError that parsing `text` throws ("" when none).
std::string error_of(const std::string& text) {
  try {
    parse_blob_source(text);
  } catch (const BlobConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(BlobEndpoint, AccountKeyConnectionStringDerivesTheAzureEndpoint) {
  const BlobSource s = parse_connection_string(
      "DefaultEndpointsProtocol=https;AccountName=contosoflowlogs;AccountKey=" + kKey +
      ";EndpointSuffix=core.windows.net");
  EXPECT_EQ(s.endpoint.url(), "https://contosoflowlogs.blob.core.windows.net");
  EXPECT_EQ(s.endpoint.base_path, "");
  EXPECT_EQ(s.endpoint.account, "contosoflowlogs");
  EXPECT_EQ(s.credentials.mode, AuthMode::kSharedKey);
  ASSERT_TRUE(s.credentials.key);
  EXPECT_EQ(s.credentials.key->bytes().size(), 64u);
  EXPECT_TRUE(s.container.empty());
}

TEST(BlobEndpoint, DefaultsSuffixesProtocolsAndLenientKeys) {
  // Keys case-insensitive and trimmed, trailing and empty segments ignored, other services'
  // endpoints ignored.
  const BlobSource s =
      parse_connection_string(" accountname = acct ;ACCOUNTKEY=" + kKey +
                              ";;QueueEndpoint=https://acct.queue.core.windows.net;");
  EXPECT_EQ(s.endpoint.url(), "https://acct.blob.core.windows.net");
  const BlobSource china =
      parse_connection_string("DefaultEndpointsProtocol=http;AccountName=acct;AccountKey=" + kKey +
                              ";EndpointSuffix=core.chinacloudapi.cn");
  EXPECT_EQ(china.endpoint.url(), "http://acct.blob.core.chinacloudapi.cn");
}

TEST(BlobEndpoint, UseDevelopmentStorageIsTheWellKnownEmulator) {
  const BlobSource s = parse_connection_string("UseDevelopmentStorage=true");
  EXPECT_EQ(s.endpoint.scheme, "http");
  EXPECT_EQ(s.endpoint.authority, "127.0.0.1:10000");
  EXPECT_EQ(s.endpoint.base_path, "/devstoreaccount1");
  EXPECT_EQ(s.endpoint.account, "devstoreaccount1");
  EXPECT_EQ(s.credentials.mode, AuthMode::kSharedKey);
}

TEST(BlobEndpoint, BlobEndpointWithPathStyleEmulatorAndTrailingSlash) {
  const BlobSource s = parse_connection_string(
      "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + kKey +
      ";BlobEndpoint=http://127.0.0.1:41234/devstoreaccount1/;");
  EXPECT_EQ(s.endpoint.authority, "127.0.0.1:41234");
  EXPECT_EQ(s.endpoint.base_path, "/devstoreaccount1");
  EXPECT_EQ(s.endpoint.url(), "http://127.0.0.1:41234/devstoreaccount1");
  EXPECT_EQ(s.endpoint.account, "devstoreaccount1");
}

TEST(BlobEndpoint, SharedAccessSignatureConnectionString) {
  const BlobSource s = parse_connection_string(
      "BlobEndpoint=https://contosoflowlogs.blob.core.windows.net;SharedAccessSignature=?" + kSas);
  EXPECT_EQ(s.credentials.mode, AuthMode::kSas);
  EXPECT_EQ(s.credentials.sas, kSas);  // leading '?' stripped, otherwise verbatim
  EXPECT_FALSE(s.credentials.key);
  EXPECT_EQ(s.endpoint.account, "contosoflowlogs");  // from the host's first label
}

TEST(BlobEndpoint, ContainerUrlWithSas) {
  const BlobSource s = parse_blob_source(
      "https://acct.blob.core.windows.net/insights-logs-flowlogflowevent?" + kSas);
  EXPECT_EQ(s.endpoint.url(), "https://acct.blob.core.windows.net");
  EXPECT_EQ(s.endpoint.account, "acct");
  EXPECT_EQ(s.container, "insights-logs-flowlogflowevent");
  EXPECT_EQ(s.credentials.mode, AuthMode::kSas);
  EXPECT_EQ(s.credentials.sas, kSas);
}

TEST(BlobEndpoint, PathStyleContainerUrlAndAKeyAddedLater) {
  BlobSource s = parse_container_url("http://127.0.0.1:10000/devstoreaccount1/flowlogs/");
  EXPECT_EQ(s.endpoint.base_path, "/devstoreaccount1");
  EXPECT_EQ(s.endpoint.account, "devstoreaccount1");
  EXPECT_EQ(s.container, "flowlogs");
  EXPECT_EQ(s.credentials.mode, AuthMode::kNone);
  set_account_key(s, kKey);
  EXPECT_EQ(s.credentials.mode, AuthMode::kSharedKey);
  const BlobSource local = parse_container_url("http://localhost:10000/devstoreaccount1/c1c");
  EXPECT_EQ(local.endpoint.account, "devstoreaccount1");
}

TEST(BlobEndpoint, AccountNameAndKey) {
  const BlobSource s = from_account_key("acct", kKey);
  EXPECT_EQ(s.endpoint.url(), "https://acct.blob.core.windows.net");
  EXPECT_EQ(s.credentials.mode, AuthMode::kSharedKey);
  EXPECT_THROW(from_account_key("acct", "short"), BlobConfigError);
  EXPECT_THROW(from_account_key("bad/name", kKey), BlobConfigError);
}

TEST(BlobEndpoint, EachErrorNamesWhatIsWrong) {
  const std::string k = ";AccountKey=" + kKey;
  EXPECT_NE(
      error_of("AccountName=a" + k + ";Colour=blue").find("unknown connection string key 'Colour'"),
      std::string::npos);
  EXPECT_NE(error_of("AccountName=a;AccountName=b" + k).find("'AccountName' appears twice"),
            std::string::npos);
  EXPECT_NE(error_of("AccountName=a;AccountKey=").find("'AccountKey' has an empty value"),
            std::string::npos);
  EXPECT_NE(error_of("AccountName=a;AccountKey=%%%%").find("AccountKey is not valid base64"),
            std::string::npos);
  EXPECT_NE(error_of("AccountName=a" + k + ";SharedAccessSignature=" + kSas)
                .find("both AccountKey and SharedAccessSignature"),
            std::string::npos);
  EXPECT_NE(error_of("AccountName=a").find("no credential"), std::string::npos);
  EXPECT_NE(error_of(k.substr(1)).find("AccountKey but no AccountName"), std::string::npos);
  EXPECT_NE(error_of("SharedAccessSignature=" + kSas).find("needs BlobEndpoint"),
            std::string::npos);
  EXPECT_NE(error_of("BlobEndpoint=https://a.blob.core.windows.net;SharedAccessSignature=sv=1")
                .find("no sig= field"),
            std::string::npos);
  EXPECT_NE(error_of("DefaultEndpointsProtocol=ftp;AccountName=a" + k)
                .find("DefaultEndpointsProtocol must be https or http"),
            std::string::npos);
  EXPECT_NE(error_of("AccountName=a" + k + ";EndpointSuffix=x/y").find("EndpointSuffix"),
            std::string::npos);
  EXPECT_NE(error_of("AccountName=a" + k + ";BlobEndpoint=a.blob.core.windows.net")
                .find("BlobEndpoint must be a URL"),
            std::string::npos);
  EXPECT_NE(error_of("AccountName=a" + k + ";BlobEndpoint=http://127.0.0.1:10000").find("account"),
            std::string::npos);
  EXPECT_NE(error_of("UseDevelopmentStorage=false").find("must be 'true'"), std::string::npos);
  EXPECT_NE(error_of("UseDevelopmentStorage=true;AccountName=a").find("cannot be combined"),
            std::string::npos);
  EXPECT_NE(error_of("UseDevelopmentStorage=true;DevelopmentStorageProxyUri=http://x")
                .find("DevelopmentStorageProxyUri"),
            std::string::npos);
  EXPECT_NE(error_of("AccountName=a;" + kKey).find("segment 2 has an unknown key"),
            std::string::npos);
  EXPECT_NE(error_of("https://acct.blob.core.windows.net/").find("names no container"),
            std::string::npos);
  EXPECT_NE(
      error_of("https://acct.blob.core.windows.net/c1c/blob?" + kSas).find("more than a container"),
      std::string::npos);
  EXPECT_NE(error_of("https://user:pw@acct.blob.core.windows.net/c1c").find("user@host"),
            std::string::npos);
  EXPECT_NE(error_of("ftp://acct.blob.core.windows.net/c1c").find("only https and http"),
            std::string::npos);
}

TEST(BlobEndpoint, NoErrorMessageEverHoldsASecret) {
  const std::string k = ";AccountKey=" + kKey;
  const std::vector<std::string> bad = {
      "AccountName=a" + k + ";Colour=blue",
      "AccountName=a;" + kKey,
      "AccountName=a" + k + ";SharedAccessSignature=" + kSas,
      "https://acct.blob.core.windows.net/c1c/b/x?" + kSas,
      "https://acct.blob.core.windows.net/?" + kSas,
      "BlobEndpoint=https://a.b.c/x?" + kSas + ";SharedAccessSignature=" + kSas,
  };
  for (const std::string& text : bad) {
    const std::string message = error_of(text);
    EXPECT_FALSE(message.empty()) << text;
    EXPECT_EQ(message.find(kKey.substr(0, 20)), std::string::npos) << message;
    EXPECT_EQ(message.find("AbC%2B123"), std::string::npos) << message;
  }
}

TEST(BlobEndpoint, RedactedHidesSignaturesKeysAndSharedKeyCredentials) {
  EXPECT_EQ(redacted("https://a.blob.core.windows.net/c?sv=2021-08-06&sig=AbC%2B1&sp=rl"),
            "https://a.blob.core.windows.net/c?sv=2021-08-06&sig=REDACTED&sp=rl");
  EXPECT_EQ(redacted("https://a/c?SIG=x"), "https://a/c?SIG=REDACTED");
  EXPECT_EQ(redacted("AccountName=a;AccountKey=" + kKey + ";EndpointSuffix=x"),
            "AccountName=a;AccountKey=REDACTED;EndpointSuffix=x");
  EXPECT_EQ(redacted("SharedAccessSignature=sig=abc&sv=1"),
            "SharedAccessSignature=sig=REDACTED&sv=1");
  EXPECT_EQ(redacted("Authorization: SharedKey acct:QZ0lzTYLo5mE= next"),
            "Authorization: SharedKey acct:REDACTED next");
  EXPECT_EQ(redacted("skoid=1&sktid=2&signature=kept"),
            "skoid=REDACTED&sktid=REDACTED&signature=kept");
  EXPECT_EQ(redacted("no secrets here"), "no secrets here");
}

}  // namespace
}  // namespace flowlens::blob
