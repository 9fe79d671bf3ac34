#include "ingest/blob_inputs.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "blob/blob_client.h"
#include "blob/http_date.h"

namespace flowlens::ingest {
namespace {

constexpr std::uint64_t kRangeBytes = 4 << 20;  // one ranged GET

// A request of a BlobReader that failed after the client's retries; `transient` when waiting
// may help (the service or the network was down), not when the credential, the permission or
// the blob's state is the problem.
class BlobReadFailed : public ReadError {
 public:
  BlobReadFailed(const std::string& message, bool transient)
      : ReadError(message), transient_(transient) {}
  bool transient() const { return transient_; }

 private:
  bool transient_;
};

class BlobReader final : public ByteReader {
 public:
  BlobReader(blob::BlobClient& client, BlobInput input, std::atomic<std::uint64_t>* downloaded)
      : client_(client), input_(std::move(input)), downloaded_(downloaded) {}

  std::size_t read(char* dst, std::size_t max) override {
    if (pos_ == buffer_.size() && !fill()) return 0;
    std::size_t n = std::min(max, buffer_.size() - pos_);
    std::memcpy(dst, buffer_.data() + pos_, n);
    pos_ += n;
    return n;
  }

  std::uint64_t skip(std::uint64_t n) override {
    std::uint64_t buffered = buffer_.size() - pos_;
    if (n <= buffered) {
      pos_ += static_cast<std::size_t>(n);
      return n;
    }
    buffer_.clear();
    pos_ = 0;
    std::uint64_t rest = std::min(n - buffered, input_.size - offset_);
    offset_ += rest;
    return buffered + rest;
  }

 private:
  bool fill() {
    buffer_.clear();
    pos_ = 0;
    if (offset_ >= input_.size) return false;
    std::uint64_t length = std::min(kRangeBytes, input_.size - offset_);
    blob::RangeResult r;
    try {
      r = client_.get_range(input_.container, input_.blob, offset_, length, input_.etag);
    } catch (const blob::BlobError& e) {
      throw BlobReadFailed(fmt::format("{}: {}", input_.name(), e.what()),
                           e.kind() == blob::BlobErrorKind::kTransient);
    } catch (const std::exception& e) {
      throw ReadError(fmt::format("{}: {}", input_.name(), e.what()));
    }
    switch (r.outcome) {
      case blob::RangeOutcome::kData:
        break;
      case blob::RangeOutcome::kNotSatisfiable:
        return false;
      case blob::RangeOutcome::kChanged:
        // Azurite also answers 412 for a deleted blob read with If-Match (blob-rest.md §8).
        throw InputSuperseded(fmt::format(
            "{}: committed again (or deleted) while being read; what was read before is kept, "
            "the rest is read next time",
            input_.name()));
      case blob::RangeOutcome::kGone:
        throw InputSuperseded(fmt::format(
            "{}: deleted while being read; what was read before is kept", input_.name()));
    }
    buffer_ = std::move(r.data);
    offset_ += buffer_.size();
    if (downloaded_ != nullptr) *downloaded_ += buffer_.size();
    return !buffer_.empty();
  }

  blob::BlobClient& client_;
  BlobInput input_;
  std::atomic<std::uint64_t>* downloaded_;
  std::uint64_t offset_ = 0;  // the next byte to download
  std::string buffer_;
  std::size_t pos_ = 0;
};

bool is_flow_log(const blob::BlobItem& item) {
  const std::string& n = item.name;
  return (item.blob_type.empty() || item.blob_type == "BlockBlob") && n.size() >= 5 &&
         n.compare(n.size() - 5, 5, ".json") == 0;
}

}  // namespace

std::vector<BlobInput> list_blob_inputs(const blob::BlobSource& source,
                                        const std::string& container, const std::string& prefix) {
  blob::BlobClient client(source);
  std::vector<BlobInput> out;
  for (const blob::BlobItem& item : client.list_all(container, prefix)) {
    if (!is_flow_log(item)) continue;
    BlobInput in;
    in.container = container;
    in.blob = item.name;
    in.size = item.content_length;
    in.etag = item.etag;
    if (auto t = blob::parse_http_date(item.last_modified)) {
      in.mtime =
          std::chrono::duration_cast<std::chrono::nanoseconds>(t->time_since_epoch()).count();
    }
    out.push_back(std::move(in));
  }
  std::sort(out.begin(), out.end(),
            [](const BlobInput& a, const BlobInput& b) { return a.blob < b.blob; });
  return out;
}

std::optional<Ticks> blob_hour(const std::string& name) {
  std::size_t at = name.find("/y=");
  if (at == std::string::npos) {
    if (name.rfind("y=", 0) != 0) return std::nullopt;
    at = 0;
  } else {
    ++at;
  }
  int year = 0, month = 0, day = 0, hour = 0;
  char tail = 0;
  // "y=2025/m=03/d=14/h=09/": sscanf's %d accepts signs and spaces, so check digits too.
  if (std::sscanf(name.c_str() + at, "y=%4d/m=%2d/d=%2d/h=%2d%c", &year, &month, &day, &hour,
                  &tail) != 5 ||
      tail != '/') {
    return std::nullopt;
  }
  std::string iso = fmt::format("{:04}-{:02}-{:02}T{:02}:00:00Z", year, month, day, hour);
  if (name.compare(at, 22,
                   fmt::format("y={:04}/m={:02}/d={:02}/h={:02}/", year, month, day, hour)) != 0) {
    return std::nullopt;
  }
  return parse_iso8601(iso);
}

std::unique_ptr<ByteReader> open_blob(blob::BlobClient& client, const BlobInput& input,
                                      std::atomic<std::uint64_t>* downloaded) {
  return std::make_unique<BlobReader>(client, input, downloaded);
}

PrefixCheck hash_blob_prefix(blob::BlobClient& client, const BlobInput& input, std::uint64_t length,
                             std::atomic<std::uint64_t>* downloaded) {
  PrefixCheck out;
  if (length > input.size) {
    out.outcome = PrefixCheck::Outcome::kDiffers;
    return out;
  }
  try {
    BlobReader reader(client, input, downloaded);
    std::string buffer(1 << 20, '\0');
    std::uint64_t left = length;
    while (left > 0) {
      std::size_t n = reader.read(
          buffer.data(), static_cast<std::size_t>(std::min<std::uint64_t>(left, buffer.size())));
      if (n == 0) {
        out.outcome = PrefixCheck::Outcome::kDiffers;
        return out;
      }
      out.hash.update(buffer.data(), n);
      left -= n;
    }
    out.outcome = PrefixCheck::Outcome::kHashed;
  } catch (const InputSuperseded& e) {
    out.outcome = PrefixCheck::Outcome::kUnknown;
    out.why = e.what();
  } catch (const BlobReadFailed& e) {
    out.outcome = e.transient() ? PrefixCheck::Outcome::kUnknown : PrefixCheck::Outcome::kFailed;
    out.why = e.what();
  } catch (const ReadError& e) {
    out.outcome = PrefixCheck::Outcome::kFailed;
    out.why = e.what();
  }
  return out;
}

}  // namespace flowlens::ingest
