// Slack's request signing (v0): what proves an HTTP request came from Slack.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

// OpenSSL's MAC context, named without its headers.
typedef struct evp_mac_ctx_st EVP_MAC_CTX;

namespace warroom::slack {

// How far the request timestamp may be from our clock, either way. Slack's
// window is 300 s; checking the future too (as the python SDK does) stops a
// captured request from being replayable for longer than that.
inline constexpr std::chrono::seconds signature_window{300};

// The signing secret keyed into HMAC-SHA256 once. Keying per request (HMAC()
// one-shot) fetched the algorithm and hashed the key pads on every call; a
// copy of the keyed context does neither. Safe to share between threads: sign
// only reads the keyed context.
class signer {
public:
    // An empty secret is kept (sign() still works, for tests), but verify()
    // refuses everything with it.
    explicit signer(std::string_view secret);
    ~signer();
    signer(signer&&) noexcept;
    signer& operator=(signer&&) noexcept;
    signer(const signer&) = delete;
    signer& operator=(const signer&) = delete;

    // "v0=" + lowercase hex HMAC-SHA256(secret, "v0:" + timestamp + ":" + body).
    // Returns an empty string only if OpenSSL fails, which then never verifies.
    std::string sign(std::string_view timestamp, std::string_view body) const;
    bool has_secret() const noexcept { return has_secret_; }

private:
    EVP_MAC_CTX* keyed_ = nullptr;  // null only if OpenSSL failed to key it
    bool has_secret_ = false;
};

// The same, keying a signer for this one call.
std::string sign(std::string_view secret, std::string_view timestamp, std::string_view body);

enum class verdict {
    ok,
    missing,              // a header is absent or empty
    malformed_timestamp,  // not a plain decimal number of seconds
    stale,                // more than signature_window from now
    bad_signature,        // wrong secret, tampered body, or not a "v0=" signature
};

// Checks in that order, so a replayed request reports `stale` even when its
// signature is valid. `body` must be the raw bytes as received.
verdict verify(const signer& key, std::string_view timestamp_header, std::string_view signature_header,
               std::string_view body, std::chrono::sys_seconds now);
// The same, keying a signer for this one call.
verdict verify(std::string_view secret, std::string_view timestamp_header,
               std::string_view signature_header, std::string_view body,
               std::chrono::sys_seconds now);

// The checks of verify() that need no body: ok when both headers are there
// and the timestamp is fresh. Lets a server refuse before reading a body.
verdict check_headers(std::string_view timestamp_header, std::string_view signature_header,
                      std::chrono::sys_seconds now);

// Short text for logs and metrics labels; never shown to the caller.
std::string_view describe(verdict v) noexcept;

}  // namespace warroom::slack
