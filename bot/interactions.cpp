// Buttons and forms, each turned into what typing would have done.
#include "bot/interactions.hpp"

#include "bot/db_worker.hpp"
#include "bot/incident_modals.hpp"
#include "bot/modal_kit.hpp"
#include "bot/slack/block_kit.hpp"
#include "bot/slack/web_client.hpp"
#include "commands/text.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/this_coro.hpp>
#include <spdlog/spdlog.h>


namespace warroom::bot {

namespace asio = boost::asio;
using json = nlohmann::json;
using modal::string_at;

namespace {

commands::message text_only(std::string text) { return {std::move(text), ""}; }

bool trigger_expired(const std::string& error) {
    return error == "expired_trigger_id" || error == "exchanged_trigger_id" || error == "trigger_expired" ||
           error == "trigger_exchanged";
}

}  // namespace

interactions::interactions(db_worker& db, slack::web_client& slack, metrics& m, const commands::settings& cfg,
                           std::function<void()> after_command)
    : db_(db), slack_(slack), metrics_(m), cfg_(cfg), after_command_(std::move(after_command)) {}

asio::awaitable<std::string> interactions::answer(const json& payload) {
    auto ex = co_await asio::this_coro::executor;
    std::string type = string_at(payload, "type");
    std::string callback = modal::view_string(payload, "callback_id");

    if (type == "block_actions") {
        auto b = read_button_press(payload);
        if (!b || !b->action_id.starts_with("warroom_")) {
            // Buttons of other apps' messages, or a malformed payload: nothing of ours to do.
            metrics_.count_request("interaction", "ignored");
            co_return std::string();
        }
        metrics_.count_request("interaction", "button");
        // Slack wants its 200 within 3 s; the click's work and answer follow it.
        asio::co_spawn(ex, press(std::move(*b)), asio::detached);
        co_return std::string();
    }
    if (type == "shortcut" && string_at(payload, "callback_id") == declare_callback_id) {
        metrics_.count_request("interaction", "shortcut");
        std::string user = modal::user_of(payload);
        asio::co_spawn(ex, open_declare_modal(string_at(payload, "trigger_id"), user), asio::detached);
        co_return std::string();
    }
    if (type == "view_submission" && callback == declare_callback_id) {
        auto read = read_declare_submission(payload, cfg_);
        if (auto* errors = std::get_if<json>(&read)) {
            metrics_.count_request("interaction", "invalid_form");
            auto body = errors->dump(-1, ' ', false, json::error_handler_t::replace);
            co_return body;  // Slack shows these under the fields; the modal stays open
        }
        metrics_.count_request("interaction", "ok");
        // The modal closes now (empty 200); the declaration and its answer follow.
        asio::co_spawn(ex, declare_from_form(std::get<declare_form>(std::move(read))), asio::detached);
        co_return std::string();
    }
    if (type == "view_submission" && is_incident_modal(callback)) {
        auto read = read_incident_submission(payload, cfg_);
        if (auto* errors = std::get_if<json>(&read)) {
            metrics_.count_request("interaction", "invalid_form");
            auto body = errors->dump(-1, ' ', false, json::error_handler_t::replace);
            co_return body;
        }
        metrics_.count_request("interaction", "ok");
        auto sub = std::get<modal_submission>(std::move(read));
        // A double submit carries the same view id: its commands run once.
        std::string once = sub.view_id.empty() ? "" : "view:" + sub.view_id;
        asio::co_spawn(ex, run_commands(sub.user, sub.channel, "", std::move(sub.commands), once), asio::detached);
        co_return std::string();
    }
    metrics_.count_request("interaction", "ignored");
    co_return std::string();
}

asio::awaitable<void> interactions::press(button_press b) {
    if (b.incident == 0) {
        auto unknown = text_only("That button names no incident warroom knows.");
        co_await tell(b.user, b.channel, b.response_url, std::move(unknown));
        co_return;
    }
    std::string id = "INC-" + std::to_string(b.incident);
    // Slack sends a click once; the trigger_id still keys it, so a replayed payload does nothing twice.
    std::string once = b.trigger_id.empty() ? "" : "action:" + b.trigger_id;
    if (!b.which) {
        spdlog::info("ignored a click on unknown button {} from {}", b.action_id, b.user);
        co_return;
    }
    switch (*b.which) {
        case commands::button::ack:
        case commands::button::resolve: {
            std::vector<std::string> line{(*b.which == commands::button::ack ? "ack " : "resolve ") + id};
            co_await run_commands(b.user, b.channel, b.response_url, std::move(line), once);
            co_return;
        }
        case commands::button::join: co_await join(std::move(b)); co_return;
        case commands::button::update:
        case commands::button::severity:
        case commands::button::role: co_await open_incident_modal(std::move(b)); co_return;
    }
}

asio::awaitable<void> interactions::open_incident_modal(button_press b) {
    std::string id = "INC-" + std::to_string(b.incident);
    std::optional<commands::incident> inc;
    try {
        auto job = [n = b.incident](runtime& rt) { return rt.repository().find(n); };
        inc = co_await db_.run(std::move(job));
    } catch (const std::exception& e) {
        spdlog::error("could not read {} for {}'s click on {}: {}", id, b.user, b.action_id, e.what());
    }
    std::string refusal;
    if (!inc) refusal = "There is no " + id + ".";
    else if (!inc->is_open()) refusal = id + " is resolved. `/incident reopen " + id + "` first if it is back.";
    if (!refusal.empty()) {
        auto refused = text_only(refusal);
        co_await tell(b.user, b.channel, b.response_url, std::move(refused));
        co_return;
    }
    json view = b.which == commands::button::update     ? update_view(cfg_, *inc, b.channel)
                : b.which == commands::button::severity ? severity_view(cfg_, *inc, b.channel)
                                                    : role_view(cfg_, *inc, b.channel, b.user);
    json args{{"trigger_id", b.trigger_id}, {"view", std::move(view)}};
    auto opened = co_await slack_.call("views.open", args);
    if (opened.ok) co_return;
    spdlog::warn("could not open the {} form for {} on {}: {}", b.action_id, b.user, id, opened.error);
    std::string typed = b.which == commands::button::update     ? "/incident update " + id + " <text>"
                        : b.which == commands::button::severity ? "/incident severity " + id + " <SEV>"
                                                            : "/incident <role> " + id + " <@user>";
    std::string why = trigger_expired(opened.error)
                          ? "Slack gave warroom under 3 s to open the form, and that passed."
                          : "Slack said `" + opened.error + "`.";
    auto failed = text_only(":warning: The form could not open: " + why + " Press the button again, or type `" +
                            typed + "`.");
    co_await tell(b.user, b.channel, b.response_url, std::move(failed));
}

asio::awaitable<void> interactions::join(button_press b) {
    commands::message answer;
    try {
        auto job = [n = b.incident, user = b.user](runtime& rt) { return rt.join(n, user); };
        answer = co_await db_.run(std::move(job));
    } catch (const std::exception& e) {
        spdlog::error("could not add {} to INC-{}: {}", b.user, b.incident, e.what());
        answer = text_only(":warning: warroom could not add you to the channel; please try again.");
    }
    after_command_();
    co_await tell(b.user, b.channel, b.response_url, std::move(answer));
}

asio::awaitable<void> interactions::run_commands(std::string user, std::string channel, std::string response_url,
                                                 std::vector<std::string> lines, std::string once_prefix) {
    commands::message last;
    std::string answers;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        std::string key = once_prefix.empty() ? "" : once_prefix + (i ? ":" + std::to_string(i) : "");
        commands::request req{user, channel, lines[i], key};
        auto done = co_await db_.submit(req);
        last = std::move(done.reply);
        answers += (answers.empty() ? "" : "\n") + last.text;
    }
    after_command_();
    // One answer: the engine's own (with its blocks) for one command, the texts joined for more.
    commands::message told = lines.size() == 1 ? std::move(last) : text_only(answers);
    co_await tell(user, channel, response_url, std::move(told));
}

asio::awaitable<void> interactions::declare_from_form(declare_form form) {
    // One request, one transaction: the declaration with its commander and description.
    commands::request declare{form.user, form.channel, form.command(),
                              form.view_id.empty() ? "" : "view:" + form.view_id, form.commander, form.description};
    auto done = co_await db_.submit(declare);
    after_command_();
    if (form.channel.empty()) co_return;  // the shortcut: the announcement says it all
    std::string no_url;
    co_await tell(form.user, form.channel, no_url, std::move(done.reply));
}

asio::awaitable<void> interactions::open_declare_modal(std::string trigger_id, std::string user) {
    json args{{"trigger_id", trigger_id}, {"view", declare_view(cfg_, "")}};
    auto opened = co_await slack_.call("views.open", args);
    // A shortcut has no channel and no response_url to answer in: the log is all there is.
    if (!opened.ok) spdlog::warn("could not open the declare form from the shortcut for {}: {}", user, opened.error);
}

asio::awaitable<void> interactions::tell(const std::string& user, const std::string& channel,
                                         const std::string& response_url, commands::message m) {
    if (!response_url.empty()) {
        // The announcement or summary clicked stays as it is.
        auto body = slack::response_body(m, slack::original::keep);
        auto sent = co_await slack_.respond(response_url, body);
        if (sent.ok) co_return;
        spdlog::warn("could not answer {} through response_url ({}); trying chat.postEphemeral", user, sent.error);
    }
    if (channel.empty()) co_return;
    auto args = slack::ephemeral_args(channel, user, m);
    auto told = co_await slack_.call("chat.postEphemeral", args);
    if (!told.ok) spdlog::warn("could not tell {} in {}: {}", user, channel, told.error);
}

}  // namespace warroom::bot
