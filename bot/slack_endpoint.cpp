// Slack's HTTP requests: verify, classify, then act. Every path answers with
// a status Slack understands and logs once with enough context to act on.
#include "bot/slack_endpoint.hpp"

#include "bot/read_view.hpp"

#include "bot/db_worker.hpp"
#include "bot/slack/declare_modal.hpp"
#include "bot/event_intake.hpp"
#include "bot/interactions.hpp"
#include "bot/log_format.hpp"
#include "bot/net/async.hpp"
#include "bot/net/task_group.hpp"
#include "bot/net/wakeup.hpp"
#include "bot/slack/block_kit.hpp"
#include "bot/slack/decide.hpp"
#include "bot/slack/payloads.hpp"
#include "bot/slack/signature.hpp"
#include "bot/slack/web_client.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <charconv>

namespace warroom::bot {

using json = nlohmann::json;
using net::http_response;

namespace {

http_response plain(unsigned status, std::string text) {
    return {status, "text/plain; charset=utf-8", std::move(text) + "\n", {}};
}

http_response json_response(const std::string& body) { return {200, "application/json", body, {}}; }

// A command that could not be answered in time finishes in the background
// and answers through response_url; the handler and it share this.
struct pending_answer {
    explicit pending_answer(const net::executor& ex) : answered(ex) {}
    net::wakeup answered;
    std::optional<commands::message> answer;
    bool gave_up_waiting = false;
};

}  // namespace

slack_endpoint::slack_endpoint(net::task_group& tasks, std::string signing_secret, db_worker& db,
                               slack::web_client& slack, metrics& m, const clock& clk,
                               const commands::settings& cfg, event_intake& intake, interactions& clicks,
                               std::function<void()> after_command, endpoint_options opts)
    : tasks_(tasks),
      signer_(signing_secret),
      db_(db),
      slack_(slack),
      metrics_(m),
      clock_(clk),
      cfg_(cfg),
      intake_(intake),
      interactions_(clicks),
      after_command_(std::move(after_command)),
      opts_(opts) {}

http_response slack_endpoint::refuse_unverified(std::string_view verdict, std::size_t body_size) {
    // Anyone can send these, as fast as they like: the count is in /metrics, the log gets a sample.
    warn_throttled("slack.unverified", "rejected a request to /slack/events: signature {} ({} bytes)", verdict,
                   body_size);
    metrics_.count_request("unverified", std::string(verdict));
    return plain(401, "invalid request signature");
}

std::optional<http_response> slack_endpoint::screen(const net::http_request& head) {
    if (head.method != "POST") return std::nullopt;
    auto verdict = slack::check_headers(head.header("X-Slack-Request-Timestamp"), head.header("X-Slack-Signature"),
                                        clock_.now());
    if (verdict == slack::verdict::ok) return std::nullopt;
    std::size_t announced = 0;
    auto length = head.header("Content-Length");
    std::from_chars(length.data(), length.data() + length.size(), announced);
    return refuse_unverified(slack::describe(verdict), announced);
}

net::task<http_response> slack_endpoint::handle(net::http_request req) {
    if (req.method != "POST") co_return http_response{405, "text/plain", "POST only\n", {{"Allow", "POST"}}};

    auto verdict = slack::verify(signer_, req.header("X-Slack-Request-Timestamp"),
                                 req.header("X-Slack-Signature"), req.body, clock_.now());
    if (verdict != slack::verdict::ok) co_return refuse_unverified(slack::describe(verdict), req.body.size());

    auto retry_num = req.header("X-Slack-Retry-Num");
    auto in = slack::parse_inbound(req.header("Content-Type"), req.body);
    if (auto* bad = std::get_if<slack::invalid_request>(&in)) co_return refuse_malformed(*bad, req.body.size());
    if (std::holds_alternative<slack::ssl_check>(in)) co_return plain(200, "ok");
    auto reply = co_await answer(in, retry_num);
    if (!reply.taken) co_return plain(500, "could not record the event; retry");
    if (!reply.body.empty()) co_return json_response(reply.body);
    bool event = std::holds_alternative<slack::event_callback>(in) || std::holds_alternative<slack::other_envelope>(in);
    if (event) co_return plain(200, "ok");
    co_return http_response{200, "text/plain", "", {}};
}

net::task<envelope_reply> slack_endpoint::answer(const slack::inbound& in, const std::string& retry_num) {
    envelope_reply reply;
    if (auto* cmd = std::get_if<slack::slash_command>(&in)) {
        reply.body = co_await answer_command(*cmd);
        co_return reply;
    }
    if (std::holds_alternative<slack::url_verification>(in)) {
        auto p = slack::decide(in, cfg_);
        spdlog::info("answered Slack's url_verification challenge");
        metrics_.count_request("url_verification", p.outcome);
        reply.body = std::move(p.ack);
        co_return reply;
    }
    if (auto* other = std::get_if<slack::other_envelope>(&in)) {
        auto p = slack::decide(in, cfg_);
        spdlog::info("acknowledged an Events API envelope of type {}", other->type);
        metrics_.count_request("event", p.outcome);
        co_return reply;
    }
    if (auto* cb = std::get_if<slack::event_callback>(&in)) {
        reply.taken = co_await accept_event(*cb, retry_num);
        co_return reply;
    }
    if (std::holds_alternative<slack::invalid_request>(in) || std::holds_alternative<slack::ssl_check>(in))
        co_return reply;  // the transport's to answer
    // Buttons, forms and shortcuts.
    reply.body = co_await answer_interaction(in);
    co_return reply;
}

http_response slack_endpoint::refuse_malformed(const slack::invalid_request& bad, std::size_t body_size) {
    // Signed, so from Slack (or whoever holds the secret): still throttled, a broken sender repeats itself.
    metrics_.count_request(bad.kind, "bad_request");
    if (bad.kind == "slash_command") {
        warn_throttled("slack.bad_command", "rejected a slash command: malformed form body ({} bytes)", body_size);
        return plain(400, "malformed slash command");
    }
    if (bad.kind == "event") {
        warn_throttled("slack.bad_event", "rejected an Events API request: {}", bad.reason);
        return plain(400, "malformed event");
    }
    if (bad.kind == "interaction") {
        warn_throttled("slack.bad_interaction", "rejected an interactivity request: {}", bad.reason);
        return plain(400, "malformed interaction payload");
    }
    warn_throttled("slack.unsupported", "rejected a request to /slack/events: {}", bad.reason);
    return plain(400, "unsupported request body");
}

net::task<std::string> slack_endpoint::answer_command(const slack::slash_command& command) {
    const auto* cmd = &command;
    auto p = slack::decide(slack::inbound{command}, cfg_);
    if (auto* form = std::get_if<slack::open_declare_form>(&p.then)) {
        metrics_.count_request("slash_command", p.outcome);
        tasks_.spawn("opening the declare form", open_declare_form(slack_, cfg_, std::move(*form)));
        co_return p.ack;
    }
    // The command as decide() keyed it (a bare declare without a trigger_id runs as typed: the usage).
    commands::request decided{cmd->user_id, cmd->channel_id, cmd->text,
                              cmd->trigger_id.empty() ? "" : "trigger:" + cmd->trigger_id};
    if (auto* run = std::get_if<slack::run_requests>(&p.then); run && run->requests.size() == 1)
        decided = std::move(run->requests.front());
    auto started = std::chrono::steady_clock::now();
    if (reads_)
        if (auto read = reads_->try_answer(decided)) {
            metrics_.observe_command(std::chrono::steady_clock::now() - started);
            metrics_.count_request("slash_command", "ok");
            auto body = slack::command_answer(*read);
            co_return body;
        }
    auto ex = co_await net::own_executor();
    auto pending = std::make_shared<pending_answer>(ex);

    tasks_.spawn_fn(
        "a slash command",
        [this, pending, req = std::move(decided), response_url = cmd->response_url]() -> net::task<void> {
            auto done = co_await db_.submit(req);
            auto answer = std::move(done.reply);
            after_command_();
            if (!pending->gave_up_waiting) {
                pending->answer = std::move(answer);
                pending->answered.notify();
                co_return;
            }
            // The caller was told "working on it"; the real answer follows.
            auto message = slack::response_body(answer, slack::original::replace);
            auto result = co_await slack_.respond(response_url, message);
            if (!result.ok)
                spdlog::warn("could not send a late answer to {} through response_url: {}", req.user, result.error);
        });

    co_await pending->answered.sleep_for(opts_.answer_within);
    metrics_.observe_command(std::chrono::steady_clock::now() - started);
    if (!pending->answer) {
        pending->gave_up_waiting = true;
        spdlog::warn("a command from {} took over {} ms; its answer follows through response_url", cmd->user_id,
                     opts_.answer_within.count());
        metrics_.count_request("slash_command", "slow");
        auto working = slack::command_answer({"Working on it: the answer follows in a moment.", ""});
        co_return working;
    }
    metrics_.count_request("slash_command", "ok");
    auto body = slack::command_answer(*pending->answer);
    co_return body;
}

net::task<bool> slack_endpoint::accept_event(const slack::event_callback& cb, const std::string& retry_num) {
    // Slack retries an event it thinks we missed; the event_id says it is the same one.
    bool first_time = true, stored = true;
    if (!cb.event_id.empty()) {
        try {
            auto key = "event:" + cb.event_id;
            first_time = co_await db_.run(&store_ops::remember_request, std::move(key), clock_.now());
        } catch (const std::exception& e) {
            spdlog::error("could not record event {} (Slack will retry it): {}", cb.event_id, e.what());
            stored = false;
        }
    }
    if (!stored) {
        metrics_.count_request("event", "error");
        co_return false;
    }
    if (!first_time) {
        spdlog::debug("event {} seen before (retry {}); acknowledged and ignored", cb.event_id,
                      retry_num.empty() ? "0" : retry_num);
        metrics_.count_request("event", "duplicate");
        co_return true;
    }
    auto p = slack::decide(slack::inbound{cb}, cfg_);
    spdlog::debug("event {} of type {} acknowledged ({})", cb.event_id, cb.type, p.outcome);
    metrics_.count_request("event", p.outcome);
    // Handled after the answer: Slack wants its 200 within 3 s, whatever the event needs.
    if (!std::holds_alternative<std::monostate>(p.then))
        tasks_.spawn("handling an event", intake_.carry_out(std::move(p.then), cb.event_id));
    co_return true;
}

net::task<std::string> slack_endpoint::answer_interaction(const slack::inbound& in) {
    auto answer = co_await interactions_.answer(in);
    co_return answer;
}

}  // namespace warroom::bot
