// Buttons and forms, each turned into what typing would have done.
#include "bot/interactions.hpp"

#include "bot/db_worker.hpp"
#include "bot/net/async.hpp"
#include "bot/slack/incident_modals.hpp"
#include "bot/slack/followup_modal.hpp"
#include "bot/net/task_group.hpp"
#include "bot/slack/block_kit.hpp"
#include "bot/slack/decide.hpp"
#include "bot/slack/web_client.hpp"
#include "commands/text.hpp"
#include "templates/slack_text.hpp"

#include <nlohmann/json.hpp>

#include <spdlog/spdlog.h>

namespace warroom::bot {

using json = nlohmann::json;

namespace {

commands::message text_only(std::string text) { return {std::move(text), ""}; }

// How long a click's 200 waits for its commands to be written: Slack's 3 s, less
// the way there and back (a slash command waits as long, endpoint_options::answer_within).
constexpr auto write_within = std::chrono::milliseconds(2500);

bool trigger_expired(const std::string& error) {
    return error == "expired_trigger_id" || error == "exchanged_trigger_id" || error == "trigger_expired" ||
           error == "trigger_exchanged";
}

}  // namespace

net::task<void> open_declare_form(slack::web_client& slack, const commands::settings& cfg,
                                  slack::open_declare_form form) {
    json args{{"trigger_id", form.trigger_id}, {"view", declare_view(cfg, form.channel)}};
    auto opened = co_await slack.call("views.open", args);
    if (opened.ok) co_return;
    const auto& who = form.failure;
    spdlog::warn("could not open the declare form for {}: {}{}", who.user, opened.error,
                 who.response_url.empty() ? " (from the shortcut: nowhere to tell them)" : "");
    if (who.response_url.empty()) co_return;
    std::string why = trigger_expired(opened.error) ? "Slack allows 3 s to open it, and that passed."
                                                    : "Slack answered `" + opened.error + "`.";
    std::string example = cfg.severities.empty() ? "" : cfg.severities.front().name + " ";
    // Replaces "Opening the form…", so the caller is not left waiting for it.
    commands::message failed{":warning: The declare form could not open: " + why +
                                 " Try again, or type it: `/incident declare " + example + "<title>`.",
                             ""};
    auto message = slack::response_body(failed, slack::original::replace);
    auto told = co_await slack.respond(who.response_url, message);
    if (!told.ok) spdlog::warn("could not tell {} that the declare form failed: {}", who.user, told.error);
}

interactions::interactions(net::task_group& tasks, db_worker& db, slack::web_client& slack, metrics& m,
                           const commands::settings& cfg, std::function<void()> after_command)
    : tasks_(tasks), db_(db), slack_(slack), metrics_(m), cfg_(cfg), after_command_(std::move(after_command)) {}

net::task<std::string> interactions::answer(const json& payload) {
    auto in = slack::parse_interaction_payload(payload);
    auto ack = co_await answer(in);
    co_return ack;
}

net::task<std::string> interactions::answer(const slack::inbound& in) {
    auto p = slack::decide(in, cfg_);
    metrics_.count_request("interaction", p.outcome);
    if (auto* click = std::get_if<slack::button_click>(&in);
        click && click->press.action_id.starts_with("warroom_") && !click->press.which && click->press.incident)
        spdlog::info("ignored a click on button {} from {}", click->press.action_id, click->press.user);
    // Slack wants its 200 within 3 s; the work and its answer follow it. Commands
    // are written first, as a slash command's are: Slack sends a click once, so a
    // 200 for a click a crash then lost would lose it unseen. Past `write_within`
    // the 200 goes anyway and they finish after it.
    if (auto* run = std::get_if<slack::run_requests>(&p.then)) {
        auto ex = co_await net::own_executor();
        auto written = std::make_shared<net::wakeup>(ex);
        tasks_.spawn("a click's commands", run_requests(std::move(*run), written));
        co_await written->sleep_for(write_within);
    } else if (auto* j = std::get_if<slack::join_channel>(&p.then))
        tasks_.spawn("joining a channel", join(std::move(*j)));
    else if (auto* form = std::get_if<slack::open_incident_form>(&p.then))
        tasks_.spawn("opening an incident form", open_incident_modal(std::move(form->press)));
    else if (auto* declare = std::get_if<slack::open_declare_form>(&p.then))
        tasks_.spawn("opening the declare form", open_declare_form(slack_, cfg_, std::move(*declare)));
    else if (auto* f = std::get_if<slack::open_followup_form>(&p.then))
        tasks_.spawn("opening the follow-up form", open_followup_modal(std::move(*f)));
    else if (auto* t = std::get_if<slack::tell>(&p.then))
        tasks_.spawn("answering a click", say(std::move(*t)));
    co_return p.ack;
}

net::task<void> interactions::open_incident_modal(button_press b) {
    std::string id = "INC-" + std::to_string(b.incident);
    std::optional<commands::incident> inc;
    try {
        inc = co_await db_.run(&store_ops::find, b.incident);
    } catch (const std::exception& e) {
        spdlog::error("could not read {} for {}'s click on {}: {}", id, b.user, b.action_id, e.what());
    }
    std::string refusal;
    if (!inc) refusal = "There is no " + id + ".";
    // A resolved incident still takes its public resolution.
    else if (!inc->is_open() && b.which != commands::button::public_update)
        refusal = id + " is resolved. `/incident reopen " + id + "` first if it is back.";
    if (!refusal.empty()) {
        auto refused = text_only(refusal);
        co_await tell(b.user, b.channel, b.response_url, std::move(refused));
        co_return;
    }
    json view = b.which == commands::button::update          ? update_view(cfg_, *inc, b.channel)
                : b.which == commands::button::severity      ? severity_view(cfg_, *inc, b.channel)
                : b.which == commands::button::public_update ? public_update_view(cfg_, *inc, b.channel)
                                                             : role_view(cfg_, *inc, b.channel, b.user);
    json args{{"trigger_id", b.trigger_id}, {"view", std::move(view)}};
    auto opened = co_await slack_.call("views.open", args);
    if (opened.ok) co_return;
    spdlog::warn("could not open the {} form for {} on {}: {}", b.action_id, b.user, id, opened.error);
    std::string typed = b.which == commands::button::update          ? "/incident update " + id + " <text>"
                        : b.which == commands::button::public_update ? "/incident public " + id + " <status> <text>"
                        : b.which == commands::button::severity      ? "/incident severity " + id + " <SEV>"
                                                            : "/incident <role> " + id + " <@user>";
    std::string why = trigger_expired(opened.error)
                          ? "Slack gave warroom under 3 s to open the form, and that passed."
                          : "Slack said `" + opened.error + "`.";
    auto failed = text_only(":warning: The form could not open: " + why + " Press the button again, or type `" +
                            typed + "`.");
    co_await tell(b.user, b.channel, b.response_url, std::move(failed));
}

net::task<void> interactions::open_followup_modal(slack::open_followup_form f) {
    const auto& who = f.answer;
    std::optional<commands::incident> inc;
    bool failed = false;
    try {
        if (f.incident > 0) inc = co_await db_.run(&store_ops::find, f.incident);
        else {
            auto channel = who.channel;
            inc = co_await db_.run(&store_ops::find_by_channel, std::move(channel));
        }
    } catch (const std::exception& e) {
        failed = true;
        spdlog::error("could not read the incident of {}'s follow-up form in {}: {}", who.user, who.channel, e.what());
    }
    if (!inc) {
        std::string why = failed ? ":warning: warroom could not read the incident; please try again."
                          : f.incident > 0 ? "There is no INC-" + std::to_string(f.incident) + "."
                                           : "*Add as follow-up* works only in an incident's channel.";
        auto refused = text_only(std::move(why));
        co_await tell(who.user, who.channel, who.response_url, std::move(refused));
        co_return;
    }
    followup_prefill prefill{inc->number, inc->id() + ": " + templates::truncate_utf8(inc->title, 150), who.channel, f.text, who.user};
    json args{{"trigger_id", f.trigger_id}, {"view", followup_view(prefill)}};
    auto opened = co_await slack_.call("views.open", args);
    if (opened.ok) co_return;
    spdlog::warn("could not open the follow-up form for {} on {}: {}", who.user, inc->id(), opened.error);
    std::string why = trigger_expired(opened.error) ? "Slack gave warroom under 3 s to open the form, and that passed."
                                                    : "Slack said `" + opened.error + "`.";
    auto failed_open = text_only(":warning: The follow-up form could not open: " + why + " Try again, or type `/incident followup " +
                                 inc->id() + " <text> [owner <person>] [due <date>]`.");
    co_await tell(who.user, who.channel, who.response_url, std::move(failed_open));
}

net::task<void> interactions::join(slack::join_channel j) {
    commands::message answer;
    try {
        auto user = j.answer.user;
        answer = co_await db_.run(&store_ops::join, j.incident, std::move(user));
    } catch (const std::exception& e) {
        spdlog::error("could not add {} to INC-{}: {}", j.answer.user, j.incident, e.what());
        answer = text_only(":warning: warroom could not add you to the channel; please try again.");
    }
    after_command_();
    co_await tell(j.answer.user, j.answer.channel, j.answer.response_url, std::move(answer));
}

net::task<void> interactions::run_requests(slack::run_requests run, std::shared_ptr<net::wakeup> written) {
    commands::message last;
    std::string answers;
    for (auto& req : run.requests) {
        auto done = co_await db_.submit(req);
        last = std::move(done.reply);
        answers += (answers.empty() ? "" : "\n") + last.text;
    }
    written->notify();
    after_command_();
    // One answer: the engine's own (with its blocks) for one request, the texts joined for more.
    commands::message told = run.requests.size() == 1 ? std::move(last) : text_only(answers);
    co_await tell(run.answer.user, run.answer.channel, run.answer.response_url, std::move(told));
}

net::task<void> interactions::say(slack::tell t) {
    co_await tell(t.answer.user, t.answer.channel, t.answer.response_url, std::move(t.message));
}

net::task<void> interactions::tell(const std::string& user, const std::string& channel,
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
