// The engine wired to the database and a clock: one transaction per command
// or timer batch, the same path for every transport.
#pragma once

#include "bot/clock.hpp"
#include "bot/config.hpp"
#include "bot/customer/notices.hpp"
#include "commands/engine.hpp"
#include "storage/database.hpp"
#include "storage/incident_repository.hpp"

#include <atomic>
#include <cstdint>
#include <optional>
#include <set>
#include <vector>

namespace warroom::bot {

class read_view;

class runtime {
public:
    runtime(const config& cfg, const clock& clk);

    // Decides, commits, and returns what was done and the answer for the
    // caller. A failure to store changes nothing and answers with an error.
    commands::outcome handle(const commands::request& req);
    // Group commit: decides every request in one transaction and one fsync.
    // If the batch cannot be stored, each request is retried on its own so one
    // bad command cannot sink the others. Answers are in request order.
    std::vector<commands::outcome> handle_batch(const std::vector<commands::request>& reqs);
    // An event seen in Slack, through the engine and one transaction; true when recorded.
    bool observe(const commands::observation& seen);
    // A page answered in PagerDuty or Opsgenie (verified by the caller),
    // reflected once per `once_key` (the vendor's event id): the key is
    // remembered in the transaction that records the answer, so a vendor's
    // retry finds it, and a failed commit lets the retry try again.
    enum class pager_answer_result { reflected, duplicate, unknown_incident, failed };
    pager_answer_result answer_from_pager(const commands::pager_answer& answer, const std::string& once_key);
    // A page given up on: its dead letter and what the engine makes of it
    // (the channel told, the summary showing it) in one transaction; true
    // when Slack has something to say. Throws when the database refuses.
    bool page_dead(std::int64_t outbox_id, std::int64_t incident, const std::string& target, const std::string& error);
    // The App Home as `viewer` sees it: with their open follow-ups.
    commands::message home(const std::string& viewer);
    // The "Join channel" button: invites `user` to the incident's channel.
    commands::message join(std::int64_t incident, const std::string& user);
    // Fires every deadline due now, committed together; returns how many fired.
    // `fired_at`, when given, receives the deadline of each timer fired (for the lateness metric).
    std::size_t fire_due(std::vector<commands::time_point>* fired_at = nullptr);
    std::optional<commands::time_point> next_deadline();
    // How many commands have changed something (stored state, timeline, outbox):
    // a caller that sees it unchanged after a command knows it only read.
    std::uint64_t changes() const { return changes_.load(std::memory_order_acquire); }

    // The in-memory read view (bot/read_view.hpp) this runtime keeps current,
    // or none. Loaded here, before anything is served.
    void attach_view(read_view* view);
    // Publishes the committed state of every incident written since the last
    // publish. The database thread calls it after each commit and before the
    // caller that caused the write resumes (db_worker), so a `show` typed
    // after a declare's answer sees the declaration.
    void publish_view();

    const commands::engine& engine() const { return engine_; }
    // Several replicas (PostgreSQL): this one's id and its outbox lease.
    const std::string& replica_id() const { return replica_id_; }
    std::chrono::seconds lease() const { return lease_; }
    const clock& time() const { return clock_; }

private:
    // The repository and the database are store_ops' alone (the named
    // operations the database thread and the console run), and tests'.
    friend class store_ops;
    friend struct runtime_test_access;  // tests/support/runtime_access.hpp
    storage::incident_repository& repository() { return repo_; }
    storage::database& db() { return db_; }

    // Writes the decision and queues its pages in the integration outbox, in
    // the caller's transaction: a page is sent if and only if the decision was stored.
    // Every write of a decision goes through here, so the view learns which incidents changed.
    void apply(const commands::decision& d, commands::time_point now);
    void touched(std::int64_t incident) {
        if (view_ && incident > 0) touched_.insert(incident);
    }
    // One attempt of handle(); throws database_unavailable.
    commands::outcome handle_once(const commands::request& req);

    // Sets `wrote` when the command changed something that must be committed.
    commands::outcome decide_and_apply(const commands::request& req, commands::time_point now, bool& wrote);

    const clock& clock_;
    std::string replica_id_;
    std::chrono::seconds lease_;
    storage::database db_;
    storage::incident_repository repo_;
    commands::engine engine_;
    std::vector<paging::pager_target> pagers_;  // kinds only matter here: the secrets are the sender's
    std::string install_id_;
    customer::notice_settings notices_;
    std::atomic<std::uint64_t> changes_{0};
    read_view* view_ = nullptr;
    std::set<std::int64_t> touched_;  // written since the last publish (rolled back ones too: harmless)
};

}  // namespace warroom::bot
