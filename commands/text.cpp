// Durations, incident references, mentions and channel names.
#include "commands/text.hpp"

#include "templates/slack_text.hpp"

#include <date/date.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <utility>

namespace warroom::commands {

namespace {
constexpr std::size_t max_channel_name = 80;

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }
bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
}  // namespace

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

std::string to_lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), lower);
    return out;
}

std::string trim(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return std::string(s);
}

std::vector<std::string> split_words(std::string_view s) {
    std::vector<std::string> words;
    std::size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && is_space(s[i])) ++i;
        std::size_t start = i;
        while (i < s.size() && !is_space(s[i])) ++i;
        if (i > start) words.emplace_back(s.substr(start, i - start));
    }
    return words;
}

namespace {

// The code point at text[i] and its length in bytes; an invalid sequence is
// one byte long and decodes to nothing (U+FFFD).
std::pair<char32_t, std::size_t> decode_at(std::string_view text, std::size_t i) {
    auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    unsigned char c = byte(i);
    if (c < 0x80) return {c, 1};
    std::size_t len = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? (c <= 0xEF ? 3 : 0) : c >= 0xC2 ? 2 : 0;
    if (len == 0 || i + len > text.size()) return {0xFFFD, 1};
    char32_t cp = c & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
    for (std::size_t k = 1; k < len; ++k) {
        if ((byte(i + k) & 0xC0) != 0x80) return {0xFFFD, 1};
        cp = (cp << 6) | (byte(i + k) & 0x3F);
    }
    bool overlong = (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
    if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return {0xFFFD, 1};
    return {cp, len};
}

bool joins_previous(char32_t cp) {
    return (cp >= 0x0300 && cp <= 0x036F) ||    // combining diacritical marks
           (cp >= 0x1AB0 && cp <= 0x1AFF) || (cp >= 0x1DC0 && cp <= 0x1DFF) || (cp >= 0x20D0 && cp <= 0x20FF) ||
           (cp >= 0xFE20 && cp <= 0xFE2F) ||    // combining half marks
           (cp >= 0xFE00 && cp <= 0xFE0F) ||    // variation selectors (emoji presentation)
           (cp >= 0x1F3FB && cp <= 0x1F3FF) ||  // skin tones
           (cp >= 0xE0020 && cp <= 0xE007F) ||  // tag characters (flag subdivisions)
           cp == 0x200D;                        // zero-width joiner
}

}  // namespace

std::size_t char_count(std::string_view utf8) {
    std::size_t n = 0;
    bool after_joiner = false;
    for (std::size_t i = 0; i < utf8.size();) {
        auto [cp, len] = decode_at(utf8, i);
        i += len;
        if (!joins_previous(cp) && !after_joiner) ++n;
        after_joiner = cp == 0x200D;
    }
    return n;
}

std::string sanitize(std::string_view text, bool multiline) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        auto [cp, len] = decode_at(text, i);
        std::string_view raw = text.substr(i, len);
        i += len;
        if (cp == '\r') {
            if (i < text.size() && text[i] == '\n') continue;  // CR LF: the LF follows
            out += multiline ? '\n' : ' ';
        } else if (cp == '\n') {
            out += multiline ? '\n' : ' ';
        } else if (cp == '\t') {
            out += ' ';
        } else if (templates::hidden_control_length(raw) > 0) {
            // Dropped: a terminal or a reader's screen would act on it, nobody reads it.
        } else {
            out.append(raw);  // invalid bytes too: escaping for JSON replaces them, as before
        }
    }
    return out;
}

std::string format_count(std::size_t n) {
    std::string digits = std::to_string(n), out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

std::optional<duration> parse_duration(std::string_view text) {
    std::string t = trim(text);
    if (t.empty()) return std::nullopt;
    long long total = 0;
    std::size_t i = 0;
    while (i < t.size()) {
        std::size_t start = i;
        while (i < t.size() && is_digit(t[i])) ++i;
        if (i == start || i == t.size()) return std::nullopt;
        long long n = 0;
        auto [p, ec] = std::from_chars(t.data() + start, t.data() + i, n);
        if (ec != std::errc{} || n > 100'000'000) return std::nullopt;
        long long unit = 0;
        switch (lower(t[i])) {
            case 's': unit = 1; break;
            case 'm': unit = 60; break;
            case 'h': unit = 3600; break;
            case 'd': unit = 86400; break;
            case 'w': unit = 7 * 86400; break;
            default: return std::nullopt;
        }
        total += n * unit;
        ++i;
        while (i < t.size() && is_space(t[i])) ++i;
    }
    return duration(total);
}

std::string format_duration(duration d) {
    long long s = d.count();
    if (s < 0) s = 0;
    long long days = s / 86400, hrs = (s % 86400) / 3600, mins = (s % 3600) / 60, secs = s % 60;
    auto part = [](long long n, const char* unit) { return std::to_string(n) + unit; };
    if (days > 0) return hrs > 0 ? part(days, "d") + " " + part(hrs, "h") : part(days, "d");
    if (hrs > 0) return mins > 0 ? part(hrs, "h") + " " + part(mins, "m") : part(hrs, "h");
    if (mins > 0) return part(mins, "m");
    return part(secs, "s");
}

std::string format_time(time_point t) {
    auto minute = std::chrono::floor<std::chrono::minutes>(t);
    auto day = std::chrono::floor<std::chrono::days>(minute);
    std::chrono::year_month_day ymd{day};
    int year = static_cast<int>(ymd.year());
    // Every answer shows a few of these: four-digit years are written by hand
    // (date::format builds an ostream each time); any other goes through it.
    if (year < 1000 || year > 9999) return date::format("%Y-%m-%d %H:%M", minute);
    auto in_day = (minute - day).count();
    int fields[] = {year, static_cast<int>(static_cast<unsigned>(ymd.month())),
                    static_cast<int>(static_cast<unsigned>(ymd.day())), static_cast<int>(in_day / 60),
                    static_cast<int>(in_day % 60)};
    std::string out = "0000-00-00 00:00";
    auto put = [&](std::size_t at, int value, int digits) {
        for (int i = digits - 1; i >= 0; --i, value /= 10) out[at + static_cast<std::size_t>(i)] = static_cast<char>('0' + value % 10);
    };
    put(0, fields[0], 4);
    put(5, fields[1], 2);
    put(8, fields[2], 2);
    put(11, fields[3], 2);
    put(14, fields[4], 2);
    return out;
}

std::optional<std::int64_t> parse_incident_ref(std::string_view word) {
    if (word.size() > 4 && iequals(word.substr(0, 4), "inc-")) word.remove_prefix(4);
    if (word.empty() || word.size() > 15 || !std::all_of(word.begin(), word.end(), is_digit))
        return std::nullopt;
    std::int64_t n = 0;
    std::from_chars(word.data(), word.data() + word.size(), n);
    if (n <= 0) return std::nullopt;
    return n;
}

std::string incident_ref_shape(std::string_view word) {
    if (word.size() > 4 && iequals(word.substr(0, 4), "inc-")) word.remove_prefix(4);
    if (word.empty() || !std::all_of(word.begin(), word.end(), is_digit)) return {};
    return "INC-" + std::string(word);
}

std::optional<std::string> parse_user(std::string_view word, std::string_view self) {
    // Help and errors have long said `@me`; people type either.
    if (iequals(word, "me") || iequals(word, "@me")) return std::string(self);
    if (word.size() < 4 || word.substr(0, 2) != "<@" || word.back() != '>') return std::nullopt;
    auto inner = word.substr(2, word.size() - 3);
    inner = inner.substr(0, inner.find('|'));
    if (inner.empty() || !std::all_of(inner.begin(), inner.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) != 0;
        }))
        return std::nullopt;
    return std::string(inner);
}

namespace {

using templates::markup;
using templates::rewrite_markup;

bool is_broadcast(const markup& m) {
    return m.sigil == '!' && (m.id == "here" || m.id == "channel" || m.id == "everyone");
}

}  // namespace

std::string visible_text(std::string_view text) {
    return rewrite_markup(text, [](const markup& m) -> std::string {
        if (is_broadcast(m)) return {};
        if (m.label && !m.label->empty()) return std::string(*m.label);
        return m.sigil == 0 ? std::string(m.id) : std::string();
    });
}

std::string plain_text(std::string_view text) {
    return rewrite_markup(text, [](const markup& m) -> std::string {
        bool labelled = m.label && !m.label->empty();
        switch (m.sigil) {
            case '@': return "@" + std::string(m.id);
            case '#': return "#" + std::string(labelled ? *m.label : m.id);
            case '!':
                if (labelled) return std::string(*m.label);
                if (m.id.substr(0, 8) == "subteam^") return "@" + std::string(m.id.substr(8));
                return "@" + std::string(m.id);
            default: return std::string(m.id);
        }
    });
}

namespace {

// Lowercase ASCII letters and digits survive; every run of anything else
// (punctuation, spaces, emoji, non-Latin letters) becomes one hyphen.
std::string slug(std::string_view title) {
    std::string out;
    bool pending_hyphen = false;
    for (char c : title) {
        unsigned char u = static_cast<unsigned char>(c);
        if (u < 128 && (std::isalnum(u) || c == '_')) {
            if (pending_hyphen && !out.empty()) out += '-';
            pending_hyphen = false;
            out += lower(c);
        } else {
            pending_hyphen = true;
        }
    }
    return out;
}

// Cut at a hyphen so that no word is split, keeping within `limit`.
std::string cut_at_hyphen(std::string s, std::size_t limit) {
    if (s.size() <= limit) return s;
    auto cut = s.rfind('-', limit);
    if (cut == std::string::npos || cut == 0) return s.substr(0, limit);
    return s.substr(0, cut);
}

}  // namespace

std::string channel_name(std::string_view prefix, time_point declared, std::string_view title,
                         std::int64_t number) {
    std::string head = to_lower(prefix) + "-" + date::format("%Y%m%d", declared) + "-";
    // The name people see in the title, not the markup Slack sent for it.
    std::string s = slug(visible_text(title));
    if (s.empty()) s = "inc-" + std::to_string(number);
    return head + cut_at_hyphen(s, max_channel_name - head.size());
}

std::string channel_name_variant(std::string_view name, int n) {
    std::string suffix = "-" + std::to_string(n);
    std::string base(name);
    if (base.size() + suffix.size() > max_channel_name) {
        base = cut_at_hyphen(base, max_channel_name - suffix.size());
        while (!base.empty() && base.back() == '-') base.pop_back();
    }
    return base + suffix;
}

}  // namespace warroom::commands
