// A message the engine rendered (commands::message: fallback text plus Block
// Kit blocks) as each Slack destination takes it. The one place that turns a
// message into Slack's JSON: posts, edits, ephemeral answers, response_url
// bodies, a slash command's answer and the App Home. Pure. Modals are
// spelled by its sibling, block_kit_views.hpp.
#pragma once

#include "commands/decision.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace warroom::slack {

// The blocks as a JSON array; empty when the message has none (or they are
// not an array, which no template makes: the text alone is still right).
nlohmann::json blocks_of(const commands::message& m);

// chat.postMessage: `blocks` only when there are some.
nlohmann::json post_args(const std::string& channel, const commands::message& m);
// chat.update: always with `blocks`, since Slack keeps the old ones otherwise
// and a text-only body would hide behind them (an empty list clears them).
nlohmann::json update_args(const std::string& channel, const std::string& ts, const commands::message& m);
// chat.postEphemeral: the message for `user` alone.
nlohmann::json ephemeral_args(const std::string& channel, const std::string& user, const commands::message& m);

enum class original { keep, replace };
// A response_url body: ephemeral; `replace` swaps it for the message it answers
// ("Working on it…"), `keep` leaves the clicked announcement or summary alone.
nlohmann::json response_body(const commands::message& m, original what);

// A slash command's immediate answer (the HTTP body, or Socket Mode's ack
// payload): ephemeral. Built as text with the blocks spliced in unparsed,
// since it is on every command's path; invalid UTF-8 becomes U+FFFD.
std::string command_answer(const commands::message& m);

// views.publish: the App Home tab for `user`.
nlohmann::json home_args(const std::string& user, const commands::message& m);

}  // namespace warroom::slack
