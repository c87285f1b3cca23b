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

}  // namespace

std::size_t hidden_control_length(std::string_view text) {
    auto b = [&](std::size_t k) { return k < text.size() ? static_cast<unsigned char>(text[k]) : 0; };
    unsigned char c = b(0);
    if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7F) return 1;
    if (c == 0xC2 && b(1) >= 0x80 && b(1) <= 0x9F) return 2;
    if (c == 0xE2 && ((b(1) == 0x80 && b(2) >= 0xAA && b(2) <= 0xAE) || (b(1) == 0x81 && b(2) >= 0xA6 && b(2) <= 0xA9)))
        return 3;
    return 0;
}

std::string escape_user_text(std::string_view text) {
    std::string out;
    out.reserve(text.size() + text.size() / 8);
    append_escaped_user_text(out, text);
    return out;
}

void append_escaped_user_text(std::string& out, std::string_view text) {
    std::size_t plain_from = 0;  // runs with nothing to escape are appended whole
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        auto u = static_cast<unsigned char>(c);
        if (c != '<' && c != '>' && c != '&' && u >= 0x20 && u != 0x7F && u != 0xC2 && u != 0xE2) continue;
        out.append(text.substr(plain_from, i - plain_from));
        plain_from = i + 1;
        if (c == '<') {
            if (auto n = mention_length(text.substr(i)); n > 0) {
                out.append(text.substr(i, n));
                i += n - 1;
                plain_from = i + 1;
                continue;
            }
            out += "&lt;";
        } else if (c == '>') {
            out += "&gt;";
        } else if (c == '&') {
            out += "&amp;";
        } else if (auto skip = hidden_control_length(text.substr(i)); skip > 0) {
            // Stored before the engine cleaned what it is given, or from elsewhere:
            // still never shown to a reader.
            i += skip - 1;
            plain_from = i + 1;
        } else {
            out += c;
        }
    }
    out.append(text.substr(plain_from));
}

markup read_markup(std::string_view inner) {
    markup m;
    if (!inner.empty() && (inner[0] == '@' || inner[0] == '#' || inner[0] == '!')) {
        m.sigil = inner[0];
        inner.remove_prefix(1);
    }
    auto bar = inner.find('|');
    m.id = inner.substr(0, bar);
    if (bar != std::string_view::npos) m.label = inner.substr(bar + 1);
    return m;
}

void append_decoded(std::string& out, std::string_view s) {
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '&') {
            if (s.substr(i, 4) == "&lt;") { out += '<'; i += 3; continue; }
            if (s.substr(i, 4) == "&gt;") { out += '>'; i += 3; continue; }
            if (s.substr(i, 5) == "&amp;") { out += '&'; i += 4; continue; }
        }
        out += s[i];
    }
}

// "<@U1|ann>" -> "@ann", "<#C1|ops>" -> "#ops", "<!here>" -> "@here",
// "<!subteam^S1|@sre>" -> "@sre", "<!date^…|fallback>" -> "fallback",
// "<https://x|label>" -> "label (https://x)".
std::string to_plain(std::string_view mrkdwn) {
    return rewrite_markup(mrkdwn, [](const markup& m) -> std::string {
        bool labelled = m.label && !m.label->empty();
        switch (m.sigil) {
            case '@':
            case '#': return std::string(1, m.sigil) + std::string(labelled ? *m.label : m.id);
            case '!': {
                if (labelled) return std::string(*m.label);
                // Appended rather than "@" + string: GCC 12 at -O3 warns falsely (-Wrestrict) on that.
                std::string out = "@";
                out += m.id.substr(0, m.id.find('^'));
                return out;
            }
            default: return labelled ? std::string(*m.label) + " (" + std::string(m.id) + ")" : std::string(m.id);
        }
    });
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
