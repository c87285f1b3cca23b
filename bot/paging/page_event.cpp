#include "bot/paging/page_event.hpp"

#include <charconv>
#include <ctime>

namespace warroom::paging {

std::string_view to_string(page_action a) noexcept {
    switch (a) {
        case page_action::trigger: return "trigger";
        case page_action::acknowledge: return "acknowledge";
        case page_action::resolve: return "resolve";
    }
    return "trigger";
}

namespace {
std::string key_prefix(std::string_view install) {
    std::string p = "warroom-";
    p.append(install.empty() ? "default" : install).append("-INC-");
    return p;
}
}  // namespace

std::string dedup_key(std::string_view install, std::int64_t number) {
    return key_prefix(install) + std::to_string(number);
}

std::optional<std::int64_t> incident_of(std::string_view key, std::string_view install) {
    const std::string prefix = key_prefix(install);
    if (key.size() <= prefix.size() || key.substr(0, prefix.size()) != prefix) return std::nullopt;
    auto digits = key.substr(prefix.size());
    if (digits.front() == '0') return std::nullopt;  // never made by dedup_key: not ours
    std::int64_t n = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (ec != std::errc{} || end != digits.data() + digits.size() || n <= 0) return std::nullopt;
    return n;
}

std::string truncate_utf8(std::string_view text, std::size_t max_bytes) {
    if (text.size() <= max_bytes) return std::string(text);
    static constexpr std::string_view ellipsis = "\xE2\x80\xA6";  // …
    if (max_bytes < ellipsis.size()) return {};
    std::size_t cut = max_bytes - ellipsis.size();
    // Back up over continuation bytes (10xxxxxx) so no sequence is split.
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    return std::string(text.substr(0, cut)) + std::string(ellipsis);
}

std::string summary(const page_event& e, std::size_t max_bytes) {
    std::string s = "INC-" + std::to_string(e.number);
    if (!e.severity.empty()) s += " [" + e.severity + "]";
    s += " " + e.title;
    return truncate_utf8(s, max_bytes);
}

std::string rfc3339(std::chrono::sys_seconds t) {
    std::time_t tt = t.time_since_epoch().count();
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

}  // namespace warroom::paging
