#include "bot/email/mime.hpp"

#include <algorithm>
#include <ctime>
#include <vector>

namespace warroom::email {

namespace {

constexpr char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64(std::string_view in) {
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                     static_cast<unsigned char>(in[i + 2]);
        out += b64[(v >> 18) & 63];
        out += b64[(v >> 12) & 63];
        out += b64[(v >> 6) & 63];
        out += b64[v & 63];
    }
    if (i + 1 == in.size()) {
        unsigned v = static_cast<unsigned char>(in[i]) << 16;
        out += b64[(v >> 18) & 63];
        out += b64[(v >> 12) & 63];
        out += "==";
    } else if (i + 2 == in.size()) {
        unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
        out += b64[(v >> 18) & 63];
        out += b64[(v >> 12) & 63];
        out += b64[(v >> 6) & 63];
        out += '=';
    }
    return out;
}

// The length of the UTF-8 sequence starting at s[i] if it is a valid one, else 0.
std::size_t sequence_length(std::string_view s, std::size_t i) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return 0;
    for (std::size_t k = 1; k < n; ++k)
        if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 0;
    if (n == 2 && c < 0xC2) return 0;  // overlong
    if (n == 3) {
        auto c1 = static_cast<unsigned char>(s[i + 1]);
        if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 >= 0xA0)) return 0;  // overlong, surrogate
    }
    if (n == 4) {
        auto c1 = static_cast<unsigned char>(s[i + 1]);
        if ((c == 0xF0 && c1 < 0x90) || c > 0xF4 || (c == 0xF4 && c1 >= 0x90)) return 0;
    }
    return n;
}

std::string without_controls(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        auto u = static_cast<unsigned char>(c);
        out += (u < 0x20 || u == 0x7f) ? ' ' : c;
    }
    return out;
}

bool needs_encoding(std::string_view s) {
    for (char c : s)
        if (static_cast<unsigned char>(c) >= 0x80) return true;
    return s.find("=?") != std::string_view::npos;
}

}  // namespace

std::string valid_utf8(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        auto n = sequence_length(text, i);
        if (n == 0) {
            out += "\xEF\xBF\xBD";
            ++i;
        } else {
            out.append(text.substr(i, n));
            i += n;
        }
    }
    return out;
}

std::string encode_header_text(std::string_view raw, std::size_t used) {
    std::string text = without_controls(valid_utf8(raw));
    if (!needs_encoding(text)) {
        // Fold at spaces: a line of a header should stay under 78 characters.
        std::string out;
        std::size_t column = used;
        std::size_t i = 0;
        while (i < text.size()) {
            auto space = text.find(' ', i + 1);
            auto word = text.substr(i, space == std::string::npos ? std::string::npos : space - i);
            if (column + word.size() > 78 && !out.empty() && word[0] == ' ') {
                out += "\r\n";
                column = 0;
            }
            out += word;
            column += word.size();
            i += word.size();
        }
        return out;
    }
    // "=?UTF-8?B?" + base64 + "?=" within 75, and each line within 78 with
    // what precedes the word (the header's name, or the folding space): 45
    // bytes of text give 60 characters; the first line may hold fewer.
    auto room = [](std::size_t before) { return std::min<std::size_t>(45, (78 - 12 - std::min<std::size_t>(before, 54)) / 4 * 3); };
    std::vector<std::string> chunks;
    std::string chunk;
    for (std::size_t i = 0; i < text.size();) {
        auto n = sequence_length(text, i);  // valid: valid_utf8 made it so
        if (chunk.size() + n > room(chunks.empty() ? used : 1)) {
            chunks.push_back(chunk);
            chunk.clear();
        }
        chunk.append(text.substr(i, n));
        i += n;
    }
    if (!chunk.empty()) chunks.push_back(chunk);
    std::string out;
    for (std::size_t k = 0; k < chunks.size(); ++k) {
        if (k) out += "\r\n ";
        out += "=?UTF-8?B?" + base64(chunks[k]) + "?=";
    }
    return out;
}

std::string mailbox(std::string_view name, std::string_view address) {
    if (name.empty()) return std::string(address);
    std::string clean = without_controls(valid_utf8(name));
    if (needs_encoding(clean)) return encode_header_text(clean, 6) + " <" + std::string(address) + ">";
    std::string quoted = "\"";
    for (char c : clean) {
        if (c == '"' || c == '\\') quoted += '\\';
        quoted += c;
    }
    return quoted + "\" <" + std::string(address) + ">";
}

std::string quoted_printable(std::string_view text) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    std::size_t column = 0;
    auto put = [&](std::string_view piece) {
        // A soft break when the piece would pass 75 (the '=' of the break is the 76th).
        if (column + piece.size() > 75) {
            out += "=\r\n";
            column = 0;
        }
        out += piece;
        column += piece.size();
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        auto u = static_cast<unsigned char>(c);
        if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
        if (c == '\n') {
            out += "\r\n";
            column = 0;
            continue;
        }
        bool at_line_end = i + 1 == text.size() || text[i + 1] == '\n' || text[i + 1] == '\r';
        bool plain = (u >= 33 && u <= 126 && c != '=') || ((c == ' ' || c == '\t') && !at_line_end);
        // A leading '.' is left for SMTP's dot-stuffing; "From " at a line start is harmless in MIME.
        if (plain) {
            char s[1] = {c};
            put(std::string_view(s, 1));
        } else {
            char s[3] = {'=', hex[u >> 4], hex[u & 15]};
            put(std::string_view(s, 3));
        }
    }
    return out;
}

std::string rfc5322_date(std::chrono::system_clock::time_point t) {
    std::time_t secs = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    static constexpr const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday,
                  months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return buf;
}

std::string html_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out += c;
        }
    }
    return out;
}

}  // namespace warroom::email
