// Slack mrkdwn text rules: what user text may carry through, and how a
// message reads when printed to a terminal.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace warroom::templates {

// Escapes &, < and > in user-typed text, except user and channel mentions
// (<@U…>, <@U…|name>, <#C…>, <#C…|name>), which stay as typed. Everything
// else, <!channel>, <!here>, <!everyone> and <!subteam^…> included, is
// escaped so it can never ping anyone.
std::string escape_user_text(std::string_view text);
// The same, appended to `out` (no string of its own: templates run it per value).
void append_escaped_user_text(std::string& out, std::string_view text);

// The text as a person reads it in a terminal: mentions as @name/#name,
// links as "label (url)", entities decoded.
std::string to_plain(std::string_view mrkdwn);

// Length of a character at the start of `text` that must never reach a
// reader, or 0: C0 controls but newline and tab, DEL, C1, and the
// bidirectional embeddings, overrides and isolates (U+202A–U+202E,
// U+2066–U+2069). The one list of them, for escaping and for cleaning input.
std::size_t hidden_control_length(std::string_view text);

// One `<…>` of Slack markup: its sigil ('@', '#', '!' or 0 for a link), the
// id (or URL) and the label after '|', if any.
struct markup {
    char sigil = 0;
    std::string_view id;
    std::optional<std::string_view> label;
};
markup read_markup(std::string_view inner);

// Appends `text` with the three entities Slack escapes (`&amp;` `&lt;` `&gt;`) decoded.
void append_decoded(std::string& out, std::string_view text);

// Copies `text` with each `<…>` replaced by what `show(markup)` makes of it
// and the entities decoded (inside links too: `&amp;` in a URL). A '<'
// without its '>' is kept as typed.
template <class Show>
std::string rewrite_markup(std::string_view text, Show show) {
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        auto open = text.find('<', i);
        auto close = open == std::string_view::npos ? open : text.find('>', open + 1);
        if (close == std::string_view::npos) {
            append_decoded(out, text.substr(i));
            break;
        }
        append_decoded(out, text.substr(i, open - i));
        append_decoded(out, show(read_markup(text.substr(open + 1, close - open - 1))));
        i = close + 1;
    }
    return out;
}

// At most `max` bytes, cut on a UTF-8 boundary, with "…" when cut.
std::string truncate_utf8(std::string_view text, std::size_t max);

}  // namespace warroom::templates
