#include "bot/slack/signature.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <charconv>
#include <cstdint>
#include <memory>
#include <utility>

namespace warroom::slack {

namespace {

// One MAC algorithm for the process: fetching it is a locked lookup in
// OpenSSL's provider store, so it is done once, not per signer.
EVP_MAC* hmac() {
    static EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    return mac;
}

}  // namespace

signer::signer(std::string_view secret) : has_secret_(!secret.empty()) {
    EVP_MAC* mac = hmac();
    if (mac == nullptr) return;
    keyed_ = EVP_MAC_CTX_new(mac);
    if (keyed_ == nullptr) return;
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                                 OSSL_PARAM_construct_end()};
    // A non-null key even when empty: a null one would mean "keep the old key".
    static const unsigned char no_key = 0;
    const auto* key = secret.empty() ? &no_key : reinterpret_cast<const unsigned char*>(secret.data());
    if (EVP_MAC_init(keyed_, key, secret.size(), params) != 1) {
        EVP_MAC_CTX_free(keyed_);
        keyed_ = nullptr;
    }
}

signer::~signer() { EVP_MAC_CTX_free(keyed_); }

signer::signer(signer&& other) noexcept
    : keyed_(std::exchange(other.keyed_, nullptr)), has_secret_(other.has_secret_) {}

signer& signer::operator=(signer&& other) noexcept {
    if (this != &other) {
        EVP_MAC_CTX_free(keyed_);
        keyed_ = std::exchange(other.keyed_, nullptr);
        has_secret_ = other.has_secret_;
    }
    return *this;
}

std::string signer::sign(std::string_view timestamp, std::string_view body) const {
    if (keyed_ == nullptr) return {};
    std::unique_ptr<EVP_MAC_CTX, decltype(&EVP_MAC_CTX_free)> ctx(EVP_MAC_CTX_dup(keyed_), &EVP_MAC_CTX_free);
    if (!ctx) return {};
    auto feed = [&](std::string_view part) {
        return EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(part.data()), part.size()) == 1;
    };
    if (!feed("v0:") || !feed(timestamp) || !feed(":") || !feed(body)) return {};

    unsigned char mac[EVP_MAX_MD_SIZE];
    std::size_t mac_len = 0;
    if (EVP_MAC_final(ctx.get(), mac, &mac_len, sizeof mac) != 1) return {};

    static constexpr char hex[] = "0123456789abcdef";
    std::string out = "v0=";
    out.reserve(3 + 2 * mac_len);
    for (std::size_t i = 0; i < mac_len; ++i) {
        out.push_back(hex[mac[i] >> 4]);
        out.push_back(hex[mac[i] & 0x0f]);
    }
    return out;
}

std::string sign(std::string_view secret, std::string_view timestamp, std::string_view body) {
    return signer(secret).sign(timestamp, body);
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

verdict verify(const signer& key, std::string_view timestamp_header, std::string_view signature_header,
               std::string_view body, std::chrono::sys_seconds now) {
    if (auto v = check_headers(timestamp_header, signature_header, now); v != verdict::ok) return v;

    // An empty secret would make every request from anyone who guesses that
    // verify: a misconfiguration must fail closed.
    if (!key.has_secret()) return verdict::bad_signature;

    const std::string expected = key.sign(timestamp_header, body);
    // Lengths are public (always 67 for v0), so comparing them first leaks
    // nothing; CRYPTO_memcmp then takes the same time wherever bytes differ.
    if (expected.empty() || expected.size() != signature_header.size()) return verdict::bad_signature;
    if (CRYPTO_memcmp(expected.data(), signature_header.data(), expected.size()) != 0)
        return verdict::bad_signature;
    return verdict::ok;
}

verdict verify(std::string_view secret, std::string_view timestamp_header,
               std::string_view signature_header, std::string_view body,
               std::chrono::sys_seconds now) {
    // Headers first, so a refused request never pays for keying.
    if (auto v = check_headers(timestamp_header, signature_header, now); v != verdict::ok) return v;
    return verify(signer(secret), timestamp_header, signature_header, body, now);
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
