// Clicks and forms: the announcement's and the pinned summary's buttons, the
// modals they open, the declare modal's submission and the declare shortcut.
// Every click becomes the /incident command it stands for, through the same
// engine and database path as typing it; the answer goes to the clicker only.
#pragma once

#include "bot/slack/declare_modal.hpp"
#include "bot/slack/incident_modals.hpp"
#include "bot/metrics.hpp"
#include "bot/net/async.hpp"
#include "bot/net/wakeup.hpp"
#include "bot/slack/decide.hpp"
#include "commands/decision.hpp"
#include "commands/settings.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace warroom::slack {
class web_client;
}
namespace warroom::net {
class task_group;
}

namespace warroom::bot {

class db_worker;

// The declare form, opened for a trigger: the bare `/incident declare` and
// the global shortcut both come here. When it cannot open, `form.failure`
// hears why through its response_url (the slash command's, replacing
// "Opening the form…"); the shortcut has none, so there the log is all there is.
net::task<void> open_declare_form(slack::web_client& slack, const commands::settings& cfg,
                                  slack::open_declare_form form);

class interactions {
public:
    // The follow-ups of each click (Slack calls after the 200) run in `tasks`.
    interactions(net::task_group& tasks, db_worker& db, slack::web_client& slack, metrics& m,
                 const commands::settings& cfg, std::function<void()> after_command);

    // The HTTP body (or Socket Mode ack payload) for an interactivity payload:
    // empty for a plain 200, else JSON such as a modal's inline errors.
    net::task<std::string> answer(const nlohmann::json& payload);
    // The same for a payload already parsed (a button click, a form, a shortcut).
    net::task<std::string> answer(const slack::inbound& in);

private:
    net::task<void> open_incident_modal(button_press b);
    net::task<void> join(slack::join_channel j);
    // "Add as follow-up" and the resolution post's Follow-up button.
    net::task<void> open_followup_modal(slack::open_followup_form f);
    // Runs the requests in order, then tells the caller the answers; `written`
    // hears it once they are done with (committed or refused), before that.
    net::task<void> run_requests(slack::run_requests run, std::shared_ptr<net::wakeup> written);
    // A fixed answer; by value, as it outlives answer()'s frame.
    net::task<void> say(slack::tell t);
    // Answers the clicker alone: through response_url when the click has one,
    // else an ephemeral message in the channel.
    net::task<void> tell(const std::string& user, const std::string& channel,
                         const std::string& response_url, commands::message m);

    net::task_group& tasks_;
    db_worker& db_;
    slack::web_client& slack_;
    metrics& metrics_;
    const commands::settings& cfg_;
    std::function<void()> after_command_;
};

}  // namespace warroom::bot
