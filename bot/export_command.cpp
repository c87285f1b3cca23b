#include "bot/export_command.hpp"

#include "bot/clock.hpp"
#include "commands/text.hpp"
#include "storage/database.hpp"
#include "storage/incident_repository.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <ostream>

namespace warroom::bot {

using json = nlohmann::ordered_json;

// Text is exported as plain text (`<@U1>` as `@U1`, links as their URLs),
// like the actor columns beside it: whoever reads a CSV or JSON file is not Slack.
namespace {

std::string severity_label(const commands::settings& settings, const std::string& name) {
    const auto* sev = settings.find_severity(name);
    return sev ? sev->label : "";
}

std::optional<std::int64_t> seconds_between(commands::time_point from, const std::optional<commands::time_point>& to) {
    if (!to) return std::nullopt;
    return (*to - from).count();
}

std::string human(const std::optional<std::int64_t>& seconds) {
    return seconds ? commands::format_duration(commands::duration(*seconds)) : "";
}

std::string number_or_empty(const std::optional<std::int64_t>& n) { return n ? std::to_string(*n) : ""; }

std::string time_or_empty(const std::optional<commands::time_point>& t) { return t ? iso8601(*t) : ""; }

std::string roles_text(const commands::incident& inc) {
    std::string out;
    for (const auto& [role, user] : inc.roles) {
        if (!out.empty()) out += "; ";
        out += role + "=" + user;
    }
    return out;
}

std::string timeline_text(const std::vector<commands::timeline_entry>& entries) {
    std::string out;
    for (const auto& e : entries) {
        if (!out.empty()) out += '\n';
        out += iso8601(e.at) + " " + e.kind;
        if (!e.actor.empty()) out += " by " + e.actor;
        if (!e.text.empty()) out += ": " + commands::plain_text(e.text);
    }
    return out;
}

}  // namespace

std::string csv_field(std::string_view value) {
    if (value.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(value);
    std::string out = "\"";
    for (char c : value) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
    return out;
}

std::string iso8601(commands::time_point t) {
    std::time_t secs = static_cast<std::time_t>(t.time_since_epoch().count());
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string to_csv(const std::vector<incident_report>& reports, const commands::settings& settings) {
    static const std::vector<std::string> header = {
        "id", "title", "severity", "severity_label", "type", "status", "channel", "declared_at", "declared_by",
        "acked_at", "acked_by", "resolved_at", "mtta_seconds", "mtta", "mttr_seconds", "mttr", "roles",
        "resolution", "last_update", "timeline", "private"};
    std::string out;
    auto row = [&out](const std::vector<std::string>& cells) {
        for (std::size_t i = 0; i < cells.size(); ++i) {
            if (i) out += ',';
            out += csv_field(cells[i]);
        }
        out += "\r\n";
    };
    row(header);
    for (const auto& r : reports) {
        const auto& inc = r.inc;
        auto mtta = seconds_between(inc.declared_at, inc.acked_at);
        auto mttr = seconds_between(inc.declared_at, inc.resolved_at);
        row({inc.id(), commands::plain_text(inc.title), inc.severity, severity_label(settings, inc.severity), inc.type,
             std::string(commands::to_string(inc.status)), inc.channel_name, iso8601(inc.declared_at),
             inc.declared_by, time_or_empty(inc.acked_at), inc.acked_by, time_or_empty(inc.resolved_at),
             number_or_empty(mtta), human(mtta), number_or_empty(mttr), human(mttr), roles_text(inc), commands::plain_text(inc.resolution),
             commands::plain_text(inc.last_update), timeline_text(r.timeline), inc.is_private ? "true" : "false"});
    }
    return out;
}

namespace {

void csv_row(std::string& out, const std::vector<std::string>& cells) {
    for (std::size_t i = 0; i < cells.size(); ++i) {
        if (i) out += ',';
        out += csv_field(cells[i]);
    }
    out += "\r\n";
}

// Done on time: closed on or before its due day (in the configured time zone); none while open.
std::optional<bool> done_on_time(const commands::followup& f, const commands::settings& settings) {
    if (f.state != commands::followup_state::done || !f.closed_at) return std::nullopt;
    return !f.due || commands::local_day(settings.hours, *f.closed_at) <= *f.due;
}

}  // namespace

std::string followups_csv(const std::vector<incident_report>& reports, const commands::settings& settings,
                          commands::time_point exported_at) {
    std::string out;
    csv_row(out, {"id", "incident", "incident_title", "text", "owner", "due", "state", "overdue", "created_at",
                  "created_by", "closed_at", "closed_by", "note", "done_on_time"});
    for (const auto& r : reports)
        for (const auto& f : r.followups) {
            auto on_time = done_on_time(f, settings);
            csv_row(out, {f.ref(), r.inc.id(), commands::plain_text(r.inc.title), commands::plain_text(f.text), f.owner,
                          f.due ? commands::format_day(*f.due) : "", std::string(commands::to_string(f.state)),
                          commands::is_overdue(f, settings.hours, exported_at) ? "true" : "false",
                          iso8601(f.created_at), f.created_by, time_or_empty(f.closed_at), f.closed_by,
                          commands::plain_text(f.note), on_time ? (*on_time ? "true" : "false") : ""});
        }
    return out;
}

std::string to_json(const std::vector<incident_report>& reports, const commands::settings& settings,
                    commands::time_point exported_at, std::optional<commands::time_point> since) {
    json doc;
    doc["exported_at"] = iso8601(exported_at);
    doc["since"] = since ? json(iso8601(*since)) : json(nullptr);
    doc["incidents"] = json::array();
    auto time_or_null = [](const std::optional<commands::time_point>& t) { return t ? json(iso8601(*t)) : json(nullptr); };
    auto number_or_null = [](const std::optional<std::int64_t>& n) { return n ? json(*n) : json(nullptr); };
    for (const auto& r : reports) {
        const auto& inc = r.inc;
        auto mtta = seconds_between(inc.declared_at, inc.acked_at);
        auto mttr = seconds_between(inc.declared_at, inc.resolved_at);
        json j;
        j["id"] = inc.id();
        j["number"] = inc.number;
        j["title"] = commands::plain_text(inc.title);
        j["severity"] = inc.severity;
        j["severity_label"] = severity_label(settings, inc.severity);
        j["type"] = inc.type;
        j["private"] = inc.is_private;
        j["status"] = std::string(commands::to_string(inc.status));
        j["channel"] = inc.channel_name;
        j["channel_id"] = inc.channel_id;
        j["declared_at"] = iso8601(inc.declared_at);
        j["declared_by"] = inc.declared_by;
        j["acked_at"] = time_or_null(inc.acked_at);
        j["acked_by"] = inc.acked_by;
        j["resolved_at"] = time_or_null(inc.resolved_at);
        j["mtta_seconds"] = number_or_null(mtta);
        j["mtta"] = mtta ? json(human(mtta)) : json(nullptr);
        j["mttr_seconds"] = number_or_null(mttr);
        j["mttr"] = mttr ? json(human(mttr)) : json(nullptr);
        j["roles"] = json::object();
        for (const auto& [role, user] : inc.roles) j["roles"][role] = user;
        j["resolution"] = commands::plain_text(inc.resolution);
        j["last_update"] = commands::plain_text(inc.last_update);
        j["timeline"] = json::array();
        for (const auto& e : r.timeline)
            j["timeline"].push_back({{"at", iso8601(e.at)}, {"kind", e.kind}, {"actor", e.actor}, {"text", commands::plain_text(e.text)}});
        j["followups"] = json::array();
        for (const auto& f : r.followups) {
            // Done on time: closed on or before its due day (in the configured time zone); null while open.
            json on_time = nullptr;
            if (f.state == commands::followup_state::done && f.closed_at)
                on_time = !f.due || commands::local_day(settings.hours, *f.closed_at) <= *f.due;
            j["followups"].push_back({{"id", f.ref()},
                                      {"text", commands::plain_text(f.text)},
                                      {"owner", f.owner},
                                      {"due", f.due ? json(commands::format_day(*f.due)) : json(nullptr)},
                                      {"state", std::string(commands::to_string(f.state))},
                                      {"overdue", commands::is_overdue(f, settings.hours, exported_at)},
                                      {"created_at", iso8601(f.created_at)},
                                      {"created_by", f.created_by},
                                      {"closed_at", time_or_null(f.closed_at)},
                                      {"closed_by", f.closed_by},
                                      {"note", commands::plain_text(f.note)},
                                      {"done_on_time", on_time}});
        }
        doc["incidents"].push_back(std::move(j));
    }
    return doc.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

int run_export_command(const config& cfg, const export_options& opts, std::ostream& out, std::ostream& err) {
    if (opts.format != "csv" && opts.format != "json") {
        err << "warroom export: --format must be csv or json, not '" << opts.format << "'\n";
        return 2;
    }
    if (opts.followups && opts.format != "csv") {
        err << "warroom export: --followups writes a CSV of its own (--format csv); the JSON carries each "
               "incident's follow-ups already\n";
        return 2;
    }
    auto now = system_clock().now();
    std::optional<commands::time_point> since;
    if (!opts.since.empty()) {
        auto d = commands::parse_duration(opts.since);
        if (!d) {
            err << "warroom export: --since takes a duration such as 30d, 12h or 90m, not '" << opts.since << "'\n";
            return 2;
        }
        since = now - *d;
    }
    storage::database db(cfg.db_path);
    storage::incident_repository repo(db);
    std::vector<incident_report> reports;
    for (auto& inc : repo.list_declared_since(since.value_or(commands::time_point{}))) {
        if (opts.exclude_private && inc.is_private) continue;
        auto timeline = repo.timeline(inc.number);
        auto followups = repo.followups_of(inc.number);
        reports.push_back({std::move(inc), std::move(timeline), std::move(followups)});
    }
    std::string text = opts.format == "json" ? to_json(reports, cfg.settings, now, since)
                       : opts.followups       ? followups_csv(reports, cfg.settings, now)
                                              : to_csv(reports, cfg.settings);
    if (opts.output.empty()) {
        out << text;
        out.flush();
        return out ? 0 : 1;
    }
    // Written beside the target and renamed, so a reader never sees half a file.
    std::string partial = opts.output + ".partial";
    {
        // Owner-only like the database it comes from; a failure shows in the write below.
        (void)storage::create_owner_only(partial, /*replace=*/true);
        std::ofstream f(partial, std::ios::binary | std::ios::trunc);
        f << text;
        f.close();
        if (!f) {
            err << "warroom export: cannot write " << opts.output << "\n";
            std::error_code ec;
            std::filesystem::remove(partial, ec);
            return 1;
        }
    }
    std::error_code ec;
    std::filesystem::rename(partial, opts.output, ec);
    if (ec) {
        err << "warroom export: cannot write " << opts.output << ": " << ec.message() << "\n";
        return 1;
    }
    out << "exported " << reports.size() << " incident" << (reports.size() == 1 ? "" : "s") << " to " << opts.output
        << " (" << opts.format << ")\n";
    return 0;
}

}  // namespace warroom::bot
