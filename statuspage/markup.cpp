#include "statuspage/markup.hpp"

#include <date/date.h>

namespace warroom::statuspage {

std::string escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default:
                if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r') break;
                out += c;
        }
    }
    return out;
}

std::string iso8601(commands::time_point t) { return date::format("%FT%TZ", t); }

std::string readable(commands::time_point t) {
    auto s = date::format("%d %b %Y, %H:%M UTC", std::chrono::floor<std::chrono::minutes>(t));
    return s[0] == '0' ? s.substr(1) : s;
}

std::string readable_day(commands::time_point t) {
    auto s = date::format("%d %b %Y", std::chrono::floor<std::chrono::days>(t));
    return s[0] == '0' ? s.substr(1) : s;
}

}  // namespace warroom::statuspage
