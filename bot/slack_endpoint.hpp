// POST /slack/events: everything Slack sends over HTTP. The signature is
// checked before a single byte is parsed; slash commands go through the
// engine (group commit) and are answered within Slack's 3 seconds.
#pragma once

#include "bot/clock.hpp"
#include "bot/metrics.hpp"
#include "bot/net/async.hpp"
#include "bot/slack/declare_modal.hpp"
#include "bot/net/http_types.hpp"
#include "bot/slack/envelope_handler.hpp"
#include "bot/slack/inbound.hpp"
#include "bot/slack/signature.hpp"

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>

namespace warroom::slack {
class web_client;
}
namespace warroom::net {
class task_group;
}

namespace warroom::bot {

class db_worker;
class event_intake;
class interactions;
class view_reader;

struct endpoint_options {
    // Past this, the caller gets "working on it" and the answer follows
    // through response_url, so Slack never shows a timeout.
    std::chrono::milliseconds answer_within{2500};
};

class slack_endpoint : public envelope_handler {
public:
    // What follows an answer (the command's late reply, a form, an event's
    // handling) runs in `tasks`. `cfg` (severities, types, the timeline
    // reaction) is what decide() reads; new (not duplicate) events' follow-ups
    // go to `intake`, buttons, modals and shortcuts to `clicks`.
    slack_endpoint(net::task_group& tasks, std::string signing_secret, db_worker& db, slack::web_client& slack,
                   metrics& m, const clock& clk, const commands::settings& cfg, event_intake& intake,
                   interactions& clicks, std::function<void()> after_command, endpoint_options opts = {});

    // Read-only commands (`show`, `list`, `timeline`) answered from the
    // in-memory view on this thread when it can (bot/read_view.hpp), else as
    // before through the database thread. None (the default): always the database.
    void answer_reads_with(const view_reader* reader) { reads_ = reader; }

    net::task<net::http_response> handle(net::http_request req);
    // Before the body is read: a refusal for a POST whose signature headers
    // are missing or stale (no body could make it verify), so forged
    // requests cost no body memory. handle() still verifies everything.
    std::optional<net::http_response> screen(const net::http_request& head);

    // The transport-neutral step, shared with Socket Mode (whose envelopes
    // are already authenticated by the connection): a parsed, valid inbound's reply.
    net::task<envelope_reply> answer(const slack::inbound& in, const std::string& retry_num) override;

private:
    net::http_response refuse_unverified(std::string_view verdict, std::size_t body_size);
    net::http_response refuse_malformed(const slack::invalid_request& bad, std::size_t body_size);
    // The caller's answer as Slack's JSON body (ephemeral), within 3 s.
    net::task<std::string> answer_command(const slack::slash_command& cmd);
    // false when the event could not be recorded (Slack should retry it).
    net::task<bool> accept_event(const slack::event_callback& cb, const std::string& retry_num);
    // An interactivity payload's answer body: empty for a plain 200, else JSON.
    net::task<std::string> answer_interaction(const slack::inbound& in);

    net::task_group& tasks_;
    slack::signer signer_;  // keyed once: every request is verified with a copy
    db_worker& db_;
    slack::web_client& slack_;
    metrics& metrics_;
    const clock& clock_;
    const commands::settings& cfg_;
    event_intake& intake_;
    interactions& interactions_;
    std::function<void()> after_command_;
    endpoint_options opts_;
    const view_reader* reads_ = nullptr;
};

}  // namespace warroom::bot
