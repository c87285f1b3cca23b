// Pages answered in PagerDuty or Opsgenie: what warroom records and says when
// the on-call acknowledges or resolves there instead of in Slack.
#include "commands/engine.hpp"

#include "commands/handlers.hpp"
#include "commands/paging.hpp"
#include "commands/text.hpp"
#include "templates/slack_text.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <string>

namespace warroom::commands {

namespace {

// A vendor's display name is whatever its users typed: one line, bounded,
// and without '<' or '>', so it can never become a Slack mention or link.
constexpr std::size_t max_name = 100;

std::string one_line(std::string_view text, std::string_view fallback) {
    std::string clean = sanitize(text, false);
    std::erase_if(clean, [](char c) { return c == '<' || c == '>'; });
    if (clean.size() > max_name) clean = templates::truncate_utf8(clean, max_name);
    return clean.empty() ? std::string(fallback) : clean;
}

}  // namespace

std::string acknowledger(const incident& inc) {
    auto colon = inc.acked_by.find(':');
    if (colon == std::string::npos) return mention(inc.acked_by);
    return inc.acked_by.substr(colon + 1) + " in " + inc.acked_by.substr(0, colon);
}

decision engine::answer_from_pager(const pager_answer& answer, incident_store& store, time_point now) const {
    request none;
    context ctx{cfg_, tpl_, store, none, now};
    auto before = store.find(answer.incident);
    if (!before) {
        decision d;
        d.ok = false;
        return d;
    }
    incident inc = *before;
    const std::string provider = one_line(answer.provider, "the pager");
    const std::string by = one_line(answer.by, provider);
    const bool acked_there = answer.what == pager_answer::kind::acknowledged;
    const bool acknowledges = acked_there && inc.is_open() && !inc.acked_at;

    decision d;
    d.from_pager = true;
    // Never backwards: a late acknowledgement does not reopen a resolved page.
    const page_status to = acked_there ? page_status::acknowledged : page_status::resolved;
    bool pages_changed = false;
    for (auto& p : inc.pages) {
        bool theirs = answer.targets.empty() ||
                      std::find(answer.targets.begin(), answer.targets.end(), p.target) != answer.targets.end();
        if (!theirs || p.status == page_status::resolved || p.status == to) continue;
        p.status = to;
        p.changed_at = now;
        p.changed_by = by;
        p.via = provider;
        pages_changed = true;
    }
    note_timeline(d, ctx, inc, "pager", std::string(acked_there ? "Acknowledged" : "Resolved") + " in " + provider +
                                            " by " + by, "");
    if (acknowledges) {
        // Someone answered: the other vendors' pages stop ringing too.
        settle_pages(d, inc, page_status::acknowledged, "", now);
        inc.acked_at = now;
        inc.acked_by = provider + ":" + by;
        inc.due.ack.reset();  // the escalation for a missed acknowledgement stops here
    }
    nlohmann::json view = {{"id", inc.id()},
                           {"what", acked_there ? "acknowledged" : "resolved"},
                           {"provider", provider},
                           {"by", by},
                           {"acknowledges", acknowledges},
                           {"elapsed", format_duration(now - inc.declared_at)},
                           {"stays_open", !acked_there && inc.is_open()}};
    post(d, inc, ctx.render("page_answered", view));
    if (acknowledges || pages_changed) {
        d.save = std::move(inc);
        follow_summary(d, ctx, *before);
    }
    skip_archived_channels(d, store);
    return d;
}

}  // namespace warroom::commands
