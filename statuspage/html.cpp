// Written by hand rather than through mustache: the SVG bars are loops of
// computed numbers, and one escape() at each field is easy to audit (the
// unit tests put markup into every field).
#include "statuspage/html.hpp"

#include "statuspage/markup.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace warroom::statuspage {

namespace {

// Colours chosen for WCAG 2.1 AA: body text 16:1 on white; white text on each
// banner colour at least 4.5:1; the bars' colours at least 3:1 on white.
constexpr std::string_view css = R"(
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1a1a;background:#fff}
header,main,footer{max-width:60rem;margin:0 auto;padding:0 1rem}
header{padding-top:1.5rem}
.brand{color:inherit;font-weight:700;text-decoration:none}
h1{font-size:1.6rem;margin:0 0 1rem}
h2{font-size:1.25rem;margin:2rem 0 .75rem}
h3{font-size:1.05rem;margin:1.25rem 0 .5rem}
a{color:#0b57d0}
a:focus{outline:3px solid #0b57d0;outline-offset:2px}
.banner{padding:1rem 1.25rem;border-radius:6px;color:#fff;font-size:1.2rem;font-weight:600;margin:0}
.indicator-none{background:#1b6e34}
.indicator-minor{background:#8a4b00}
.indicator-major{background:#b3261e}
.indicator-critical{background:#8c1d18}
ul.plain{list-style:none;margin:0;padding:0}
.incident{border:1px solid #c4c4c4;border-left:6px solid #b3261e;border-radius:6px;padding:.75rem 1rem;margin:.75rem 0}
.incident.impact-minor,.incident.impact-none{border-left-color:#8a4b00}
.incident.impact-maintenance{border-left-color:#0b57d0}
.incident h3{margin-top:0}
.meta{color:#4a4a4a;font-size:.9rem}
.updates{margin:.5rem 0 0;padding-left:1.25rem}
.updates li{margin:.25rem 0}
.body{white-space:pre-line}
.component{border-bottom:1px solid #e0e0e0;padding:.75rem 0}
.row{display:flex;flex-wrap:wrap;justify-content:space-between;gap:.5rem}
.name{font-weight:600}
.state-operational{color:#1b6e34}
.state-under_maintenance{color:#0b57d0}
.state-degraded_performance,.state-partial_outage{color:#8a4b00}
.state-major_outage{color:#b3261e}
.desc{margin:.25rem 0;color:#4a4a4a;font-size:.9rem}
svg.bars{display:block;width:100%;height:2.25rem;margin:.5rem 0 .25rem}
.bar-operational{fill:#2f9e44}
.bar-under_maintenance{fill:#1971c2}
.bar-degraded_performance{fill:#e8590c}
.bar-partial_outage{fill:#e8590c}
.bar-major_outage{fill:#c92a2a}
.scale{display:flex;justify-content:space-between;color:#4a4a4a;font-size:.8rem}
footer{margin-top:2rem;padding-bottom:2rem;color:#4a4a4a;font-size:.9rem;border-top:1px solid #e0e0e0;padding-top:1rem}
@media (max-width:480px){body{font-size:15px}.banner{font-size:1.05rem}}
)";

std::string head(const status_model& m, const std::string& title) {
    std::ostringstream out;
    out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        << "<title>" << escape(title) << "</title>\n"
        // No favicon request (a 404 in every visitor's console): an empty data: icon.
        << "<link rel=\"icon\" href=\"data:,\">\n"
        << "<link rel=\"alternate\" type=\"application/atom+xml\" href=\"/history.atom\" title=\""
        << escape(m.page.name) << " incident history\">\n"
        << "<style>" << css << "</style>\n</head>\n<body>\n"
        << "<header><a class=\"brand\" href=\"/\">" << escape(m.page.name) << "</a></header>\n";
    return out.str();
}

std::string foot(const status_model& m) {
    std::ostringstream out;
    out << "<footer><p>Updated <time datetime=\"" << iso8601(m.updated_at) << "\">" << readable(m.updated_at)
        << "</time>. Subscribe: <a href=\"/history.atom\">Atom feed</a> · <a href=\"/api/v2/summary.json\">JSON</a>"
        << "</p></footer>\n</body>\n</html>\n";
    return out.str();
}

std::string percent(double fraction) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%.2f%%", std::floor(fraction * 10000.0) / 100.0);
    return buf;
}

void updates(std::ostringstream& out, const public_incident& inc) {
    out << "<ol class=\"updates\" reversed>\n";
    for (const auto& u : inc.updates)
        out << "<li><strong>" << escape(label(u.status)) << "</strong> — <span class=\"body\">" << escape(u.body)
            << "</span> <span class=\"meta\">"
            << "<time datetime=\"" << iso8601(u.at) << "\">" << readable(u.at) << "</time></span></li>\n";
    out << "</ol>\n";
}

void affected(std::ostringstream& out, const public_incident& inc) {
    if (inc.components.empty()) return;
    out << "<p class=\"meta\">Affected: ";
    for (std::size_t i = 0; i < inc.components.size(); ++i)
        out << (i ? ", " : "") << escape(inc.components[i].component) << " ("
            << escape(label(inc.components[i].status)) << ")";
    out << "</p>\n";
}

void incident_card(std::ostringstream& out, const public_incident& inc, const char* heading) {
    out << "<article class=\"incident impact-" << to_string(inc.level) << "\" aria-labelledby=\"i-" << inc.id
        << "\">\n<" << heading << " id=\"i-" << inc.id << "\"><a href=\"/incidents/" << inc.id << "\">"
        << escape(inc.name) << "</a></" << heading << ">\n"
        << "<p class=\"meta\">" << escape(label(inc.status)) << " · impact " << to_string(inc.level) << " · since "
        << "<time datetime=\"" << iso8601(inc.created_at) << "\">" << readable(inc.created_at) << "</time></p>\n";
    affected(out, inc);
    updates(out, inc);
    out << "</article>\n";
}

// 90 bars, oldest first: one rect per day, each with a <title> (a tooltip
// and its accessible name), the whole chart named by its own <title>.
void bars(std::ostringstream& out, const component_view& c) {
    const auto n = c.days.size();
    out << "<svg class=\"bars\" role=\"img\" aria-labelledby=\"t-" << c.id << "\" viewBox=\"0 0 " << n * 10
        << " 34\" preserveAspectRatio=\"none\" xmlns=\"http://www.w3.org/2000/svg\">\n<title id=\"t-" << c.id
        << "\">" << escape(c.def.name) << ": " << percent(c.uptime) << " uptime over the last " << n
        << " days</title>\n";
    for (std::size_t i = 0; i < n; ++i) {
        const auto& d = c.days[i];
        out << "<rect class=\"bar-" << to_string(d.worst) << "\" x=\""
            << i * 10 << "\" y=\"0\" width=\"8\" height=\"34\" rx=\"1\"><title>" << readable_day(d.day) << ": "
            << escape(label(d.worst)) << ", " << percent(d.uptime) << " uptime";
        for (const auto& name : d.incidents) out << "; " << escape(name);
        out << "</title></rect>\n";
    }
    out << "</svg>\n";
}

}  // namespace

std::string_view page_css() { return css; }

std::string render_page(const status_model& m) {
    std::ostringstream out;
    out << head(m, m.page.name + " status") << "<main>\n<h1>" << escape(m.page.name) << " status</h1>\n"
        << "<section aria-labelledby=\"overall\">\n<h2 id=\"overall\" class=\"banner indicator-"
        << to_string(m.indicator) << "\">" << escape(m.description) << "</h2>\n</section>\n";

    out << "<section aria-labelledby=\"active\">\n<h2 id=\"active\">Active incidents</h2>\n";
    if (m.active.empty()) out << "<p>No incidents right now.</p>\n";
    for (const auto& inc : m.active) incident_card(out, inc, "h3");
    out << "</section>\n";

    if (!m.maintenances.empty()) {
        out << "<section aria-labelledby=\"maintenance\">\n<h2 id=\"maintenance\">Scheduled maintenance</h2>\n";
        for (const auto& mt : m.maintenances) {
            out << "<article class=\"incident impact-maintenance\" aria-labelledby=\"m-" << mt.id << "\">\n<h3 id=\"m-"
                << mt.id << "\">" << escape(mt.name) << "</h3>\n<p class=\"meta\">"
                << (mt.in_progress ? "In progress" : "Scheduled") << " · <time datetime=\"" << iso8601(mt.scheduled_for)
                << "\">" << readable(mt.scheduled_for) << "</time> to <time datetime=\"" << iso8601(mt.scheduled_until)
                << "\">" << readable(mt.scheduled_until) << "</time></p>\n<p class=\"meta\">Affected: ";
            for (std::size_t i = 0; i < mt.components.size(); ++i) out << (i ? ", " : "") << escape(mt.components[i]);
            out << "</p>\n</article>\n";
        }
        out << "</section>\n";
    }

    if (!m.groups.empty()) {
        out << "<section aria-labelledby=\"components\">\n<h2 id=\"components\">Components</h2>\n";
        for (const auto& g : m.groups) {
            if (!g.name.empty()) out << "<h3>" << escape(g.name) << "</h3>\n";
            out << "<ul class=\"plain\">\n";
            for (const auto& c : g.components) {
                out << "<li class=\"component\">\n<div class=\"row\"><span class=\"name\">" << escape(c.def.name)
                    << "</span><span class=\"state-" << to_string(c.status) << "\">" << escape(label(c.status))
                    << "</span></div>\n";
                if (!c.def.description.empty()) out << "<p class=\"desc\">" << escape(c.def.description) << "</p>\n";
                bars(out, c);
                out << "<div class=\"scale\"><span>" << c.days.size() << " days ago</span><span>" << percent(c.uptime)
                    << " uptime</span><span>Today</span></div>\n</li>\n";
            }
            out << "</ul>\n";
        }
        out << "</section>\n";
    }

    out << "<section aria-labelledby=\"history\">\n<h2 id=\"history\">Past incidents</h2>\n";
    if (m.history.empty()) out << "<p>No incidents in the last " << uptime_days << " days.</p>\n";
    const auto shown = std::min(m.history.size(), front_page_history);
    for (std::size_t i = 0; i < shown; ++i) incident_card(out, m.history[i], "h3");
    if (shown < m.history.size())
        out << "<p>" << m.history.size() - shown << " older incidents of the last " << uptime_days
            << " days are in the <a href=\"/history.atom\">Atom feed</a>.</p>\n";
    out << "</section>\n</main>\n" << foot(m);
    return out.str();
}

std::string render_incident(const status_model& m, const public_incident& inc) {
    std::ostringstream out;
    out << head(m, inc.name + " · " + m.page.name + " status") << "<main>\n<h1>" << escape(inc.name) << "</h1>\n"
        << "<p class=\"meta\">" << escape(label(inc.status)) << " · impact " << to_string(inc.level) << " · began "
        << "<time datetime=\"" << iso8601(inc.created_at) << "\">" << readable(inc.created_at) << "</time>";
    if (inc.resolved_at)
        out << " · resolved <time datetime=\"" << iso8601(*inc.resolved_at) << "\">" << readable(*inc.resolved_at)
            << "</time>";
    out << "</p>\n";
    affected(out, inc);
    out << "<section aria-labelledby=\"updates\">\n<h2 id=\"updates\">Updates</h2>\n";
    updates(out, inc);
    out << "</section>\n<p><a href=\"/\">All systems</a></p>\n</main>\n" << foot(m);
    return out.str();
}

std::string render_not_found(const status_model& m) {
    return head(m, "Not found · " + m.page.name + " status") +
           "<main>\n<h1>Not found</h1>\n<p>There is no such page or incident. <a href=\"/\">See the current "
           "status</a>.</p>\n</main>\n" + foot(m);
}

}  // namespace warroom::statuspage
