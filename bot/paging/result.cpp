#include "bot/paging/result.hpp"

#include "bot/paging/page_event.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>

namespace warroom::paging {

std::optional<std::chrono::seconds> parse_retry_after(std::string_view h) {
    while (!h.empty() && h.front() == ' ') h.remove_prefix(1);
    while (!h.empty() && h.back() == ' ') h.remove_suffix(1);
    if (h.empty() || h.size() > 10) return std::nullopt;
    for (char c : h)
        if (c < '0' || c > '9') return std::nullopt;
    std::int64_t n = 0;
    std::from_chars(h.data(), h.data() + h.size(), n);
    return std::chrono::seconds(std::min<std::int64_t>(n, 3600));
}

namespace {

// The vendor's explanation: PagerDuty's {"status","message","errors":[…]},
// Opsgenie's {"message","errors":{field: why}}, else the start of the body.
std::string vendor_message(const std::string& body) {
    auto j = nlohmann::json::parse(body, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
        std::string text;
        for (char c : body.substr(0, 200)) text += (static_cast<unsigned char>(c) < 0x20) ? ' ' : c;
        return truncate_utf8(text, 200);
    }
    std::string out;
    auto str = [&](const char* key) {
        auto it = j.find(key);
        return it != j.end() && it->is_string() ? it->get<std::string>() : std::string{};
    };
    if (auto s = str("status"); !s.empty() && s != "success") out = s;
    if (auto m = str("message"); !m.empty()) out += (out.empty() ? "" : ": ") + m;
    if (auto e = j.find("errors"); e != j.end()) {
        std::string list;
        if (e->is_array()) {
            for (const auto& item : *e)
                if (item.is_string()) list += (list.empty() ? "" : "; ") + item.get<std::string>();
        } else if (e->is_object()) {
            for (const auto& [k, v] : e->items())
                list += (list.empty() ? "" : "; ") + k + ": " + (v.is_string() ? v.get<std::string>() : v.dump());
        }
        if (!list.empty()) out += " (" + list + ")";
    }
    return truncate_utf8(out, 500);
}

}  // namespace

page_result classify(pager_kind kind, const http_outcome& a) {
    page_result r;
    if (a.status >= 200 && a.status < 300) return r;
    auto said = [&] {
        std::string head = a.status == 0 ? "no answer" : std::to_string(a.status);
        if (a.status == 0 && !a.network_error.empty()) head += ": " + a.network_error;
        auto msg = a.status == 0 ? std::string{} : vendor_message(a.body);
        return msg.empty() ? head : head + " " + msg;
    };
    r.error = std::string(to_string(kind)) + ": " + said();
    if (a.status == 0 || a.status == 408 || a.status == 429 || a.status >= 500) {
        r.kind = page_result::retry;
        if (a.status == 429 || a.status == 503) r.retry_after = parse_retry_after(a.retry_after);
        return r;
    }
    r.kind = page_result::dead;
    return r;
}

}  // namespace warroom::paging
