// The blob client over a scripted transport: retry decisions and delays (no real sleeping),
// Retry-After, error messages and their redaction, the outcomes of a ranged read, paging, and
// that what is signed is what is sent (blob-rest.md §2, §5, §6).
#include "blob/blob_client.h"

#include <gtest/gtest.h>

#include <chrono>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "blob/blob_retry.h"
#include "blob/http_date.h"

namespace flowlens::blob {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

const std::string kKey(kDevAccountKey);
const std::string kSig = "sig=SeCrEt%2Bsig%3D";
const std::string kBlob =
    "flowLogResourceID=/SUB_RG/NW_FL/y=2025/m=03/d=14/h=09/m=00/macAddress=00AA/PT1H.json";

struct Script : HttpTransport {
  std::deque<HttpResponse> answers;
  std::vector<HttpRequest> requests;
  HttpResponse send(const HttpRequest& request) override {
    requests.push_back(request);
    if (answers.empty()) {
      HttpResponse none;
      none.transport = TransportStatus::kFatal;
      none.transport_error = "script exhausted";
      return none;
    }
    HttpResponse r = answers.front();
    answers.pop_front();
    return r;
  }
};

HttpResponse answer(long status, std::vector<Header> headers = {}, std::string body = {}) {
  HttpResponse r;
  r.status = status;
  r.headers = std::move(headers);
  r.body = std::move(body);
  return r;
}

HttpResponse error_answer(long status, const std::string& code, const std::string& message = "m") {
  return answer(status, {{"x-ms-error-code", code}, {"x-ms-request-id", "req-1"}},
                "<?xml version=\"1.0\"?><Error><Code>" + code + "</Code><Message>" + message +
                    "\nRequestId:req-1</Message></Error>");
}

std::string header_of(const HttpRequest& r, const std::string& name) {
  for (const Header& h : r.headers) {
    if (h.name == name) return h.value;
  }
  return "<absent>";
}

struct Fixture {
  Script* script = nullptr;
  std::vector<milliseconds> sleeps;
  std::unique_ptr<BlobClient> client;
  std::chrono::system_clock::time_point now =
      std::chrono::sys_days{std::chrono::year{2025} / 3 / 14} + 9h + 5min;

  explicit Fixture(BlobSource source) {
    auto transport = std::make_unique<Script>();
    script = transport.get();
    ClientOptions options;
    options.sleep = [this](milliseconds d) { sleeps.push_back(d); };
    options.jitter = [] { return 0.4; };  // jitter factor 0.8 + 0.5 * 0.4 = 1.0
    options.clock = [this] {
      now += 1s;
      return now;
    };
    options.server_timeout_seconds = 0;
    options.client_request_id_prefix = "flowlens-test";
    client = std::make_unique<BlobClient>(std::move(source), options, std::move(transport));
  }
};

BlobSource emulator() {
  return parse_connection_string("AccountName=devstoreaccount1;AccountKey=" + kKey +
                                 ";BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1");
}

BlobSource sas_source() {
  return parse_container_url("https://acct.blob.core.windows.net/flowlogs?sv=2021-08-06&sp=rl&" +
                             kSig);
}

const std::string kEmptyList = "<EnumerationResults><Blobs/><NextMarker/></EnumerationResults>";

// ---- retry decisions ------------------------------------------------------------------------

TEST(BlobRetry, WhichStatusesRetry) {
  for (long s : {408L, 429L, 500L, 502L, 503L, 504L})
    EXPECT_TRUE(is_retryable_status(s)) << s;
  for (long s : {200L, 206L, 304L, 400L, 401L, 403L, 404L, 409L, 412L, 416L, 501L}) {
    EXPECT_FALSE(is_retryable_status(s)) << s;
  }
}

TEST(BlobRetry, ExponentialBackoffWithJitterAndCap) {
  const RetryPolicy p;                         // 800 ms base, 60 s cap
  EXPECT_EQ(backoff_delay(p, 1, 0.0), 640ms);  // 800 * 0.8
  EXPECT_EQ(backoff_delay(p, 1, 0.4), 800ms);  // 800 * 1.0
  EXPECT_EQ(backoff_delay(p, 2, 0.4), 1600ms);
  EXPECT_EQ(backoff_delay(p, 4, 0.4), 6400ms);
  EXPECT_LT(backoff_delay(p, 1, 0.999999), 1040ms);  // < 800 * 1.3
  EXPECT_EQ(backoff_delay(p, 10, 0.4), 60000ms);     // capped
  EXPECT_EQ(backoff_delay(p, 60, 0.4), 60000ms);     // no overflow
}

TEST(BlobRetry, RetryAfterSecondsDatesAndHints) {
  const auto now = *parse_http_date("Fri, 14 Mar 2025 09:05:00 GMT");
  EXPECT_EQ(*parse_retry_after("2", now), 2000ms);
  EXPECT_EQ(*parse_retry_after(" 0 ", now), 0ms);
  EXPECT_EQ(*parse_retry_after("Fri, 14 Mar 2025 09:05:30 GMT", now), 30000ms);
  EXPECT_EQ(*parse_retry_after("Fri, 14 Mar 2025 09:04:00 GMT", now), 0ms);
  EXPECT_EQ(*parse_retry_after("999999", now), kMaxServerHint);
  EXPECT_FALSE(parse_retry_after("soon", now));
  EXPECT_FALSE(parse_retry_after("-3", now));
  EXPECT_EQ(*server_retry_hint({{"Retry-After", "3"}}, now), 3000ms);
  EXPECT_EQ(*server_retry_hint({{"retry-after", "3"}, {"x-ms-retry-after-ms", "250"}}, now), 250ms);
  EXPECT_FALSE(server_retry_hint({{"x-ms-request-id", "1"}}, now));
  EXPECT_EQ(retry_delay(RetryPolicy{}, 1, 0.4, 5000ms), 5000ms);  // the hint is longer
  EXPECT_EQ(retry_delay(RetryPolicy{}, 1, 0.4, 100ms), 800ms);    // the backoff is longer
}

// ---- the client ----------------------------------------------------------------------------

TEST(BlobClient, RetriesBusyAnswersHonouringRetryAfterAndResigningEachAttempt) {
  Fixture f(emulator());
  HttpResponse busy = error_answer(503, "ServerBusy");
  busy.headers.push_back({"Retry-After", "2"});
  f.script->answers = {busy, error_answer(500, "OperationTimedOut"), answer(200, {}, kEmptyList)};
  const BlobListPage page = f.client->list_blobs("flowlogs", "p/");
  EXPECT_TRUE(page.blobs.empty());
  ASSERT_EQ(f.script->requests.size(), 3u);
  EXPECT_EQ(f.sleeps, (std::vector<milliseconds>{2000ms, 1600ms}));
  // Same client request id across attempts, a fresh date and signature on each.
  const auto& r = f.script->requests;
  EXPECT_EQ(header_of(r[0], "x-ms-client-request-id"), "flowlens-test-1");
  EXPECT_EQ(header_of(r[2], "x-ms-client-request-id"), "flowlens-test-1");
  EXPECT_NE(header_of(r[0], "x-ms-date"), header_of(r[1], "x-ms-date"));
  EXPECT_NE(header_of(r[0], "Authorization"), header_of(r[1], "Authorization"));
}

TEST(BlobClient, TransportFailuresRetryThenGiveUpClearly) {
  Fixture f(emulator());
  HttpResponse reset;
  reset.transport = TransportStatus::kRetryable;
  reset.transport_error = "Connection reset by peer";
  f.script->answers = {reset, reset, reset, reset, reset};
  try {
    f.client->get_properties("flowlogs", kBlob);
    FAIL() << "no error";
  } catch (const BlobError& e) {
    EXPECT_EQ(e.kind(), BlobErrorKind::kTransient);
    EXPECT_EQ(e.status(), 0);
    EXPECT_NE(std::string(e.what()).find("gave up after 5 attempts"), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("Connection reset"), std::string::npos);
  }
  EXPECT_EQ(f.sleeps.size(), 4u);
}

TEST(BlobClient, RetriesExhaustedOnBusyIsTransient) {
  Fixture f(emulator());
  for (int i = 0; i < 5; ++i)
    f.script->answers.push_back(error_answer(503, "ServerBusy"));
  try {
    f.client->list_blobs("flowlogs");
    FAIL() << "no error";
  } catch (const BlobError& e) {
    EXPECT_EQ(e.kind(), BlobErrorKind::kTransient);
    EXPECT_EQ(e.status(), 503);
    EXPECT_EQ(e.code(), "ServerBusy");
    EXPECT_EQ(e.request_id(), "req-1");
  }
  EXPECT_EQ(f.sleeps, (std::vector<milliseconds>{800ms, 1600ms, 3200ms, 6400ms}));
}

TEST(BlobClient, AuthenticationFailureIsFinalAndSaysWhatToCheck) {
  Fixture f(emulator());
  f.script->answers = {error_answer(403, "AuthorizationFailure")};
  try {
    f.client->list_blobs("flowlogs");
    FAIL() << "no error";
  } catch (const BlobError& e) {
    const std::string m = e.what();
    EXPECT_EQ(e.kind(), BlobErrorKind::kAuthentication);
    EXPECT_NE(m.find("check the account key or SAS"), std::string::npos) << m;
    EXPECT_EQ(m.find(kKey.substr(0, 16)), std::string::npos) << m;
  }
  EXPECT_TRUE(f.sleeps.empty());
  EXPECT_EQ(f.script->requests.size(), 1u);
}

TEST(BlobClient, ClockSkewIsNamedOnAuthenticationFailure) {
  Fixture f(emulator());
  HttpResponse r = error_answer(403, "AuthenticationFailed");
  r.headers.push_back({"date", "Fri, 14 Mar 2025 09:45:00 GMT"});
  f.script->answers = {r};
  try {
    f.client->list_blobs("flowlogs");
    FAIL() << "no error";
  } catch (const BlobError& e) {
    EXPECT_NE(std::string(e.what()).find("clock is 39 minutes off"), std::string::npos) << e.what();
  }
}

TEST(BlobClient, MissingContainerAndPermissionAndVersionMessages) {
  Fixture f(emulator());
  f.script->answers = {error_answer(404, "ContainerNotFound"),
                       error_answer(403, "AuthorizationPermissionMismatch"),
                       error_answer(400, "InvalidHeaderValue"), error_answer(409, "BlobArchived")};
  const auto message = [&](auto&& call) -> std::string {
    try {
      call();
    } catch (const BlobError& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_NE(message([&] {
              f.client->list_blobs("nope");
            }).find("no container named 'nope' in account 'devstoreaccount1'"),
            std::string::npos);
  EXPECT_NE(
      message([&] { f.client->get_block_list("flowlogs", "b"); }).find("read (r) and list (l)"),
      std::string::npos);
  EXPECT_NE(message([&] { f.client->list_blobs("flowlogs"); }).find("API version 2021-08-06"),
            std::string::npos);
  EXPECT_NE(message([&] { f.client->get_range("flowlogs", "b", 0, 5); }).find("Archive tier"),
            std::string::npos);
  EXPECT_THROW(f.client->list_blobs("Bad_Name"), BlobConfigError);
}

TEST(BlobClient, HeadErrorsComeFromTheErrorCodeHeader) {
  Fixture f(emulator());
  f.script->answers = {answer(404, {{"x-ms-error-code", "BlobNotFound"}})};
  try {
    f.client->get_properties("flowlogs", "gone.json");
    FAIL() << "no error";
  } catch (const BlobError& e) {
    EXPECT_EQ(e.kind(), BlobErrorKind::kBlobNotFound);
    EXPECT_EQ(f.script->requests[0].method, "HEAD");
  }
}

TEST(BlobClient, WhatIsSignedIsWhatIsSent) {
  Fixture f(emulator());
  f.script->answers = {
      answer(206, {{"etag", "\"0x1\""}, {"content-range", "bytes 12-16/100"}}, "abcde")};
  const RangeResult r = f.client->get_range("flowlogs", kBlob, 12, 5, "0x1");
  EXPECT_EQ(r.outcome, RangeOutcome::kData);
  EXPECT_EQ(r.data, "abcde");
  EXPECT_EQ(r.etag, "\"0x1\"");
  EXPECT_EQ(r.total_length, 100u);
  const HttpRequest& sent = f.script->requests.at(0);
  const std::string path =
      "/devstoreaccount1/flowlogs/flowLogResourceID%3D/SUB_RG/NW_FL/y%3D2025/m%3D03/d%3D14/"
      "h%3D09/m%3D00/macAddress%3D00AA/PT1H.json";
  EXPECT_EQ(sent.url, "http://127.0.0.1:10000" + path);
  EXPECT_EQ(header_of(sent, "x-ms-range"), "bytes=12-16");
  EXPECT_EQ(header_of(sent, "If-Match"), "\"0x1\"");
  EXPECT_EQ(header_of(sent, "x-ms-version"), "2021-08-06");
  std::vector<Header> unsigned_headers;
  for (const Header& h : sent.headers) {
    if (h.name != "Authorization") unsigned_headers.push_back(h);
  }
  const std::string expected =
      sign(*AccountKey::from_base64(kKey),
           string_to_sign("GET", "devstoreaccount1", path, {}, unsigned_headers));
  EXPECT_EQ(header_of(sent, "Authorization"), "SharedKey devstoreaccount1:" + expected);
}

TEST(BlobClient, SasIsAppendedVerbatimWithoutAuthorization) {
  Fixture f(sas_source());
  f.script->answers = {answer(200, {}, kEmptyList)};
  f.client->list_blobs("flowlogs", "a=b/", "", 2);
  const HttpRequest& sent = f.script->requests.at(0);
  EXPECT_EQ(
      sent.url,
      "https://acct.blob.core.windows.net/flowlogs?restype=container&comp=list&prefix=a%3Db%2F"
      "&maxresults=2&sv=2021-08-06&sp=rl&" +
          kSig);
  EXPECT_EQ(header_of(sent, "Authorization"), "<absent>");
  EXPECT_NE(header_of(sent, "x-ms-date"), "<absent>");
}

TEST(BlobClient, NoMessageOrLogHoldsTheSasSignature) {
  auto transport = std::make_unique<Script>();
  Script* script = transport.get();
  std::vector<RequestLog> logs;
  ClientOptions options;
  options.sleep = [](milliseconds) {};
  options.on_request = [&](const RequestLog& l) { logs.push_back(l); };
  BlobClient client(sas_source(), options, std::move(transport));
  HttpResponse echo = error_answer(403, "AuthenticationFailed",
                                   "Signature did not match for https://x/c?sv=1&" + kSig);
  script->answers = {echo};
  try {
    client.list_blobs("flowlogs");
    FAIL() << "no error";
  } catch (const BlobError& e) {
    EXPECT_EQ(std::string(e.what()).find("SeCrEt"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("sig=REDACTED"), std::string::npos) << e.what();
  }
  HttpResponse broken;
  broken.transport = TransportStatus::kFatal;
  broken.transport_error = "bad URL https://x/c?" + kSig;
  script->answers = {broken};
  try {
    client.list_blobs("flowlogs");
    FAIL() << "no error";
  } catch (const BlobError& e) {
    EXPECT_EQ(e.kind(), BlobErrorKind::kTransport);
    EXPECT_EQ(std::string(e.what()).find("SeCrEt"), std::string::npos) << e.what();
  }
  ASSERT_EQ(logs.size(), 2u);
  for (const RequestLog& l : logs) {
    EXPECT_EQ(l.target.find("SeCrEt"), std::string::npos);
    EXPECT_EQ(l.transport_error.find("SeCrEt"), std::string::npos);
  }
  EXPECT_THROW(BlobClient(parse_container_url("https://acct.blob.core.windows.net/flowlogs")),
               BlobConfigError);  // no credential at all
}

TEST(BlobClient, RangeOutcomesChangedGoneAndPastTheEnd) {
  Fixture f(emulator());
  f.script->answers = {error_answer(412, "ConditionNotMet"), error_answer(404, "BlobNotFound"),
                       error_answer(416, "InvalidRange"),
                       answer(206, {{"content-range", "bytes 100-99/100"}})};
  EXPECT_EQ(f.client->get_range("flowlogs", "b", 0, 10, "0x1").outcome, RangeOutcome::kChanged);
  EXPECT_EQ(f.client->get_range("flowlogs", "b", 0, 10).outcome, RangeOutcome::kGone);
  EXPECT_EQ(f.client->get_range("flowlogs", "b", 200, 10).outcome, RangeOutcome::kNotSatisfiable);
  EXPECT_EQ(f.client->get_range("flowlogs", "b", 100, 10).outcome,
            RangeOutcome::kNotSatisfiable);  // Azurite's empty 206
  EXPECT_TRUE(f.sleeps.empty());
  EXPECT_THROW(f.client->get_range("flowlogs", "b", 0, 0), BlobConfigError);
}

TEST(BlobClient, InconsistentRangeAnswerIsRetriedOnceThenAnError) {
  Fixture f(emulator());
  const HttpResponse wrong = answer(206, {{"content-range", "bytes 0-4/100"}}, "abcde");
  const HttpResponse right = answer(206, {{"content-range", "bytes 10-14/100"}}, "fghij");
  f.script->answers = {wrong, right};
  EXPECT_EQ(f.client->get_range("flowlogs", "b", 10, 5).data, "fghij");
  f.script->answers = {wrong, wrong};
  try {
    f.client->get_range("flowlogs", "b", 10, 5);
    FAIL() << "no error";
  } catch (const BlobError& e) {
    EXPECT_EQ(e.kind(), BlobErrorKind::kProtocol);
  }
}

TEST(BlobClient, BlockListCarriesEtagAndLengthAndIsChecked) {
  Fixture f(emulator());
  const std::string body =
      "<BlockList><CommittedBlocks><Block><Name>SA==</Name><Size>12</Size></Block><Block>"
      "<Name>RA==</Name><Size>30</Size></Block><Block><Name>VA==</Name><Size>2</Size></Block>"
      "</CommittedBlocks></BlockList>";
  f.script->answers = {
      answer(200, {{"etag", "\"0xE1\""}, {"x-ms-blob-content-length", "44"}}, body)};
  const BlockListResult list = f.client->get_block_list("flowlogs", kBlob);
  ASSERT_EQ(list.blocks.size(), 3u);
  EXPECT_EQ(list.etag, "\"0xE1\"");
  EXPECT_EQ(list.content_length, 44u);
  EXPECT_NE(f.script->requests[0].url.find("?comp=blocklist&blocklisttype=committed"),
            std::string::npos);
  const HttpResponse bad = answer(200, {{"x-ms-blob-content-length", "45"}}, body);
  f.script->answers = {bad, bad};
  EXPECT_THROW(f.client->get_block_list("flowlogs", kBlob), BlobError);
}

TEST(BlobClient, ListAllFollowsNextMarker) {
  Fixture f(emulator());
  const auto page = [](const std::string& names, const std::string& marker) {
    std::string xml = "<EnumerationResults><Blobs>";
    for (char c : names) {
      xml += "<Blob><Name>";
      xml += c;
      xml += "</Name><Properties><Content-Length>1</Content-Length></Properties></Blob>";
    }
    return answer(200, {},
                  xml + "</Blobs><NextMarker>" + marker + "</NextMarker></EnumerationResults>");
  };
  f.script->answers = {page("ab", "b+/="), page("", "c"), page("cd", "")};
  const auto all = f.client->list_all("flowlogs", "", 2);
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[3].name, "d");
  ASSERT_EQ(f.script->requests.size(), 3u);
  EXPECT_NE(f.script->requests[1].url.find("&marker=b%2B%2F%3D&maxresults=2"), std::string::npos)
      << f.script->requests[1].url;
}

}  // namespace
}  // namespace flowlens::blob
