// Inside the engine: what a handler is given, the helpers they share, and
// one function per command.
#pragma once

#include "commands/engine.hpp"
#include "commands/parser.hpp"

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <string_view>

namespace warroom::commands {

struct context {
    const settings& cfg;
    const templates::renderer& tpl;
    incident_store& store;
    const request& req;
    time_point now;

    message render(std::string_view name, const nlohmann::json& data) const;
};

// --- views.cpp: template data and the pieces every handler uses ------------
std::string mention(std::string_view user);            // "<@U1>", or "" for nobody
std::string channel_link(const incident& inc);          // "<#C1>" once created, else "#name"
std::string channel_link(std::string_view name_or_id);  // for configured channels
nlohmann::json incident_view(const context& ctx, const incident& inc);
message topic_message(const context& ctx, const incident& inc);
// The pinned summary (the `declared` template) with its buttons while open.
// Nothing in it moves with the clock alone, so it changes only when the
// incident does; declare posts it and follow_summary keeps it current.
message summary_message(const context& ctx, const incident& inc);
// The announcement of a declaration, with its Acknowledge and Join buttons.
message announce_message(const context& ctx, const incident& inc, const nlohmann::json& view);
// Appends one update_summary action to `d` when its saved state shows
// differently from `before` (the stored incident). Only for a successful
// decision about an existing incident.
void follow_summary(decision& d, const context& ctx, const incident& before);

decision fail(const context& ctx, std::string what);  // an error for the caller only
void note_timeline(decision& d, const context& ctx, const incident& inc, std::string kind, std::string text,
                   std::string actor);
void post(decision& d, const incident& inc, message body, bool pin = false);  // in the incident channel
void post_to(decision& d, const incident& inc, std::string channel, message body);
void set_topic(decision& d, const context& ctx, const incident& inc);
void invite(decision& d, const incident& inc, std::string user);
// Assigns a role with all it brings: invite, checklist, topic (for the commander).
void assign_role(decision& d, const context& ctx, incident& inc, const role_def& role, const std::string& user);
const severity_def& severity_of(const context& ctx, const incident& inc);

// --- buttons.cpp: Block Kit actions; ids and values are the transport's contract
nlohmann::json summary_buttons(const context& ctx, const incident& inc);  // null when resolved
nlohmann::json announce_buttons(const incident& inc);
// On the reminders, the one button that answers them: Acknowledge, Post update.
nlohmann::json ack_buttons(const incident& inc);
nlohmann::json reminder_buttons(const incident& inc);
// On the resolution post: what is left to do is written down where the incident ended.
nlohmann::json resolved_buttons(const incident& inc);
// `m` with the actions block appended (sections cut to stay within 50 blocks); null adds nothing.
message with_buttons(message m, const nlohmann::json& block);

// --- timers.cpp ----------------------------------------------------------------
// Arms every clock of the incident's severity from `from` (declaration,
// severity change, reopen). The acknowledgement clock only while unacknowledged.
void arm_timers(incident& inc, const severity_def& sev, time_point from);
void restart_update_clock(incident& inc, const severity_def& sev, time_point from);
decision fire_timer(const context& ctx, incident inc, timer_kind kind);
// How the resolution escalation starts on the timeline: a severity change
// reads it to know the escalation channel was already told.
inline constexpr std::string_view resolve_escalation_text = "Open past the ";

// --- followups.cpp -------------------------------------------------------------
// Reminds the owners of the incident's follow-ups whose reminder is due, and
// moves each reminder on (or off): a due reminder is never left where it was.
decision fire_followups(const context& ctx, const incident& inc);
// For the post-mortem draft, stats and exports: each follow-up as shown.
nlohmann::json followup_view(const context& ctx, const followup& f);
// `body` to `user` alone, in a direct message (a direct_message action).
void direct_message(decision& d, const incident& inc, std::string user, message body);
// The weekly digest to the configured channel (nothing when none, or none
// open), and the digest's next time.
decision followup_digest(const context& ctx);
// The App Home's "Your follow-ups": the viewer's open ones, overdue first.
nlohmann::json home_followups(const context& ctx, const std::string& viewer);

// --- privacy.cpp: private incidents ---------------------------------------------
// Whether warroom knows `user` is in the incident's channel (see privacy.cpp for the model).
bool is_member(const context& ctx, const incident& inc, const std::string& user);
// Whether the caller may see the incident: it is public, or they are a member.
bool can_see(const context& ctx, const incident& inc);
// The refusal for someone outside a private incident: no title, nothing of it.
std::string private_refusal(const incident& inc);
// The configured line (private_notice) about a private incident, with its placeholders filled.
std::string private_notice(const context& ctx, const incident& inc);
// A line without the incident's details to the escalation channel; nothing when `text` is empty.
void tell_escalation_privately(decision& d, const context& ctx, const incident& inc, std::string text);

// --- housekeeping.cpp: archiving resolved channels -------------------------------
// The archive timer came due: archives the channel, or waits a day while a
// follow-up is due within the next day, saying why.
decision fire_archive(const context& ctx, incident inc);
// When the channel of an incident resolved now is archived (none: never).
std::optional<time_point> archive_due(const severity_def& sev, time_point resolved);
// Drops what the decision would do in an archived incident channel (posts,
// invites, topic, summary edits), which Slack refuses (is_archived): a
// follow-up closed weeks later is on the timeline and in the caller's answer.
// Followed in order: an unarchive opens the channel, an archive closes it.
void skip_archived_channels(decision& d, incident_store& store);
// For commands whose whole point is a post in the channel: it is archived; `instead` says what else to do.
std::string archived_refusal(const incident& inc, std::string_view instead);

// --- the commands --------------------------------------------------------------
using handler = decision (*)(const context&, const command_line&);
decision handle_declare(const context&, const command_line&);
decision handle_ack(const context&, const command_line&);
decision handle_severity(const context&, const command_line&);
decision handle_status(const context&, const command_line&);
decision handle_update(const context&, const command_line&);
decision handle_note(const context&, const command_line&);
decision handle_snooze(const context&, const command_line&);
decision handle_resolve(const context&, const command_line&);
decision handle_reopen(const context&, const command_line&);
decision handle_role(const context&, const command_line&);
decision handle_show(const context&, const command_line&);
decision handle_list(const context&, const command_line&);
decision handle_timeline(const context&, const command_line&);
decision handle_postmortem(const context&, const command_line&);
decision handle_stats(const context&, const command_line&);
decision handle_help(const context&, const command_line&);
decision handle_followup(const context&, const command_line&);   // add, done, reassign, due, drop
decision handle_followups(const context&, const command_line&);  // list
decision handle_handoff(const context&, const command_line&);
decision handle_page(const context&, const command_line&);  // paging.cpp

// The incident a command is about: named by word `index` (INC-7, inc-7, 7),
// else the channel it was typed in. `text_follows`: a bare number typed in an
// incident channel is the start of the text ("note 3 pods restarted").
struct target {
    std::optional<incident> inc;
    std::size_t next = 1;  // index of the first word after the reference
    std::string error;
};
target find_target(const context& ctx, const command_line& line, std::size_t index, bool text_follows);
// How `verb` is written ("`/incident ack [INC-n]`"), for errors. `ref` stands
// where the incident goes; with `one_form`, a command written two ways
// (snooze, timeline) shows only the first: an example to copy as it is.
std::string usage(const context& ctx, std::string_view verb, std::string_view ref = "[INC-n]", bool one_form = false);
// Whether `user` holds any of the incident's roles.
bool holds_role(const incident& inc, const std::string& user);
// The error for words after a complete command, from word `next` on.
decision refuse_extra(const context& ctx, const command_line& line, std::size_t next);

}  // namespace warroom::commands
