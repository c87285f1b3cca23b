#include "bot/slack/signature.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <charconv>
#include <climits>
#include <cstdint>

namespace warroom::slack {

std::string sign(std::string_view secret, std::string_view timestamp, std::string_view body) {
    if (secret.size() > static_cast<std::size_t>(INT_MAX)) return {};  // HMAC() takes an int key length

    std::string base;
    base.reserve(3 + timestamp.size() + 1 + body.size());
    base.append("v0:").append(timestamp).append(":").append(body);

    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    if (HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
             reinterpret_cast<const unsigned char*>(base.data()), base.size(), mac, &mac_len) == nullptr)
        return {};

    static constexpr char hex[] = "0123456789abcdef";
    std::string out = "v0=";
    out.reserve(3 + 2 * mac_len);
    for (unsigned int i = 0; i < mac_len; ++i) {
        out.push_back(hex[mac[i] >> 4]);
        out.push_back(hex[mac[i] & 0x0f]);
    }
    return out;
}

namespace {

// Digits only: from_chars alone would let "-5" through, and "+5" or " 5"
// are not what Slack sends, so treat them as forged rather than guess.
bool parse_timestamp(std::string_view s, std::int64_t& out) {
    if (s.empty()) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc{} && end == s.data() + s.size();
}

// |a - b| computed in unsigned arithmetic, which cannot overflow for any
// pair of int64 values (a 20-digit timestamp must not wrap into "fresh").
std::uint64_t distance(std::int64_t a, std::int64_t b) {
    auto ua = static_cast<std::uint64_t>(a), ub = static_cast<std::uint64_t>(b);
    return a > b ? ua - ub : ub - ua;
}

}  // namespace

verdict check_headers(std::string_view timestamp_header, std::string_view signature_header,
                      std::chrono::sys_seconds now) {
    if (timestamp_header.empty() || signature_header.empty()) return verdict::missing;

    std::int64_t ts = 0;
    if (!parse_timestamp(timestamp_header, ts)) return verdict::malformed_timestamp;
    if (distance(ts, now.time_since_epoch().count()) >
        static_cast<std::uint64_t>(signature_window.count()))
        return verdict::stale;
    return verdict::ok;
}

verdict verify(std::string_view secret, std::string_view timestamp_header,
               std::string_view signature_header, std::string_view body,
               std::chrono::sys_seconds now) {
    if (auto v = check_headers(timestamp_header, signature_header, now); v != verdict::ok) return v;

    // An empty secret would make every request from anyone who guesses that
    // verify: a misconfiguration must fail closed.
    if (secret.empty()) return verdict::bad_signature;

    const std::string expected = sign(secret, timestamp_header, body);
    // Lengths are public (always 67 for v0), so comparing them first leaks
    // nothing; CRYPTO_memcmp then takes the same time wherever bytes differ.
    if (expected.empty() || expected.size() != signature_header.size()) return verdict::bad_signature;
    if (CRYPTO_memcmp(expected.data(), signature_header.data(), expected.size()) != 0)
        return verdict::bad_signature;
    return verdict::ok;
}

std::string_view describe(verdict v) noexcept {
    switch (v) {
        case verdict::ok: return "ok";
        case verdict::missing: return "missing signature or timestamp header";
        case verdict::malformed_timestamp: return "malformed timestamp";
        case verdict::stale: return "timestamp outside the 300 s window";
        case verdict::bad_signature: return "signature mismatch";
    }
    return "unknown verdict";
}

}  // namespace warroom::slack
