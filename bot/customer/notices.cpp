#include "bot/customer/notices.hpp"

#include "statuspage/status_model.hpp"

#include <nlohmann/json.hpp>

#include <iterator>

namespace warroom::customer {

namespace {

using json = nlohmann::json;

const commands::severity_def* severity_of(const commands::settings& s, const std::string& name) {
    for (const auto& sev : s.severities)
        if (sev.name == name) return &sev;
    return nullptr;
}

std::string impact_label(statuspage::impact i) {
    switch (i) {
        case statuspage::impact::none: return "None";
        case statuspage::impact::minor: return "Minor";
        case statuspage::impact::major: return "Major";
        case statuspage::impact::critical: return "Critical";
    }
    return "Minor";
}

// The title its first public update gave it; before one, the responders' own
// (only the declaration mail to the severity's list goes out that early).
std::string customer_title(const commands::incident& inc) {
    auto t = inc.public_title();
    return t.empty() ? inc.title : t;
}

std::int64_t unix_seconds(commands::time_point t) { return t.time_since_epoch().count(); }

notice mail_notice(const commands::incident& inc, email::mail_kind kind, statuspage::public_status status,
                   const std::string& text, const std::string& key, commands::time_point at,
                   const commands::severity_def& sev, const commands::settings& s, const notice_settings& n) {
    auto pid = statuspage::public_id(inc);
    json p = {{"kind", std::string(email::to_string(kind))},
              {"public_id", pid},
              {"title", customer_title(inc)},
              {"status", std::string(statuspage::label(status))},
              {"impact", impact_label(statuspage::impact_of(inc.severity, s.severities))},
              {"text", text},
              {"link", n.page_url.empty() ? "" : n.page_url + "/incidents/" + pid},
              {"at", unix_seconds(at)},
              {"key", key},
              {"to", sev.email}};
    std::string summary = "[email " + std::to_string(sev.email.size()) + " recipient" +
                          (sev.email.size() == 1 ? "" : "s") + "] " + std::string(email::to_string(kind)) + " " +
                          inc.id() + " " + customer_title(inc);
    return {inc.number, std::string(email_destination), "email", summary, p.dump()};
}

// The components the incident affects, as `/incident impact` set them, for
// Statuspage's components map (the sender maps our names to its ids).
json components_of(const commands::incident& inc) {
    json out = json::array();
    for (const auto& c : statuspage::affected_of(inc))
        out.push_back({{"component", c.component}, {"status", std::string(statuspage::to_string(c.status))}});
    return out;
}

notice publication(const commands::incident& inc, statuspage::public_status status, const std::string& body,
                   const commands::settings& s, const notice_settings& n) {
    json p = {{"key", statuspage_api::incident_key(n.install_id, statuspage::public_id(inc))},
              {"name", customer_title(inc)},
              {"status", std::string(statuspage::to_string(status))},
              {"impact", std::string(statuspage::to_string(statuspage::impact_of(inc.severity, s.severities)))},
              {"body", body},
              {"components", components_of(inc)}};
    std::string summary =
        "[statuspage] " + std::string(statuspage::to_string(status)) + " " + inc.id() + " " + customer_title(inc);
    return {inc.number, std::string(statuspage_destination), "statuspage", summary, p.dump()};
}

// The fixed sentences customers read on Statuspage for a change without public text.
std::string sentence(const std::string& kind, statuspage::public_status st) {
    if (kind == "declared") return "We are investigating this issue.";
    if (kind == "reopened") return "We are investigating this issue again.";
    if (kind == "severity") return "";
    switch (st) {
        case statuspage::public_status::investigating: return "We are investigating this issue.";
        case statuspage::public_status::identified: return "The issue has been identified and a fix is being worked on.";
        case statuspage::public_status::monitoring: return "A fix has been implemented and we are monitoring the results.";
        case statuspage::public_status::resolved: return "This incident has been resolved.";
    }
    return "";
}

// The note a "public" timeline entry announces: the last one published.
const commands::public_note* newest_published(const commands::incident& inc) {
    const commands::public_note* newest = nullptr;
    for (const auto& note : inc.public_notes)
        if (note.published() && (!newest || *note.published_at > *newest->published_at ||
                                 (*note.published_at == *newest->published_at && note.seq > newest->seq)))
            newest = &note;
    return newest;
}

}  // namespace

std::vector<notice> notices_for(const commands::decision& d, const commands::settings& s, const notice_settings& n) {
    std::vector<notice> out;
    if (!d.ok || !d.save || d.save->is_private || (!n.email && !n.statuspage)) return out;
    const auto& inc = *d.save;
    const auto* sev = severity_of(s, inc.severity);
    auto status = statuspage::public_status_of(inc.status);
    bool published = false;  // one Statuspage update per decision: its latest state
    for (const auto& e : d.timeline) {
        if (e.incident != inc.number) continue;
        bool mail = n.email && sev && !sev->email.empty();
        if (e.kind == "declared" && mail)
            out.push_back(mail_notice(inc, email::mail_kind::declared, statuspage::public_status::investigating, "",
                                      "declared", e.at, *sev, s, n));
        if (e.kind == "resolved" && mail)
            out.push_back(mail_notice(inc, email::mail_kind::resolved, statuspage::public_status::resolved, "",
                                      "resolved-" + std::to_string(unix_seconds(e.at)), e.at, *sev, s, n));
        bool changes_page = e.kind == "declared" || e.kind == "resolved" || e.kind == "reopened" ||
                            e.kind == "status" || e.kind == "severity";
        // Statuspage shows what warroom's own page shows: nothing before the
        // first published public update (public_update_notices creates it then).
        if (n.statuspage && changes_page && !published && inc.has_published_note()) {
            out.push_back(publication(inc, status, sentence(e.kind, status), s, n));
            published = true;
        }
        if (e.kind == "public")
            if (const auto* note = newest_published(inc)) {
                auto told = public_update_notices(inc, statuspage::public_status_of(note->phase), note->text,
                                                  inc.id() + "-" + std::to_string(note->seq), e.at, s, n);
                std::move(told.begin(), told.end(), std::back_inserter(out));
            }
    }
    return out;
}

std::vector<notice> public_update_notices(const commands::incident& inc, statuspage::public_status status,
                                          const std::string& text, const std::string& update_key,
                                          commands::time_point at, const commands::settings& s,
                                          const notice_settings& n) {
    std::vector<notice> out;
    if (inc.is_private) return out;
    const auto* sev = severity_of(s, inc.severity);
    if (n.email && sev && !sev->email.empty()) {
        auto kind = status == statuspage::public_status::resolved ? email::mail_kind::resolved
                                                                  : email::mail_kind::public_update;
        out.push_back(mail_notice(inc, kind, status, text, "update-" + update_key, at, *sev, s, n));
    }
    if (n.statuspage) out.push_back(publication(inc, status, text, s, n));
    return out;
}

std::optional<email::incident_mail> read_mail(const std::string& payload) {
    auto p = json::parse(payload, nullptr, false);
    if (!p.is_object()) return std::nullopt;
    try {
        email::incident_mail m;
        auto kind = email::parse_mail_kind(p.at("kind").get<std::string>());
        if (!kind) return std::nullopt;
        m.kind = *kind;
        m.public_id = p.at("public_id").get<std::string>();
        m.title = p.at("title").get<std::string>();
        m.status = p.at("status").get<std::string>();
        m.impact = p.at("impact").get<std::string>();
        m.text = p.at("text").get<std::string>();
        m.link = p.at("link").get<std::string>();
        m.at = std::chrono::system_clock::time_point(std::chrono::seconds(p.at("at").get<std::int64_t>()));
        m.key = p.at("key").get<std::string>();
        m.to = p.at("to").get<std::vector<std::string>>();
        return m;
    } catch (const json::exception&) {
        return std::nullopt;
    }
}

std::optional<statuspage_api::publish_incident> read_publication(const std::string& payload) {
    auto p = json::parse(payload, nullptr, false);
    if (!p.is_object()) return std::nullopt;
    try {
        statuspage_api::publish_incident i;
        i.key = p.at("key").get<std::string>();
        i.name = p.at("name").get<std::string>();
        i.body = p.at("body").get<std::string>();
        bool known = false;
        for (auto st : {statuspage::public_status::investigating, statuspage::public_status::identified,
                        statuspage::public_status::monitoring, statuspage::public_status::resolved})
            if (statuspage::to_string(st) == p.at("status").get<std::string>()) i.status = st, known = true;
        if (!known) return std::nullopt;
        for (auto im : {statuspage::impact::none, statuspage::impact::minor, statuspage::impact::major,
                        statuspage::impact::critical})
            if (statuspage::to_string(im) == p.at("impact").get<std::string>()) i.impact = im;
        for (const auto& c : p.at("components")) {
            statuspage::component_impact ci;
            ci.component = c.at("component").get<std::string>();
            for (auto cs : {statuspage::component_status::operational, statuspage::component_status::under_maintenance,
                            statuspage::component_status::degraded_performance,
                            statuspage::component_status::partial_outage, statuspage::component_status::major_outage})
                if (statuspage::to_string(cs) == c.at("status").get<std::string>()) ci.status = cs;
            i.components.push_back(ci);
        }
        return i;
    } catch (const json::exception&) {
        return std::nullopt;
    }
}

}  // namespace warroom::customer
