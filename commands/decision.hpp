// What the engine decides: the new state, the timeline entries, the Slack
// actions to deliver after commit, and the answer to the caller.
#pragma once

#include "commands/followup.hpp"
#include "commands/incident.hpp"

#include <optional>
#include <string>
#include <vector>

namespace warroom::commands {

// A message rendered for Slack: Block Kit JSON plus the fallback text.
struct message {
    std::string text;
    std::string blocks_json;  // a JSON array; empty means text only
};

enum class action_kind {
    create_channel,  // create the incident's channel (name from the incident) and invite `users`
    invite,          // invite `users` to the incident channel
    set_topic,       // topic of the incident channel
    post,            // post `body` to `channel`, pinning it when `pin`
    update_summary,  // chat.update the incident's pinned summary to `body`
    direct_message,  // `body` to `users[0]` in a direct message (needs im:write; skipped without it)
    archive_channel,    // archive the incident channel
    unarchive_channel,  // unarchive it (a reopen, before anything is posted there)
};
std::string_view to_string(action_kind k);
std::optional<action_kind> parse_action_kind(std::string_view s);

// A Slack action that outlives the request: committed with the state change
// and delivered from the database, so a crash between the two loses nothing.
struct action {
    action_kind kind = action_kind::post;
    std::int64_t incident = 0;      // the incident it belongs to (0: none)
    std::string channel;            // empty: the incident's own channel; else a name or ID
    std::vector<std::string> users; // create_channel, invite, direct_message (the one person)
    std::string topic;              // set_topic
    message body;                   // post
    bool pin = false;
    // post: a reply in the thread of the decision's post at this index in
    // `decision::actions` (a message too long for one, in parts); -1: none.
    int thread_of = -1;
};

// A page to a [[pagers]] target, sent after commit. The engine names the
// target and what to ask; bot/ turns it into the vendor's request (the
// secret, the install's dedup key) and delivers it from the integration
// outbox, so a crash between the decision and the page loses nothing.
enum class page_action { trigger, acknowledge, resolve };
std::string_view to_string(page_action a);
std::optional<page_action> parse_page_action(std::string_view s);

struct page_order {
    std::int64_t incident = 0;
    std::string target;  // a [[pagers]] name
    page_action action = page_action::trigger;
    std::string actor;   // user ID of who caused it; empty: warroom (declaration, escalation)
    // "declared", "not acknowledged", "severity raised", "paged by hand",
    // "acknowledged", "resolved", "reopened": for the webhook's event and logs.
    std::string reason;
};

struct decision {
    bool ok = true;                  // false: an error for the caller, nothing changes
    std::optional<incident> save;    // the incident's new state
    bool is_new = false;             // `save` takes a new incident number
    std::vector<timeline_entry> timeline;
    // Follow-ups to store as they are here; one with an id not stored yet is
    // new and moves the follow-up sequence past it.
    std::vector<followup> followups;
    std::vector<action> actions;
    // Pages to send (triggers, acknowledgements, resolutions), in order.
    std::vector<page_order> pages;
    message reply;                   // to the caller only
    // The weekly follow-up digest's next time, when this decision moves it.
    std::optional<time_point> next_digest;
};

// What a command did, as its transport needs it after the commit: the
// incident it changed (none for reads and refusals), whether it created it,
// and the caller's answer. A transport never reads these out of the reply's
// text (a template a user may override).
struct outcome {
    std::optional<std::int64_t> incident;
    bool created = false;
    message reply;
};

}  // namespace warroom::commands
