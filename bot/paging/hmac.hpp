// HMAC-SHA256 and the comparisons every signature check here needs.
#pragma once

#include <string>
#include <string_view>

namespace warroom::paging {

// Lowercase hex of HMAC-SHA256(key, data); empty only if OpenSSL fails (which
// then never verifies).
std::string hmac_sha256_hex(std::string_view key, std::string_view data);

// Equal in time independent of where the bytes differ (lengths are public).
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace warroom::paging
