// The engine: a request (or a timer firing), the stored state and the time
// in; a decision out. It never touches a socket, a clock or the database.
#pragma once

#include "commands/decision.hpp"
#include "commands/settings.hpp"
#include "commands/store.hpp"
#include "templates/renderer.hpp"

#include <string>
#include <string_view>

namespace warroom::commands {

// An `/incident` command as any transport delivers it.
struct request {
    std::string user;     // Slack user ID of the caller
    std::string channel;  // channel ID (or name) the command was typed in
    std::string text;     // the command's text, without "/incident"
    // A transport's key for "the same request again" (a slash command's
    // trigger_id); a key seen before is answered without doing anything twice.
    std::string once_key = {};
    // A declaration from the form: the caller takes the commander role and
    // the description goes on the timeline as a note, in the declaration's
    // own decision (one transaction, the pinned summary right from the start).
    // Other commands ignore both.
    bool caller_commands = false;
    std::string description = {};
};

// Whether `word` names the declare command ("declare" and its aliases), so a
// transport can tell a bare declare (which opens the form) without its own list.
bool is_declare_verb(std::string_view word);

// Something seen in Slack (not typed as a command) that belongs on an
// incident's timeline. The transport fetches what the event lacks (the
// message's text and permalink) before it reaches the engine.
struct observation {
    enum class kind { pinned_message, member_joined };
    kind what = kind::pinned_message;
    std::string user;        // who reacted, or who joined
    std::string channel;     // the channel it happened in (ID)
    std::string author;      // pinned_message: who wrote the message
    std::string text;        // pinned_message: the message
    std::string permalink;   // pinned_message: a link to it
    std::string message_ts;  // pinned_message: its Slack timestamp, so it is added once
};

// A page answered on the vendor's side, as the inbound webhooks (PagerDuty,
// Opsgenie) read it, for engine::page_answered.
struct page_answer {
    std::int64_t incident = 0;
    std::string target;      // the [[pagers]] name; empty: every page of the incident
    std::string vendor;      // "PagerDuty", "Opsgenie": "acknowledged in PagerDuty by …"
    std::string by;          // the person, as the vendor names them
    bool resolved = false;   // false: acknowledged
};

class engine {
public:
    engine(settings cfg, templates::renderer tpl);

    // Every decision about an existing incident that changes what its pinned
    // summary shows carries one update_summary action (handle, fire, observe).
    decision handle(const request& req, incident_store& store, time_point now) const;
    // A stored deadline came due. Stale firings (the deadline moved or the
    // timer was disarmed) decide nothing.
    decision fire(std::int64_t incident, timer_kind kind, incident_store& store, time_point now) const;
    // Outside an incident channel, or already recorded: decides nothing (ok = false).
    decision observe(const observation& seen, incident_store& store, time_point now) const;
    // Someone asked to join the incident's channel (the Join channel button):
    // an invite for them and an answer for them alone; nothing is saved. A
    // resolved incident can still be joined. Unknown incident: ok = false.
    decision join(std::int64_t incident, const std::string& user, incident_store& store, time_point now) const;
    // A page was acknowledged or resolved in the vendor's app: the page state,
    // the timeline and the channel say so, and an incident not yet
    // acknowledged is acknowledged. Orders no page: the vendor already knows,
    // and echoing an acknowledge back would loop. Already known (a vendor's
    // retry, or the answer to warroom's own acknowledge): ok = false, nothing changes.
    decision page_answered(const page_answer& answer, incident_store& store, time_point now) const;
    // The App Home tab: open incidents by severity, with age, commander and
    // next update; a private incident only for its members (nobody's: none);
    // then the viewer's open follow-ups, overdue first (none without a viewer).
    message home(incident_store& store, time_point now, const std::string& viewer = {}) const;
    // The weekly follow-up digest came due: the post (none when no channel is
    // configured or nothing is open) and, in next_digest, the next one.
    decision digest(incident_store& store, time_point now) const;
    // When the digest is next due after `now`; nullopt when it is off (no channel).
    std::optional<time_point> next_digest(time_point now) const;

    const settings& config() const { return cfg_; }
    const templates::renderer& templates() const { return tpl_; }

private:
    settings cfg_;
    templates::renderer tpl_;
};

}  // namespace warroom::commands
