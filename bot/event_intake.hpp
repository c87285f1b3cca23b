// What decide() made of an Events API callback, carried out: a timeline
// reaction fetches the message (text, author, permalink) and records it; a
// join is recorded; an App Home visit publishes the open incidents. Runs
// after Slack got its 200.
#pragma once

#include "bot/net/async.hpp"
#include "bot/slack/decide.hpp"

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
    net::task<void> carry_out(slack::follow_up then, std::string event_id);

private:
    net::task<void> pin_message(commands::observation seen);
    net::task<void> joined(commands::observation seen);
    net::task<void> home_opened(std::string user);

    db_worker& db_;
    slack::web_client& slack_;
};

}  // namespace warroom::bot
