// The follow-up form: "Add as follow-up" on a message in an incident's
// channel (a message shortcut) and the Follow-up button on the resolution
// post both open it. Its submission is read back into the one
// `/incident followup` command it stands for, so the form does exactly what
// typing would. Pure: no I/O.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace warroom::bot {

// The engine refuses a longer follow-up text (commands/followups.cpp); the
// form holds no more, and a message's text is cut to it.
inline constexpr std::size_t max_followup_form_text = 1000;

struct followup_prefill {
    std::int64_t incident = 0;
    std::string incident_line;  // shown above the inputs, e.g. "INC-7: checkout is down"
    std::string channel;        // where the answer goes (rides in private_metadata)
    std::string text;           // the message's text as Slack sent it (mrkdwn), or empty
    std::string owner;          // the owner it starts on: the person who opened it
};
// The modal's view (slack::view_id::followup).
nlohmann::json followup_view(const followup_prefill& p);

// A message's mrkdwn as the person typed it, for a text box: one line, the
// three escapes Slack makes (&amp; &lt; &gt;) undone, cut to the form's limit.
std::string followup_text_from_message(std::string_view mrkdwn);

struct followup_form {
    std::string user;
    std::string channel;
    std::int64_t incident = 0;
    std::string text;
    std::string owner;  // user ID
    std::string due;    // "YYYY-MM-DD", or empty
    std::string view_id;

    // The typed command, e.g. "followup INC-7 fix the retry owner <@W1> due 2026-12-04".
    std::string command() const;
};

// A submission of the follow-up view: the form, or Slack's inline-errors answer.
std::variant<followup_form, nlohmann::json> read_followup_submission(const nlohmann::json& payload);

}  // namespace warroom::bot
