#include "blob/http_transport.h"

namespace flowlens::blob {

std::string HttpResponse::header(std::string_view lower_name) const {
  for (const Header& h : headers) {
    if (h.name == lower_name) return h.value;
  }
  return {};
}

bool HttpResponse::has_header(std::string_view lower_name) const {
  for (const Header& h : headers) {
    if (h.name == lower_name) return true;
  }
  return false;
}

}  // namespace flowlens::blob
