// What to do about one inbound from Slack, decided before any I/O: the body
// Slack gets at once, and the work that follows it (engine requests with
// their once-keys, a form to open, whom to answer). The drivers
// (slack_endpoint, interactions) only carry a plan out. Pure.
#pragma once

#include "bot/slack/inbound.hpp"
#include "commands/decision.hpp"
#include "commands/engine.hpp"
#include "commands/settings.hpp"

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace warroom::slack {

// Who hears the answer: through response_url when there is one, else an
// ephemeral message in `channel`; nobody when both are empty.
struct answer_to {
    std::string user;
    std::string channel;
    std::string response_url;
};

// Engine requests in order, as `answer.user` typed them; the answer is the
// engine's reply (with its blocks) for one, the texts joined for more.
struct run_requests {
    std::vector<commands::request> requests;
    answer_to answer;
};
// The Join channel button: invite the clicker (not an engine command).
struct join_channel {
    std::int64_t incident = 0;
    answer_to answer;
};
// Post update / Change severity / Assign role: the form shows the incident
// as stored, so it is built after reading it.
struct open_incident_form {
    bot::button_press press;
};
// The declare form (a bare `/incident declare`, or the global shortcut).
struct open_declare_form {
    std::string trigger_id;
    std::string channel;  // where the declaration's answer goes; empty from the shortcut
    answer_to failure;    // told when the form cannot open
};
// The follow-up form, for the incident named (the resolution post's button)
// or the one whose channel this is (a message's "Add as follow-up"); built
// after reading it, and refused (answer) outside an incident's channel.
struct open_followup_form {
    std::string trigger_id;
    std::int64_t incident = 0;  // 0: the incident of answer.channel
    std::string text;           // the message's text (mrkdwn), prefilled
    answer_to answer;           // who opened it, where; told when it cannot open
};
// A fixed answer, nothing else to do.
struct tell {
    answer_to answer;
    commands::message message;
};
// An event worth recording (a member joining, the timeline reaction on a
// message). A pinned message's text, author and permalink are fetched from
// Slack first, and only in an incident's channel.
struct record_observation {
    commands::observation seen;
};
// An App Home visit: publish the open incidents to the visitor.
struct publish_home {
    std::string user;
};
using follow_up = std::variant<std::monostate, run_requests, join_channel, open_incident_form, open_declare_form, tell,
                               record_observation, publish_home, open_followup_form>;

struct plan {
    std::string ack;      // answered at once: empty for a plain 200, else JSON
    std::string outcome;  // for /metrics: ok, ignored, button, shortcut, modal, invalid_form, bad_request
    follow_up then;
};

// Interactivity payloads (buttons, form submissions, shortcuts), slash
// commands and events (an event_callback's follow-up runs once per event_id:
// the driver keys it, Slack retries). A url_verification's ack is the challenge. A slash command's `then` is a run_requests whose reply is the
// command's answer (the driver answers it in time, or through response_url).
plan decide(const inbound& in, const commands::settings& cfg);

}  // namespace warroom::slack
