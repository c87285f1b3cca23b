// Escaping and time formats shared by the HTML page and the Atom feed.
#pragma once

#include "commands/settings.hpp"

#include <string>
#include <string_view>

namespace warroom::statuspage {

// Text for HTML or XML content and attribute values: & < > " ' escaped, and
// control characters XML 1.0 forbids dropped, so any title stays text.
std::string escape(std::string_view text);

// 2026-12-01T04:17:38Z
std::string iso8601(commands::time_point t);
// "1 Dec 2026, 04:17 UTC": for people.
std::string readable(commands::time_point t);
// "1 Dec 2026"
std::string readable_day(commands::time_point t);

}  // namespace warroom::statuspage
