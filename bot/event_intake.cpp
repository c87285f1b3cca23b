#include "bot/event_intake.hpp"

#include "bot/db_worker.hpp"
#include "bot/slack/block_kit.hpp"
#include "bot/slack/web_client.hpp"

#include <spdlog/spdlog.h>

namespace warroom::bot {

using json = nlohmann::json;

namespace {

std::string text_at(const json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

event_intake::event_intake(db_worker& db, slack::web_client& slack) : db_(db), slack_(slack) {}

net::task<void> event_intake::carry_out(slack::follow_up then, std::string event_id) {
    // Anything thrown here is a bug in one event's handling; it must not take the bot down.
    bool failed = false;
    std::string why;
    try {
        if (auto* rec = std::get_if<slack::record_observation>(&then)) {
            if (rec->seen.what == commands::observation::kind::pinned_message) co_await pin_message(std::move(rec->seen));
            else co_await joined(std::move(rec->seen));
        } else if (auto* home = std::get_if<slack::publish_home>(&then)) {
            co_await home_opened(std::move(home->user));
        }
    } catch (const std::exception& e) {
        failed = true;
        why = e.what();
    }
    if (failed) spdlog::error("event {} could not be handled: {}", event_id, why);
}

net::task<void> event_intake::pin_message(commands::observation seen) {
    // Only reactions in incident channels cost Slack calls.
    bool is_incident = co_await db_.run(&store_ops::is_incident_channel, seen.channel);
    if (!is_incident) co_return;

    json history_args{{"channel", seen.channel}, {"latest", seen.message_ts}, {"inclusive", true}, {"limit", 1}};
    auto history = co_await slack_.call("conversations.history", history_args);
    if (!history.ok) {
        spdlog::warn("pinning a message in {} to the timeline: conversations.history failed: {}", seen.channel,
                     history.error);
        co_return;
    }
    const auto messages = history.body.value("messages", json::array());
    if (!messages.empty() && messages[0].is_object()) {
        seen.text = text_at(messages[0], "text");
        seen.author = text_at(messages[0], "user");
    }
    json link_args{{"channel", seen.channel}, {"message_ts", seen.message_ts}};
    auto link = co_await slack_.call("chat.getPermalink", link_args);
    if (link.ok) seen.permalink = text_at(link.body, "permalink");

    bool recorded = co_await db_.run(&store_ops::observe, seen);
    if (recorded)
        spdlog::info("{} pinned a message in {} to the timeline", seen.user, seen.channel);
}

net::task<void> event_intake::joined(commands::observation seen) {
    co_await db_.run(&store_ops::observe, std::move(seen));
}

net::task<void> event_intake::home_opened(std::string user) {
    auto home = co_await db_.run(&store_ops::home, user);
    auto args = slack::home_args(user, home);
    auto published = co_await slack_.call("views.publish", args);
    if (!published.ok) spdlog::warn("could not publish the App Home for {}: {}", user, published.error);
}

}  // namespace warroom::bot
