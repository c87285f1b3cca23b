// Slack mrkdwn text rules: what user text may carry through, and how a
// message reads when printed to a terminal.
#pragma once

#include <string>
#include <string_view>

namespace warroom::templates {

// Escapes &, < and > in user-typed text, except user and channel mentions
// (<@U…>, <@U…|name>, <#C…>, <#C…|name>), which stay as typed. Everything
// else, <!channel>, <!here>, <!everyone> and <!subteam^…> included, is
// escaped so it can never ping anyone.
std::string escape_user_text(std::string_view text);

// The text as a person reads it in a terminal: mentions as @name/#name,
// links as "label (url)", entities decoded.
std::string to_plain(std::string_view mrkdwn);

// At most `max` bytes, cut on a UTF-8 boundary, with "…" when cut.
std::string truncate_utf8(std::string_view text, std::size_t max);

}  // namespace warroom::templates
