// What decide() made of an Events API callback, carried out: a timeline
// reaction fetches the message (text, author, permalink) and records it; a
// join is recorded; an App Home visit publishes the open incidents. Runs
// after Slack got its 200.
#pragma once

#include "bot/slack/decide.hpp"

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
    event_intake(db_worker& db, slack::web_client& slack);

    // A record_observation or publish_home; anything else does nothing.
    // `event_id` names the event in logs.
    boost::asio::awaitable<void> carry_out(slack::follow_up then, std::string event_id);

private:
    boost::asio::awaitable<void> pin_message(commands::observation seen);
    boost::asio::awaitable<void> joined(commands::observation seen);
    boost::asio::awaitable<void> home_opened(std::string user);

    db_worker& db_;
    slack::web_client& slack_;
};

}  // namespace warroom::bot
