// Events API callbacks into the engine: a timeline reaction fetches the
// message (text, author, permalink) and records it; a join is recorded; an
// App Home visit publishes the open incidents. Runs after Slack got its 200.
#pragma once

#include "bot/slack/payloads.hpp"

#include <boost/asio/awaitable.hpp>

#include <functional>
#include <string>

namespace warroom::slack {
class web_client;
}

namespace warroom::bot {

class db_worker;

class event_intake {
public:
    event_intake(db_worker& db, slack::web_client& slack, std::string timeline_reaction);

    boost::asio::awaitable<void> handle(slack::event_callback cb);

private:
    boost::asio::awaitable<void> reaction(const nlohmann::json& event);
    boost::asio::awaitable<void> joined(const nlohmann::json& event);
    boost::asio::awaitable<void> home_opened(const nlohmann::json& event);

    db_worker& db_;
    slack::web_client& slack_;
    std::string timeline_reaction_;
};

}  // namespace warroom::bot
