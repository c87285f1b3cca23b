// Escaping user text for Slack, and reading Slack text back as plain text.
#include "templates/slack_text.hpp"

#include <cctype>

namespace warroom::templates {

namespace {

bool is_id_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

// Length of a user or channel mention starting at text[0] ('<'), or 0.
std::size_t mention_length(std::string_view text) {
    if (text.size() < 4 || text[0] != '<' || (text[1] != '@' && text[1] != '#')) return 0;
    std::size_t i = 2;
    while (i < text.size() && is_id_char(text[i])) ++i;
    if (i == 2 || i >= text.size()) return 0;
    if (text[i] == '|') {
        ++i;
        while (i < text.size() && text[i] != '>' && text[i] != '<') ++i;
        if (i >= text.size() || text[i] != '>') return 0;
    }
    return text[i] == '>' ? i + 1 : 0;
}

// Length of a control character at text[0] that must not reach a reader
// (C0 but newline and tab, DEL, C1, bidirectional embeddings, overrides and
// isolates), or 0.
std::size_t control_length(std::string_view text) {
    auto b = [&](std::size_t k) { return k < text.size() ? static_cast<unsigned char>(text[k]) : 0; };
    unsigned char c = b(0);
    if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7F) return 1;
    if (c == 0xC2 && b(1) >= 0x80 && b(1) <= 0x9F) return 2;
    if (c == 0xE2 && ((b(1) == 0x80 && b(2) >= 0xAA && b(2) <= 0xAE) || (b(1) == 0x81 && b(2) >= 0xA6 && b(2) <= 0xA9)))
        return 3;
    return 0;
}

}  // namespace

std::string escape_user_text(std::string_view text) {
    std::string out;
    out.reserve(text.size() + text.size() / 8);
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '<') {
            if (auto n = mention_length(text.substr(i)); n > 0) {
                out.append(text.substr(i, n));
                i += n - 1;
                continue;
            }
            out += "&lt;";
        } else if (c == '>') {
            out += "&gt;";
        } else if (c == '&') {
            out += "&amp;";
        } else if (auto skip = control_length(text.substr(i)); skip > 0) {
            // Stored before the engine cleaned what it is given, or from elsewhere:
            // still never shown to a reader.
            i += skip - 1;
        } else {
            out += c;
        }
    }
    return out;
}

namespace {

std::string decode_entities(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '&') {
            if (s.substr(i, 4) == "&lt;") { out += '<'; i += 3; continue; }
            if (s.substr(i, 4) == "&gt;") { out += '>'; i += 3; continue; }
            if (s.substr(i, 5) == "&amp;") { out += '&'; i += 4; continue; }
        }
        out += s[i];
    }
    return out;
}

// "<@U1|ann>" -> "@ann", "<#C1|ops>" -> "#ops", "<!here>" -> "@here",
// "<!subteam^S1|@sre>" -> "@sre", "<!date^…|fallback>" -> "fallback",
// "<https://x|label>" -> "label (https://x)".
std::string plain_token(std::string_view inner) {
    auto bar = inner.find('|');
    std::string_view target = inner.substr(0, bar);
    std::string_view label = bar == std::string_view::npos ? std::string_view{} : inner.substr(bar + 1);
    if (!target.empty() && (target[0] == '@' || target[0] == '#')) {
        if (!label.empty()) return std::string(1, target[0]) + std::string(label);
        return std::string(target);
    }
    if (!target.empty() && target[0] == '!') {
        if (!label.empty()) return std::string(label);
        auto caret = target.find('^');
        // Appended rather than "@" + string: GCC 12 at -O3 warns falsely (-Wrestrict) on that.
        std::string out = "@";
        out += target.substr(1, caret == std::string_view::npos ? caret : caret - 1);
        return out;
    }
    if (!label.empty()) return std::string(label) + " (" + std::string(target) + ")";
    return std::string(target);
}

}  // namespace

std::string to_plain(std::string_view mrkdwn) {
    std::string out;
    out.reserve(mrkdwn.size());
    std::size_t i = 0;
    while (i < mrkdwn.size()) {
        if (mrkdwn[i] == '<') {
            auto close = mrkdwn.find('>', i);
            if (close != std::string_view::npos) {
                out += plain_token(mrkdwn.substr(i + 1, close - i - 1));
                i = close + 1;
                continue;
            }
        }
        auto next = mrkdwn.find('<', i + 1);
        if (next == std::string_view::npos) next = mrkdwn.size();
        out += mrkdwn.substr(i, next - i);
        i = next;
    }
    return decode_entities(out);
}

std::string truncate_utf8(std::string_view text, std::size_t max) {
    if (text.size() <= max) return std::string(text);
    constexpr std::string_view ellipsis = "…";
    std::size_t cut = max > ellipsis.size() ? max - ellipsis.size() : 0;
    // Step back over UTF-8 continuation bytes so no character is split.
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    return std::string(text.substr(0, cut)) + std::string(ellipsis);
}

}  // namespace warroom::templates
