// Text the engine reads and writes: durations, names, mentions, slugs.
#pragma once

#include "commands/settings.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace warroom::commands {

bool iequals(std::string_view a, std::string_view b);
std::string to_lower(std::string_view s);
std::string trim(std::string_view s);
std::vector<std::string> split_words(std::string_view s);

// Length as a reader counts it: code points, where one that only joins or
// modifies the character before it (combining marks, variation selectors,
// skin tones, a zero-width joiner and what it joins) adds nothing. A byte
// that is not valid UTF-8 counts as one.
std::size_t char_count(std::string_view utf8);

// Typed text made safe to store and post: the characters a reader must never
// get (templates::hidden_control_length: NUL, ESC, DEL, C1, bidirectional
// overrides...) are removed, a tab becomes a space. With
// `multiline` CR LF and a lone CR become LF; without, every line break
// becomes a space (a title is one line).
std::string sanitize(std::string_view text, bool multiline);

// A count as people read it: "3,617".
std::string format_count(std::size_t n);

// "30s", "15m", "2h", "1d", also "1h30m"; nullopt on anything else.
std::optional<duration> parse_duration(std::string_view text);
// How people say it: "47m", "1h 23m", "2d 4h", "30s".
std::string format_duration(duration d);
// UTC, "2026-11-23 14:05".
std::string format_time(time_point t);
// "INC-7", "inc-7", "7" -> 7.
std::optional<std::int64_t> parse_incident_ref(std::string_view word);
// "<@U123>", "<@U123|name>" -> "U123"; "me" and "@me" -> `self`.
std::optional<std::string> parse_user(std::string_view word, std::string_view self);
// Written as an incident reference ("INC-0", "inc-99999999999999999999", "0")
// even when no incident could have that number: "INC-<digits>", else "".
std::string incident_ref_shape(std::string_view word);

// "<prefix>-YYYYMMDD-<slug>" within Slack's 80 characters; `number` names it
// when the title leaves no slug.
std::string channel_name(std::string_view prefix, time_point declared, std::string_view title,
                         std::int64_t number);
// The name with "-2", "-3", ... for the n-th collision (n >= 2), still within 80.
std::string channel_name_variant(std::string_view name, int n);

// Slack markup in typed text as people read it, for slugs and comparing
// titles: a mention becomes its label (`<#C1|general>` -> "general",
// `<!subteam^S1|@oncall>` -> "@oncall") or nothing, broadcasts (`<!here>`)
// vanish, a link shows its label or URL, `&amp;` `&lt;` `&gt;` are decoded.
std::string visible_text(std::string_view text);
// Slack markup as plain text for files read outside Slack: people `@U1`,
// channels `#general` (else `#C1`), groups by label (else `@S1`), `@here`,
// links by URL, entities decoded.
std::string plain_text(std::string_view text);

}  // namespace warroom::commands
