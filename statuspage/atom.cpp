#include "statuspage/atom.hpp"

#include "statuspage/markup.hpp"

#include <algorithm>
#include <sstream>

namespace warroom::statuspage {

namespace {

std::string absolute(const status_model& m, const std::string& path) {
    auto base = m.page.url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    return base + path;
}

}  // namespace

std::string history_atom(const status_model& m) {
    // Incidents and scheduled maintenance in one list, newest change first:
    // subscribers hear of a maintenance when it is announced and when it starts.
    struct entry {
        time_point updated;
        std::string xml;
    };
    std::vector<entry> entries;
    std::vector<const public_incident*> all;
    for (const auto& i : m.active) all.push_back(&i);
    for (const auto& i : m.history) all.push_back(&i);
    for (const auto* inc : all) {
        std::ostringstream out;
        auto link = absolute(m, "/incidents/" + inc->id);
        out << "<entry>\n<id>" << escape(m.page.url.empty() ? "urn:warroom:incident:" + inc->id : link) << "</id>\n"
            << "<title>" << escape(inc->name) << "</title>\n"
            << "<published>" << iso8601(inc->created_at) << "</published>\n"
            << "<updated>" << iso8601(inc->updated_at) << "</updated>\n"
            << "<link rel=\"alternate\" type=\"text/html\" href=\"" << escape(link) << "\"/>\n"
            << "<content type=\"text\">";
        for (const auto& u : inc->updates)
            out << escape(iso8601(u.at) + " " + std::string(label(u.status)) + ": " + u.body) << "\n";
        out << "</content>\n</entry>\n";
        entries.push_back({inc->updated_at, out.str()});
    }
    for (const auto& mt : m.maintenances) {
        std::ostringstream out;
        // The page shows maintenance on its front page, under its own anchor.
        auto link = absolute(m, "/#m-" + mt.id);
        auto updated = mt.in_progress ? mt.scheduled_for : mt.created_at;
        std::string components;
        for (const auto& c : mt.components) components += (components.empty() ? "" : ", ") + c;
        out << "<entry>\n<id>" << escape("urn:warroom:maintenance:" + mt.id) << "</id>\n"
            << "<title>" << escape("Scheduled maintenance: " + mt.name) << "</title>\n"
            << "<published>" << iso8601(mt.created_at) << "</published>\n"
            << "<updated>" << iso8601(updated) << "</updated>\n"
            << "<link rel=\"alternate\" type=\"text/html\" href=\"" << escape(link) << "\"/>\n"
            << "<content type=\"text\">"
            << escape((mt.in_progress ? "In progress" : "Scheduled") + std::string(" from ") + iso8601(mt.scheduled_for) +
                      " until " + iso8601(mt.scheduled_until) + (components.empty() ? "" : ". Components: " + components) + ".")
            << "\n</content>\n</entry>\n";
        entries.push_back({updated, out.str()});
    }
    std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.updated > b.updated; });

    std::ostringstream out;
    // Atom ids must be permanent IRIs; without a configured URL they are
    // URNs of the page and incident ids, which never change either.
    auto feed_id = m.page.url.empty() ? "urn:warroom:page:" + m.page_id : absolute(m, "/history.atom");
    out << "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"en\">\n"
        << "<id>" << escape(feed_id) << "</id>\n"
        << "<title>" << escape(m.page.name) << " status - incident history</title>\n"
        << "<updated>" << iso8601(m.updated_at) << "</updated>\n"
        << "<author><name>" << escape(m.page.name) << "</name></author>\n"
        << "<link rel=\"self\" type=\"application/atom+xml\" href=\"" << escape(absolute(m, "/history.atom")) << "\"/>\n"
        << "<link rel=\"alternate\" type=\"text/html\" href=\"" << escape(absolute(m, "/")) << "\"/>\n";
    for (const auto& e : entries) out << e.xml;
    out << "</feed>\n";
    return out.str();
}

}  // namespace warroom::statuspage
