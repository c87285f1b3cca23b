#include "bot/event_intake.hpp"

#include "bot/db_worker.hpp"
#include "bot/slack/block_kit.hpp"
#include "bot/slack/web_client.hpp"

#include <spdlog/spdlog.h>

namespace warroom::bot {

namespace asio = boost::asio;
using json = nlohmann::json;

namespace {

std::string text_at(const json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

event_intake::event_intake(db_worker& db, slack::web_client& slack, std::string timeline_reaction)
    : db_(db), slack_(slack), timeline_reaction_(std::move(timeline_reaction)) {}

asio::awaitable<void> event_intake::handle(slack::event_callback cb) {
    // Anything thrown here is a bug in one event's handling; it must not take the bot down.
    bool failed = false;
    std::string why;
    try {
        if (cb.type == "reaction_added") co_await reaction(cb.event);
        else if (cb.type == "member_joined_channel") co_await joined(cb.event);
        else if (cb.type == "app_home_opened") co_await home_opened(cb.event);
    } catch (const std::exception& e) {
        failed = true;
        why = e.what();
    }
    if (failed) spdlog::error("event {} ({}) could not be handled: {}", cb.event_id, cb.type, why);
}

asio::awaitable<void> event_intake::reaction(const json& event) {
    if (text_at(event, "reaction") != timeline_reaction_) co_return;
    const auto item = event.value("item", json::object());
    if (text_at(item, "type") != "message") co_return;
    commands::observation seen;
    seen.what = commands::observation::kind::pinned_message;
    seen.user = text_at(event, "user");
    seen.channel = text_at(item, "channel");
    seen.message_ts = text_at(item, "ts");
    if (seen.channel.empty() || seen.message_ts.empty()) co_return;

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

asio::awaitable<void> event_intake::joined(const json& event) {
    commands::observation seen;
    seen.what = commands::observation::kind::member_joined;
    seen.user = text_at(event, "user");
    seen.channel = text_at(event, "channel");
    if (seen.user.empty() || seen.channel.empty()) co_return;
    co_await db_.run(&store_ops::observe, std::move(seen));
}

asio::awaitable<void> event_intake::home_opened(const json& event) {
    if (text_at(event, "tab") != "home") co_return;
    auto user = text_at(event, "user");
    if (user.empty()) co_return;
    auto home = co_await db_.run(&store_ops::home);
    auto args = slack::home_args(user, home);
    auto published = co_await slack_.call("views.publish", args);
    if (!published.ok) spdlog::warn("could not publish the App Home for {}: {}", user, published.error);
}

}  // namespace warroom::bot
