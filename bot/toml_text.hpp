// A string as a TOML basic string, quoted and escaped, for the config that
// `check-config` prints (the settings and the [[pagers]] it describes), so
// what it prints reads back as the same values.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace warroom::bot {

inline std::string toml_string(std::string_view s) {
    std::string out = "\"";
    for (char ch : s) {
        switch (ch) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\t': out += "\\t"; break;
            default:
                if (static_cast<unsigned char>(ch) < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", ch);
                    out += buf;
                } else {
                    out += ch;
                }
        }
    }
    return out + "\"";
}

}  // namespace warroom::bot
