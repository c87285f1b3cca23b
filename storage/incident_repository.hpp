// Incidents, their timeline, timers and outgoing Slack actions in SQLite:
// one object for the runtime and the commands, over a table class per concern
// (incidents.hpp, timers.hpp, outbox.hpp, request_keys.hpp).
#pragma once

#include "commands/decision.hpp"
#include "commands/store.hpp"
#include "storage/database.hpp"
#include "storage/followups.hpp"
#include "storage/maintenances.hpp"
#include "storage/incidents.hpp"
#include "storage/integration_outbox.hpp"
#include "storage/outbox.hpp"
#include "storage/request_keys.hpp"
#include "storage/timers.hpp"

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace warroom::storage {

class incident_repository : public commands::incident_store {
public:
    explicit incident_repository(database& db)
        : timers_(db), incidents_(db, timers_), outbox_(db), keys_(db), followups_(db), maintenances_(db), integrations_(db) {}

    // commands::incident_store
    std::optional<commands::incident> find(std::int64_t number) override { return incidents_.find(number); }
    std::optional<commands::incident> find_by_channel(std::string_view channel) override {
        return incidents_.find_by_channel(channel);
    }
    // Whether `channel` (id or name) is an incident's, without reading the incident.
    bool is_incident_channel(std::string_view channel) { return incidents_.number_by_channel(channel).has_value(); }
    std::vector<commands::incident> list_open() override { return incidents_.list_open(); }
    std::vector<commands::incident> list_declared_since(commands::time_point since) override {
        return incidents_.list_declared_since(since);
    }
    std::vector<commands::incident> list_resolved_since(commands::time_point since) override {
        return incidents_.list_resolved_since(since);
    }
    std::vector<commands::incident> recent_open(commands::time_point since, std::size_t limit) override {
        return incidents_.recent_open(since, limit);
    }
    std::vector<commands::timeline_entry> timeline(std::int64_t number) override { return incidents_.timeline(number); }
    std::int64_t next_number() override { return incidents_.next_number(); }
    bool channel_name_taken(std::string_view name) override { return incidents_.channel_name_taken(name); }
    std::optional<commands::followup> find_followup(std::int64_t id) override { return followups_.find(id); }
    std::vector<commands::followup> followups_of(std::int64_t incident) override {
        return followups_.of_incident(incident);
    }
    std::vector<commands::followup> open_followups() override { return followups_.open(); }
    std::vector<commands::followup> followups_created_since(commands::time_point since) override {
        return followups_.created_since(since);
    }
    std::int64_t next_followup_id() override { return followups_.next_id(); }
    std::optional<commands::maintenance> find_maintenance(std::int64_t id) override { return maintenances_.find(id); }
    std::vector<commands::maintenance> maintenances_ending_after(commands::time_point t) override {
        return maintenances_.ending_after(t);
    }
    std::int64_t next_maintenance_id() override { return maintenances_.next_id(); }

    // Every open incident's timeline entries and follow-ups, by incident and
    // then as timeline() and followups_of() order them: the read view loads
    // all of them with one query each instead of two per incident (#16).
    std::vector<commands::timeline_entry> open_timelines() { return incidents_.open_timelines(); }
    std::vector<commands::followup> open_incidents_followups() { return followups_.of_open_incidents(); }
    // The same for the incidents `numbers` (sorted, without repeats), with
    // one query per table however many there are (in slices of
    // in_list_max): the read view's refresh after a group commit that
    // touched several incidents, instead of find(), timeline() and
    // followups_of() for each (#16). Incidents by number, with all find()
    // attaches; the other two by incident, then in their own calls' order.
    std::vector<commands::incident> find_incidents(const std::vector<std::int64_t>& numbers) {
        return incidents_.find_many(numbers);
    }
    std::vector<commands::timeline_entry> timelines_of(const std::vector<std::int64_t>& numbers) {
        return incidents_.timelines_of(numbers);
    }
    std::vector<commands::followup> followups_of_incidents(const std::vector<std::int64_t>& numbers) {
        return followups_.of_incidents(numbers);
    }
    // Every incident's channel, open or resolved, without reading the rest of it.
    std::vector<incident_channel> incident_channels() { return incidents_.channels(); }

    // Writes everything a decision holds: the incident (with roles and
    // deadlines), timeline entries and outbox actions. The caller wraps it in
    // a transaction so that all of it commits or none of it does.
    void apply(const commands::decision& d, commands::time_point now);

    // Timers: the earliest armed deadline, and those due at `now`, earliest
    // first. Follow-up reminders are timers too: one `followup` timer per
    // incident with a reminder due, which the engine fires for all of them.
    std::optional<commands::time_point> next_deadline() {
        auto timer = timers_.next_deadline();
        auto reminder = followups_.next_reminder();
        if (!timer || !reminder) return timer ? timer : reminder;
        return std::min(*timer, *reminder);
    }
    std::vector<due_timer> due_timers(commands::time_point now, std::size_t limit = 100) {
        auto out = timers_.due_timers(now, limit);
        for (const auto& r : followups_.due_reminders(now, limit))
            out.push_back({r.incident, commands::timer_kind::followup, r.at});
        std::stable_sort(out.begin(), out.end(), [](const due_timer& a, const due_timer& b) { return a.at < b.at; });
        if (out.size() > limit) out.resize(limit);
        return out;
    }
    std::size_t armed_timer_count() { return timers_.armed_timer_count() + followups_.armed_count(); }
    // The weekly follow-up digest's next time; a decision's next_digest moves it (apply).
    std::optional<commands::time_point> digest_at() { return followups_.digest_at(); }

    // Outbox. Deliverable entries, oldest first: pending, due for an attempt
    // at `now`, and not queued behind an earlier entry of the same incident
    // that waits for a retry (so an incident's actions keep their order).
    std::vector<outbox_entry> pending_actions(commands::time_point now, std::size_t limit = 100) {
        return outbox_.pending_actions(now, limit);
    }
    // Several replicas: the due actions no other replica holds a live lease on
    // (for their incident's queue, or themselves, when they have no incident),
    // claimed for `replica` until `lease_until`. Delivering, failing, deferring
    // or killing an action releases it. Rows another replica is claiming at
    // this moment are skipped (FOR UPDATE SKIP LOCKED on PostgreSQL).
    std::vector<outbox_entry> claim_actions(commands::time_point now, std::size_t limit, const std::string& replica,
                                            commands::time_point lease_until) {
        return outbox_.claim_actions(now, limit, replica, lease_until);
    }
    // Still working: `replica`'s pending claims last until `lease_until`.
    std::size_t renew_leases(const std::string& replica, commands::time_point lease_until) {
        return outbox_.renew_leases(replica, lease_until);
    }
    // Pending actions under a live lease, by the replica holding it.
    std::map<std::string, std::size_t> live_leases(commands::time_point now) { return outbox_.live_leases(now); }
    std::optional<commands::time_point> next_outbox_attempt() { return outbox_.next_outbox_attempt(); }
    std::size_t pending_action_count() { return outbox_.pending_action_count(); }
    std::map<std::string, std::size_t> outbox_counts() { return outbox_.outbox_counts(); }  // by state
    std::vector<outbox_entry> dead_actions(std::size_t limit = 100) { return outbox_.dead_actions(limit); }
    void mark_delivered(std::int64_t outbox_id, commands::time_point now) { outbox_.mark_delivered(outbox_id, now); }
    void mark_failed(std::int64_t outbox_id, const std::string& error, commands::time_point retry_at) {
        outbox_.mark_failed(outbox_id, error, retry_at);
    }
    // Held back to keep Slack's pace: not a failure, no attempt counted.
    void defer(std::int64_t outbox_id, commands::time_point at) { outbox_.defer(outbox_id, at); }
    // Slack answers again after failures: actions backing off are due now.
    std::size_t retry_backed_off(commands::time_point now) { return outbox_.retry_backed_off(now); }
    // Given up on: kept for `warroom outbox` and metrics, never retried.
    void mark_dead(std::int64_t outbox_id, const std::string& error, commands::time_point now) {
        outbox_.mark_dead(outbox_id, error, now);
    }
    // An operator fixed the cause (`warroom outbox --retry-dead`): try them again now.
    std::size_t retry_dead(commands::time_point now) { return outbox_.retry_dead(now); }

    // Delivery learned the channel's Slack ID (and possibly a suffixed name).
    void set_channel(std::int64_t number, const std::string& channel_id, const std::string& channel_name) {
        incidents_.set_channel(number, channel_id, channel_name);
    }
    // Delivery posted the incident's pinned summary: its Slack ts, for chat.update later.
    // A save of the incident whose summary_ts is empty keeps the stored one.
    void set_summary(std::int64_t number, const std::string& ts) { incidents_.set_summary(number, ts); }
    // A thread's head was posted: its ts, for the replies that follow it.
    void set_posted_ts(std::int64_t outbox_id, const std::string& ts) { outbox_.set_posted_ts(outbox_id, ts); }
    // The ts of a posted thread head; "" when it never reached Slack (dead, or
    // gone); nullopt while it is still pending.
    std::optional<std::string> posted_ts(std::int64_t outbox_id) { return outbox_.posted_ts(outbox_id); }
    // An update_summary queued after `outbox_id` for the incident, pending or
    // delivered: the older one is superseded and need not reach Slack.
    bool has_newer_summary_update(std::int64_t incident, std::int64_t outbox_id) {
        return outbox_.has_newer_summary_update(incident, outbox_id);
    }

    // Remembers a request key (event_id, trigger_id); false when it was seen before.
    bool remember_request(const std::string& key, commands::time_point now) { return keys_.remember(key, now); }
    bool seen_request(const std::string& key) { return keys_.seen(key); }
    void forget_requests_before(commands::time_point cutoff) { keys_.forget_before(cutoff); }

    std::map<std::string, std::size_t> open_by_severity() { return incidents_.open_by_severity(); }

    // The integration outbox (pages, and the other non-Slack destinations):
    // queued in the decision's transaction by the runtime, read and settled
    // by bot/outbound's delivery loop. Slack's delivery never reads it.
    integration_outbox_table& integrations() { return integrations_; }

private:
    timer_table timers_;
    incident_table incidents_;  // reads and saves deadlines through timers_
    outbox_table outbox_;
    request_keys keys_;
    followup_table followups_;
    maintenance_table maintenances_;
    integration_outbox_table integrations_;
};

}  // namespace warroom::storage
