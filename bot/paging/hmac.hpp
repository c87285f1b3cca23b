// HMAC-SHA256 and the comparisons every signature check here needs.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace warroom::paging {

// Lowercase hex of HMAC-SHA256(key, data); empty only if OpenSSL fails (which
// then never verifies).
std::string hmac_sha256_hex(std::string_view key, std::string_view data);

// Equal in time independent of where the bytes differ (lengths are public).
bool constant_time_equal(std::string_view a, std::string_view b);

// The comma-separated parts of a signature header (`t=…,v1=…`, or several
// `v1=…` during a secret's rotation), leading spaces trimmed.
std::vector<std::string_view> header_parts(std::string_view header);

// Whether any candidate equals `expected`, each compared in constant time.
bool any_equal(std::string_view expected, const std::vector<std::string_view>& candidates);

}  // namespace warroom::paging
