// slack::verify over arbitrary input. It must never crash, and must never say
// ok unless sign() of the same secret, timestamp and body is the signature
// (and the timestamp is within the window, and the secret is not empty).
//
// Input: "now\nsecret\ntimestamp\nsignature\nbody...": the body is the rest
// (newlines included). An empty or non-numeric `now` means "the timestamp's
// own value", so Slack's published vectors verify as they are.
#include "bot/slack/signature.hpp"
#include "tests/fuzz/fuzz_support.hpp"

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

using namespace warroom::slack;

namespace {

// Digits only, fitting an int64: what verify() accepts as a timestamp.
bool plain_number(std::string_view s, std::int64_t& out) {
    if (s.empty()) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc{} && end == s.data() + s.size();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    const auto now_text = next_line(in);
    const auto secret = next_line(in);
    const auto timestamp = next_line(in);
    const auto signature = next_line(in);
    const auto body = in;

    std::int64_t ts = 0;
    const bool ts_ok = plain_number(timestamp, ts);
    std::int64_t now = 0;
    // A `now` that does not parse fully (e.g. "-5") still gives a value: any
    // int64 is a valid clock for verify().
    if (!now_text.empty() && now_text != "=") {
        std::from_chars(now_text.data(), now_text.data() + now_text.size(), now);
    } else if (ts_ok) {
        now = ts;
    }
    const std::chrono::sys_seconds clock{std::chrono::seconds{now}};

    const verdict v = verify(secret, timestamp, signature, body, clock);
    if (describe(v).empty()) fail("describe() gave an empty text");
    if (v == verdict::ok) {
        if (secret.empty()) fail("ok with an empty secret");
        if (!ts_ok) fail("ok with a timestamp that is not a plain number");
        const auto d = ts > now ? static_cast<std::uint64_t>(ts) - static_cast<std::uint64_t>(now)
                                : static_cast<std::uint64_t>(now) - static_cast<std::uint64_t>(ts);
        if (d > static_cast<std::uint64_t>(signature_window.count())) fail("ok outside the window");
        if (sign(secret, timestamp, body) != signature) fail("ok but sign() differs from the signature");
    }

    // The other way round: what sign() makes verifies at its own timestamp.
    if (!secret.empty() && ts_ok) {
        const auto good = sign(secret, timestamp, body);
        if (good.size() != 67 || good.compare(0, 3, "v0=") != 0) fail("sign() is not v0= and 64 hex digits");
        if (verify(secret, timestamp, good, body, std::chrono::sys_seconds{std::chrono::seconds{ts}}) != verdict::ok)
            fail("a signature from sign() does not verify");
    }
    return 0;
}
