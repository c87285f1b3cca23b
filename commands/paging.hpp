// The engine's paging rules (commands/paging.cpp), shared by the handlers
// that page: declare, ack, severity, resolve, reopen, the ack timer, `page`.
#pragma once

#include "commands/handlers.hpp"

#include <string>
#include <vector>

namespace warroom::commands {

// The [[pagers]] targets `sev` pages for `inc`: the severity's, then its type's own.
std::vector<std::string> pagers_for(const context& ctx, const incident& inc, const severity_def& sev);
// Triggers each target not already paged (or paged and resolved since) and
// records it on `inc`; returns the targets newly paged.
std::vector<std::string> trigger_pages(decision& d, const context& ctx, incident& inc,
                                       const std::vector<std::string>& targets, const std::string& actor,
                                       const std::string& reason);
// Acknowledges the triggered pages, or resolves every page not yet resolved, in warroom by `actor`.
void settle_pages(decision& d, incident& inc, page_status to, const std::string& actor, time_point now);
// Reopened: every resolved page is triggered again.
void retrigger_pages(decision& d, const context& ctx, incident& inc, const std::string& actor);
// "Paged payments-oncall" in the channel and on the timeline.
void announce_pages(decision& d, const context& ctx, const incident& inc, const std::vector<std::string>& paged,
                    const std::string& actor, const std::string& reason);
// "payments-oncall (acknowledged by <@U1>) · security-oncall (triggered)": the pinned summary's line.
std::string paged_line(const incident& inc);
// The targets a decision triggers.
std::vector<std::string> triggered_now(const decision& d);

}  // namespace warroom::commands
