// Which Web API calls deliver one outbox action, as a pure state machine:
// the plan names the next step (a call, or something only delivery can do:
// persist a created channel, read a thread head's ts), delivery performs it
// and feeds the answer back, until the plan says what became of the action.
// Like a protocol parser without its socket: every path through Slack's
// answers (a taken name, a user Slack refuses, blocks it rejects) is a unit
// test away, and delivery is only the I/O driver.
#pragma once

#include "bot/slack/api_result.hpp"
#include "commands/decision.hpp"
#include "commands/incident.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace warroom::slack {

// What delivery learned about the workspace, kept across actions so each
// does not ask again. Owned by delivery; plans read and update it.
struct workspace_cache {
    std::map<std::string, std::string> channel_ids;  // name -> ID, from conversations.list
    std::set<std::string> made_by_us;                // channel names whose creator is the bot
    std::string bot_user;                            // from auth.test
    std::map<std::int64_t, std::string> thread_ts;   // outbox id of a posted thread head -> its ts
    // Slack answered missing_scope to conversations.open (no im:write): direct
    // messages are skipped from then on, said once, the channel's posts go on.
    bool no_direct_messages = false;
};

// The outbox entry, as the plan needs it.
struct outbox_job {
    std::int64_t id = 0;
    commands::action act;
    std::int64_t thread_of = 0;  // a later part: in the thread of this outbox entry
    bool thread_head = false;    // the first part: its ts is recorded
};

// What became of the action.
struct outbox_outcome {
    enum result_t { delivered, retry, dead } result = delivered;
    std::string error;
    std::optional<std::chrono::seconds> retry_after;  // Slack's 429 said when
    bool paced = false;                               // not sent yet, to keep Slack's pace
    // create_channel: the channel it made or adopted (empty when it had one).
    std::string channel_id, channel_name;
    // The pinned summary's ts, recorded with the post's "delivered" in one commit.
    std::string summary_ts;
    // A thread head's ts, recorded likewise, for the parts that follow it.
    std::string posted_ts;

    static outbox_outcome dead_end(std::string why);
    static outbox_outcome failed(const api_result& r);  // by slack::classify
};

struct plan_step {
    enum kind_t {
        call,              // method + args: call Slack, then on_result
        save_channel,      // channel_id + channel_name: persist at once, then on_channel_saved
        find_thread_head,  // head: look up that outbox entry's posted ts, then on_thread_head
        done,              // outcome
    } kind = done;
    std::string method;
    nlohmann::json args;
    std::string channel_id, channel_name;
    std::int64_t head = 0;
    outbox_outcome outcome;
};

// Worth a line in the log; the driver adds which action it was about.
struct plan_note {
    enum level_t { info, warn } level = info;
    std::string text;
};

class outbox_plan {
public:
    // `inc` is the action's incident (null when none is found); it must
    // outlive the plan. The plan never changes it: the outcome says what to.
    outbox_plan(outbox_job job, const commands::incident* inc, workspace_cache& ws);

    const plan_step& step() const { return step_; }
    bool finished() const { return step_.kind == plan_step::done; }

    // The answers to the current step; each moves the plan to its next step.
    void on_result(const api_result& r);
    void on_channel_saved();
    // nullopt: the head is not delivered yet; "": it never reached Slack.
    void on_thread_head(const std::optional<std::string>& ts);

    // The notes since the last call, oldest first.
    std::vector<plan_note> take_notes();

private:
    enum class phase {
        create, who_am_i, list, save, invite_all, invite_one, topic, topic_join,
        thread, post, post_join, pin, update, archive, archive_join, dm_open, done
    };
    enum class after_list { adopt, resolve };

    void start();
    void ask(phase p, std::string method, nlohmann::json args);
    void finish(outbox_outcome o);
    void note(plan_note::level_t level, std::string text);

    void try_name(int n);
    void on_created(const api_result& r);
    void start_list(after_list then);
    void on_listed(const api_result& r);
    void start_invite(const std::string& channel);
    void on_invited(const api_result& r);
    void invite_next();
    void start_post();
    void post_to(const std::string& channel);
    void send_post(const std::string& head_ts);
    void on_posted(const api_result& r);
    void start_update();
    void on_updated(const api_result& r);
    void start_direct_message();
    void on_dm_opened(const api_result& r);
    void start_archive();
    void on_archived(const api_result& r);

    outbox_job job_;
    const commands::incident* inc_;
    workspace_cache& ws_;
    plan_step step_;
    phase phase_ = phase::done;
    std::vector<plan_note> notes_;

    int name_try_ = 1;
    std::string trying_;               // the channel name tried now
    std::string made_id_, made_name_;  // the channel created or adopted
    after_list after_ = after_list::adopt;
    std::string cursor_;
    int page_ = 0;
    std::string channel_;                // where the call goes
    std::string wanted_;                 // a configured channel's name, being resolved
    std::vector<std::string> users_;     // invited, without duplicates
    std::size_t next_user_ = 0;
    bool joined_ = false;                // conversations.join tried once
    bool text_only_ = false;             // blocks refused: the text alone tried once
    nlohmann::json args_;                // the post or update being sent
    outbox_outcome pending_;             // a post's outcome while its pin is made
};

}  // namespace warroom::slack
