// Reads the TOML config over the built-in defaults, then the environment and
// flags over that. Every problem names the file, the key and what was expected,
// because the person reading it is often fixing a config under pressure.
#include "bot/config.hpp"

#include "bot/toml_read.hpp"

#include "storage/location.hpp"

#include "bot/toml_text.hpp"

#include "commands/text.hpp"

#include <charconv>
#include <date/tz.h>
#include <toml++/toml.h>

#include <cstdlib>
#include <unistd.h>
#include <fstream>
#include <set>
#include <sstream>

namespace warroom::bot {

namespace {

using commands::duration;

// Where we are in the file, for messages: "file: severities[1].ack_within (line 12)".
using key_path = bot::toml_key_path<config_error>;

// Rejects keys we do not know, so a typo never silently does nothing.
void check_keys(const toml::table& table, const key_path& at, std::initializer_list<std::string_view> known) {
    for (const auto& [k, node] : table) {
        bool ok = false;
        for (auto name : known) ok = ok || k.str() == name;
        if (ok) continue;
        std::string list;
        for (auto name : known) list += (list.empty() ? "" : ", ") + std::string(name);
        at.child(k.str()).fail(&node, "no such key; known keys here are: " + list);
    }
}

std::optional<std::string> read_string(const toml::table& t, const key_path& at, std::string_view name) {
    return bot::read_toml_string(t, at, name);
}

std::string read_required_string(const toml::table& t, const key_path& at, std::string_view name) {
    auto v = read_string(t, at, name);
    if (!v || v->empty()) at.child(name).fail(t.get(name), "a non-empty string (it is required)");
    return *v;
}

std::optional<bool> read_bool(const toml::table& t, const key_path& at, std::string_view name) {
    const toml::node* node = t.get(name);
    if (!node) return std::nullopt;
    if (node->is_boolean()) return node->value<bool>();
    at.child(name).fail(node, "true or false");
}

std::optional<duration> read_duration(const toml::table& t, const key_path& at, std::string_view name) {
    const toml::node* node = t.get(name);
    if (!node) return std::nullopt;
    const std::string expected = "a duration in quotes like \"30s\", \"15m\", \"2h\" or \"1d\"";
    if (!node->is_string()) at.child(name).fail(node, expected);
    auto d = commands::parse_duration(*node->value<std::string>());
    if (!d) at.child(name).fail(node, expected + ", got \"" + *node->value<std::string>() + "\"");
    if (d->count() <= 0) at.child(name).fail(node, "a duration longer than zero");
    return d;
}

std::optional<std::vector<std::string>> read_strings(const toml::table& t, const key_path& at,
                                                     std::string_view name) {
    const toml::node* node = t.get(name);
    if (!node) return std::nullopt;
    const auto* arr = node->as_array();
    if (!arr) at.child(name).fail(node, "a list of strings like [\"a\", \"b\"]");
    std::vector<std::string> out;
    for (std::size_t i = 0; i < arr->size(); ++i) {
        const auto& item = *arr->get(i);
        if (!item.is_string()) at.child(name).index(i).fail(&item, "a string in quotes");
        out.push_back(*item.value<std::string>());
    }
    return out;
}

// An array of tables ([[severities]] …); absent means "keep the defaults".
const toml::array* read_table_array(const toml::table& t, const key_path& at, std::string_view name) {
    const toml::node* node = t.get(name);
    if (!node) return nullptr;
    const auto* arr = node->as_array();
    if (arr && arr->empty()) return arr;  // "= []": the caller decides if empty is allowed
    if (!arr || !arr->is_array_of_tables())
        at.child(name).fail(node, "a list of tables written [[" + std::string(name) + "]]");
    return arr;
}

void check_unique(std::set<std::string>& seen, const std::string& name, const key_path& at, const toml::node* node,
                  const std::string& what) {
    if (!seen.insert(commands::to_lower(name)).second)
        at.fail(node, "a unique " + what + " name, but \"" + name + "\" is used twice (names are case-insensitive)");
}

commands::severity_def read_severity(const toml::table& t, const key_path& at) {
    check_keys(t, at,
               {"name", "label", "ack_within", "update_every", "resolve_within", "notify_channels", "page",
                "postmortem", "page_outside_hours", "page_on_declare", "archive_after", "public_update_within",
                "public_update_every", "email"});
    commands::severity_def s;
    s.name = read_required_string(t, at, "name");
    if (s.name.find_first_of(" \t") != std::string::npos) at.child("name").fail(t.get("name"), "a name without spaces");
    s.label = read_string(t, at, "label").value_or(s.name);
    auto ack = read_duration(t, at, "ack_within");
    if (!ack) at.child("ack_within").fail(&t, "a duration (it is required)");
    auto resolve = read_duration(t, at, "resolve_within");
    if (!resolve) at.child("resolve_within").fail(&t, "a duration (it is required)");
    s.ack_within = *ack;
    s.resolve_within = *resolve;
    s.update_every = read_duration(t, at, "update_every");
    s.notify_channels = read_strings(t, at, "notify_channels").value_or(std::vector<std::string>{});
    s.page = read_strings(t, at, "page").value_or(std::vector<std::string>{});
    s.page_on_declare = read_bool(t, at, "page_on_declare").value_or(false);
    s.postmortem = read_bool(t, at, "postmortem").value_or(false);
    s.page_outside_hours = read_bool(t, at, "page_outside_hours").value_or(true);
    // Absent: the channel is never archived (the shipped defaults archive after 7 days).
    s.archive_after = read_duration(t, at, "archive_after");
    s.public_update_within = read_duration(t, at, "public_update_within");
    s.public_update_every = read_duration(t, at, "public_update_every");
    s.email = read_strings(t, at, "email").value_or(std::vector<std::string>{});
    for (std::size_t i = 0; i < s.email.size(); ++i)
        if (!email::is_address(s.email[i]))
            at.child("email").index(i).fail(t.get("email"), "a plain address like \"status-subscribers@example.com\", got \"" +
                                                                s.email[i] + "\"");
    return s;
}

commands::role_def read_role(const toml::table& t, const key_path& at) {
    check_keys(t, at, {"name", "aliases", "label", "checklist"});
    commands::role_def r;
    r.name = read_required_string(t, at, "name");
    r.aliases = read_strings(t, at, "aliases").value_or(std::vector<std::string>{});
    r.label = read_string(t, at, "label").value_or(r.name);
    r.checklist = read_strings(t, at, "checklist").value_or(std::vector<std::string>{});
    return r;
}

commands::incident_type_def read_type(const toml::table& t, const key_path& at) {
    check_keys(t, at, {"name", "label", "checklist", "private", "page"});
    commands::incident_type_def it;
    it.name = read_required_string(t, at, "name");
    it.label = read_string(t, at, "label").value_or(it.name);
    it.checklist = read_strings(t, at, "checklist").value_or(std::vector<std::string>{});
    it.is_private = read_bool(t, at, "private").value_or(false);
    // [[pagers]] names, checked against them by paging::route_types.
    it.pagers = read_strings(t, at, "page").value_or(std::vector<std::string>{});
    return it;
}

constexpr std::array<std::string_view, 7> day_names = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

std::optional<std::size_t> day_index(std::string_view word) {
    std::string w = commands::to_lower(commands::trim(word));
    for (std::size_t i = 0; i < day_names.size(); ++i)
        if (w.size() >= 3 && std::string_view(w).substr(0, 3) == day_names[i]) return i;
    return std::nullopt;
}

// "Mon-Fri", "Mon,Wed,Fri", "Sun-Thu" (ranges may wrap past Sunday).
std::optional<std::array<bool, 7>> parse_days(std::string_view text) {
    std::array<bool, 7> days{};
    std::stringstream parts{std::string(text)};
    std::string part;
    bool any = false;
    while (std::getline(parts, part, ',')) {
        auto dash = part.find('-');
        auto from = day_index(part.substr(0, dash));
        auto to = dash == std::string::npos ? from : day_index(part.substr(dash + 1));
        if (!from || !to) return std::nullopt;
        for (std::size_t d = *from;; d = (d + 1) % 7) {
            days[d] = true;
            if (d == *to) break;
        }
        any = true;
    }
    if (!any) return std::nullopt;
    return days;
}

std::optional<std::chrono::minutes> parse_clock(std::string_view hhmm) {
    std::string t = commands::trim(hhmm);
    if (t.size() != 5 || t[2] != ':') return std::nullopt;
    for (int i : {0, 1, 3, 4})
        if (t[i] < '0' || t[i] > '9') return std::nullopt;
    int h = (t[0] - '0') * 10 + (t[1] - '0'), m = (t[3] - '0') * 10 + (t[4] - '0');
    if (m > 59 || h > 24 || (h == 24 && m != 0)) return std::nullopt;
    return std::chrono::minutes(h * 60 + m);
}

void read_working_hours(const toml::table& t, const key_path& at, commands::working_hours& wh) {
    check_keys(t, at, {"days", "hours", "timezone"});
    if (auto days = read_string(t, at, "days")) {
        auto parsed = parse_days(*days);
        if (!parsed) at.child("days").fail(t.get("days"), "days like \"Mon-Fri\" or \"Mon,Wed,Fri\", got \"" + *days + "\"");
        wh.days = *parsed;
        wh.days_text = *days;
    }
    if (auto hours = read_string(t, at, "hours")) {
        auto dash = hours->find('-');
        auto start = parse_clock(hours->substr(0, dash));
        auto end = dash == std::string::npos ? std::nullopt : parse_clock(hours->substr(dash + 1));
        if (!start || !end || *start >= *end)
            at.child("hours").fail(t.get("hours"), "hours like \"09:00-18:00\" (start before end), got \"" + *hours + "\"");
        wh.start = *start;
        wh.end = *end;
        wh.hours_text = *hours;
    }
    if (auto tz = read_string(t, at, "timezone")) {
        try {
            date::locate_zone(*tz);
        } catch (const std::exception&) {
            at.child("timezone").fail(t.get("timezone"), "an IANA time zone like \"Europe/Berlin\" or \"UTC\", got \"" + *tz + "\"");
        }
        wh.timezone = *tz;
    }
}

template <class T, class Read>
std::vector<T> read_list(const toml::array& arr, const key_path& at, const std::string& what, Read read) {
    std::vector<T> out;
    std::set<std::string> seen;
    for (std::size_t i = 0; i < arr.size(); ++i) {
        auto item_at = at.index(i);
        const auto& table = *arr.get(i)->as_table();
        T item = read(table, item_at);
        check_unique(seen, item.name, item_at.child("name"), table.get("name"), what);
        out.push_back(std::move(item));
    }
    return out;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw config_error(path + ": cannot read the config file (does it exist, and may warroom read it?)");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

commands::settings parse_settings(const std::string& toml_text, const std::string& source) {
    toml::table root;
    try {
        root = toml::parse(toml_text, source);
    } catch (const toml::parse_error& e) {
        std::ostringstream msg;
        msg << source << ": line " << e.source().begin.line << ", column " << e.source().begin.column
            << ": not valid TOML: " << e.description();
        throw config_error(msg.str());
    }
    key_path at{source, ""};
    check_keys(root, at,
               {"announce_channel", "escalation_channel", "channel_prefix", "timeline_reaction", "templates_dir",
                "resolve_requires_role", "working_hours", "severities", "roles", "incident_types",
                "slack_unreachable_after", "followup_nag", "pagers", "private_notice", "followup_dm",
                "followup_digest_channel", "followup_digest_at", "status_page", "components", "install_id",
                "public_updates_need_approval", "email", "statuspage_api", "lease"});

    commands::settings s = commands::default_settings();
    if (auto v = read_string(root, at, "announce_channel")) s.announce_channel = *v;
    if (auto v = read_string(root, at, "escalation_channel")) s.escalation_channel = *v;
    if (auto v = read_string(root, at, "timeline_reaction")) s.timeline_reaction = *v;
    if (auto v = read_string(root, at, "templates_dir")) s.templates_dir = *v;
    if (auto v = read_bool(root, at, "resolve_requires_role")) s.resolve_requires_role = *v;
    if (auto v = read_duration(root, at, "followup_nag")) s.followup_nag = *v;
    if (auto v = read_bool(root, at, "followup_dm")) s.followup_dm = *v;
    if (auto v = read_bool(root, at, "public_updates_need_approval")) s.public_updates_need_approval = *v;
    if (auto v = read_string(root, at, "followup_digest_channel")) s.followup_digest_channel = *v;
    if (auto v = read_string(root, at, "followup_digest_at")) {
        auto w = commands::parse_weekly_time(*v);
        if (!w) at.child("followup_digest_at").fail(root.get("followup_digest_at"), "a weekday and a time, like \"mon 09:00\"");
        s.followup_digest_at = *w;
    }
    if (auto v = read_string(root, at, "private_notice")) s.private_notice = *v;
    if (auto v = read_string(root, at, "channel_prefix")) {
        // The prefix starts every channel name, so it must obey Slack's rules itself.
        bool ok = !v->empty() && v->size() <= 40 &&
                  std::all_of(v->begin(), v->end(), [](char c) {
                      return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
                  });
        if (!ok) at.child("channel_prefix").fail(root.get("channel_prefix"), "lowercase letters, digits, '-' or '_' (at most 40)");
        s.channel_prefix = *v;
    }
    if (const auto* node = root.get("working_hours")) {
        if (!node->is_table()) at.child("working_hours").fail(node, "a table written [working_hours]");
        read_working_hours(*node->as_table(), at.child("working_hours"), s.hours);
    }
    if (const auto* arr = read_table_array(root, at, "severities")) {
        if (arr->empty()) at.child("severities").fail(arr, "at least one severity");
        s.severities = read_list<commands::severity_def>(*arr, at.child("severities"), "severity", read_severity);
    }
    if (const auto* arr = read_table_array(root, at, "roles")) {
        s.roles = read_list<commands::role_def>(*arr, at.child("roles"), "role", read_role);
        // The engine hands the incident to its commander; the role must exist.
        if (!s.find_role("commander")) at.child("roles").fail(arr, "a role named \"commander\"");
        std::set<std::string> names;
        for (const auto& r : s.roles) {
            for (const auto& n : r.aliases)
                if (s.find_role(n) != &r || !names.insert(commands::to_lower(n)).second)
                    at.child("roles").fail(arr, "aliases that name one role only, but \"" + n + "\" is ambiguous");
        }
    }
    if (const auto* arr = read_table_array(root, at, "incident_types"))
        s.incident_types = read_list<commands::incident_type_def>(*arr, at.child("incident_types"), "incident type", read_type);
    return s;
}

void parse_service_settings(const std::string& toml_text, const std::string& source, config& c) {
    toml::table root;
    try {
        root = toml::parse(toml_text, source);
    } catch (const toml::parse_error&) {
        return;  // parse_settings reports it
    }
    key_path at{source, ""};
    if (auto d = read_duration(root, at, "slack_unreachable_after")) c.slack_unreachable_after = *d;
    if (auto d = read_duration(root, at, "lease")) {
        if (*d < std::chrono::seconds(2) || *d > std::chrono::hours(1))
            throw config_error(source + ": lease must be between 2s and 1h");
        c.lease = *d;
    }
    if (auto v = read_string(root, at, "install_id")) {
        if (v->empty() || v->size() > 64 || v->find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos)
            throw config_error(source + ": install_id must be 1-64 characters of a-z, 0-9 and '-'");
        c.install_id = *v;
    }
    try {
        c.status_page = statuspage::read_page_settings(toml_text, source);
        for (const auto& comp : c.status_page.components) c.settings.public_components.push_back(comp.name);
        if (!c.status_page.components.empty()) c.settings.public_page = true;
    } catch (const statuspage::settings_error& e) {
        throw config_error(e.what());
    }
}

env_lookup process_environment() {
    return [](const std::string& name) -> std::optional<std::string> {
        const char* v = std::getenv(name.c_str());
        if (!v) return std::nullopt;
        return std::string(v);
    };
}

config load_config(const config_overrides& flags, const env_lookup& env) {
    config c;
    auto file = flags.config_file ? flags.config_file : bot::non_empty_env(env, "WARROOM_CONFIG");
    if (file) {
        auto text = read_file(*file);
        c.settings = parse_settings(text, *file);
        parse_service_settings(text, *file, c);
        try {
            c.pagers = paging::load_pagers(text, *file, c.settings.severities, env);
            paging::route_types(c.pagers, c.settings.incident_types, *file);
            for (const auto& p : c.pagers) c.settings.pager_names.push_back(p.name);
        } catch (const paging::pager_config_error& e) {
            throw config_error(e.what());
        }
        try {
            c.email = email::load_email(text, *file, env);
        } catch (const email::email_config_error& e) {
            throw config_error(e.what());
        }
        try {
            std::vector<std::string> names;
            for (const auto& comp : c.status_page.components) names.push_back(comp.name);
            c.statuspage_api = statuspage_api::load_publish(text, *file, names, env);
            // Customers read Atlassian's page then: the status-page clock runs.
            if (c.statuspage_api.enabled) c.settings.public_page = true;
        } catch (const statuspage_api::publish_config_error& e) {
            throw config_error(e.what());
        }
        bool wants_mail = false;
        for (const auto& sev : c.settings.severities) wants_mail = wants_mail || !sev.email.empty();
        if (wants_mail && !c.email.enabled)
            throw config_error(*file + ": a severity has an email list, but there is no [email] table to send it with");
        c.source = *file;
    } else {
        c.settings = commands::default_settings();
    }
    if (auto v = flags.db_path ? flags.db_path : bot::non_empty_env(env, "WARROOM_DB")) c.db_path = *v;
    if (auto v = bot::non_empty_env(env, "WARROOM_LISTEN")) {
        auto colon = v->rfind(':');
        if (colon == std::string::npos || colon + 1 == v->size())
            throw config_error("WARROOM_LISTEN: expected host:port like 0.0.0.0:3000, got \"" + *v + "\"");
        c.listen = *v;
    }
    // Stable across restarts, so a restarted replica takes up its own leases
    // at once; unique per host as long as listen ports are.
    if (auto v = bot::non_empty_env(env, "WARROOM_REPLICA_ID")) {
        c.replica_id = *v;
    } else {
        char host[256] = {};
        ::gethostname(host, sizeof host - 1);
        c.replica_id = std::string(*host ? host : "warroom") + ":" + c.listen.substr(c.listen.rfind(':') + 1);
    }
    if (auto v = bot::non_empty_env(env, "WARROOM_STATUS_LISTEN")) {
        auto colon = v->rfind(':');
        if (colon == std::string::npos || colon + 1 == v->size())
            throw config_error("WARROOM_STATUS_LISTEN: expected host:port like 0.0.0.0:3001, got \"" + *v + "\"");
        if (*v == c.listen)
            throw config_error("WARROOM_STATUS_LISTEN: the status page needs its own port, not WARROOM_LISTEN's (" + *v +
                               "): the public must never reach /slack/events");
        c.status_listen = *v;
        c.settings.public_page = true;  // customers read a page: its clock runs
    }
    if (auto v = bot::non_empty_env(env, "SLACK_API_URL")) {
        if (v->rfind("https://", 0) != 0 && v->rfind("http://", 0) != 0)
            throw config_error("SLACK_API_URL: expected a URL starting with https:// (or http:// for tests), got \"" + *v + "\"");
        c.slack_api_url = v->back() == '/' ? *v : *v + "/";
    }
    if (auto v = bot::non_empty_env(env, "WARROOM_SLACK_PACE")) {
        char* end = nullptr;
        double pace = std::strtod(v->c_str(), &end);
        if (end == v->c_str() || *end != '\0' || !(pace > 0))
            throw config_error("WARROOM_SLACK_PACE: expected a positive number (tests only), got \"" + *v + "\"");
        c.slack_pace = pace;
    }
    auto count = [&](const char* name, std::size_t least, std::size_t most, std::size_t& out) {
        auto v = bot::non_empty_env(env, name);
        if (!v) return;
        std::size_t n = 0;
        auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
        if (ec != std::errc{} || end != v->data() + v->size() || n < least || n > most)
            throw config_error(std::string(name) + ": expected a whole number from " + std::to_string(least) + " to " +
                               std::to_string(most) + ", got \"" + *v + "\"");
        out = n;
    };
    count("WARROOM_MAX_CONNECTIONS", 16, 1'000'000, c.max_connections);
    // At least two of the largest bodies (1 MiB) at once.
    count("WARROOM_BODY_MEMORY_MB", 2, 1'000'000, c.body_memory_mb);
    c.bot_token = bot::non_empty_env(env, "SLACK_BOT_TOKEN").value_or("");
    c.signing_secret = bot::non_empty_env(env, "SLACK_SIGNING_SECRET").value_or("");
    c.app_token = bot::non_empty_env(env, "SLACK_APP_TOKEN").value_or("");
    return c;
}

namespace {

std::string list(const std::vector<std::string>& items) {
    std::string out = "[";
    for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + toml_string(items[i]);
    return out + "]";
}

// Compact for TOML ("1h30m"): format_duration's spaced form is for people.
std::string toml_duration(duration d) {
    std::string out;
    long long s = d.count();
    for (auto [unit, size] : {std::pair{'d', 86400LL}, {'h', 3600LL}, {'m', 60LL}, {'s', 1LL}}) {
        if (s >= size) {
            out += std::to_string(s / size) + unit;
            s %= size;
        }
    }
    return toml_string(out.empty() ? "0s" : out);
}

std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

// The Slack secrets' lines keep the wording they always had ("not set").
const char* slack_secret_state(const std::string& s) { return s.empty() ? "not set" : "set (redacted)"; }

}  // namespace

std::string describe(const config& c) {
    const auto& s = c.settings;
    std::ostringstream out;
    out << "# effective settings from " << c.source << "\n"
        << "# database: " << storage::redact_location(c.db_path) << "\n"
        << "# listen: " << c.listen << "\n"
        << "# slack api: " << c.slack_api_url << "\n"
        << "# max connections: " << c.max_connections << "\n"
        << "# body memory: " << c.body_memory_mb << " MiB\n"
        << "# status page: " << (c.status_listen.empty() ? "off (WARROOM_STATUS_LISTEN not set)" : c.status_listen)
        << ", " << c.status_page.components.size() << " components\n"
        << "# SLACK_BOT_TOKEN: " << slack_secret_state(c.bot_token) << "\n"
        << "# SLACK_SIGNING_SECRET: " << slack_secret_state(c.signing_secret) << "\n"
        << "# SLACK_APP_TOKEN: " << slack_secret_state(c.app_token) << "\n";
    for (const auto& missing : paging::missing_secrets(c.pagers)) out << "# warning: " << missing << "\n";
    for (const auto& missing : email::missing_secrets(c.email)) out << "# warning: " << missing << "\n";
    {
        std::vector<std::string> names;
        for (const auto& comp : c.status_page.components) names.push_back(comp.name);
        for (const auto& w : statuspage_api::warnings(c.statuspage_api, names)) out << "# warning: " << w << "\n";
    }
    out << "\n"
        << "announce_channel = " << toml_string(s.announce_channel) << "\n"
        << "escalation_channel = " << toml_string(s.escalation_channel) << "\n"
        << "channel_prefix = " << toml_string(s.channel_prefix) << "\n"
        << "timeline_reaction = " << toml_string(s.timeline_reaction) << "\n"
        << "templates_dir = " << toml_string(s.templates_dir) << "\n"
        << "resolve_requires_role = " << (s.resolve_requires_role ? "true" : "false") << "\n"
        << "followup_nag = " << toml_duration(s.followup_nag) << "\n"
        << "followup_dm = " << (s.followup_dm ? "true" : "false") << "\n"
        << "public_updates_need_approval = " << (s.public_updates_need_approval ? "true" : "false") << "\n"
        << "followup_digest_channel = " << quoted(s.followup_digest_channel) << "\n"
        << "followup_digest_at = " << quoted(commands::format_weekly_time(s.followup_digest_at)) << "\n"
        << "private_notice = " << toml_string(s.private_notice) << "\n"
        << "slack_unreachable_after = " << toml_duration(c.slack_unreachable_after) << "\n"
        << "install_id = " << toml_string(c.install_id) << "\n"
        << "lease = " << toml_duration(c.lease) << "\n\n"
        << "[working_hours]\n"
        << "days = " << toml_string(s.hours.days_text) << "\n"
        << "hours = " << toml_string(s.hours.hours_text) << "\n"
        << "timezone = " << toml_string(s.hours.timezone) << "\n";
    for (const auto& sev : s.severities) {
        out << "\n[[severities]]\n"
            << "name = " << toml_string(sev.name) << "\n"
            << "label = " << toml_string(sev.label) << "\n"
            << "ack_within = " << toml_duration(sev.ack_within) << "\n";
        if (sev.update_every) out << "update_every = " << toml_duration(*sev.update_every) << "\n";
        out << "resolve_within = " << toml_duration(sev.resolve_within) << "\n"
            << "notify_channels = " << list(sev.notify_channels) << "\n"
            << "page = " << list(concat(sev.page, sev.pagers)) << "\n"
            << "page_on_declare = " << (sev.page_on_declare ? "true" : "false") << "\n"
            << "postmortem = " << (sev.postmortem ? "true" : "false") << "\n"
            << "page_outside_hours = " << (sev.page_outside_hours ? "true" : "false") << "\n";
        if (sev.archive_after) out << "archive_after = " << toml_duration(*sev.archive_after) << "\n";
        if (sev.public_update_within) out << "public_update_within = " << toml_duration(*sev.public_update_within) << "\n";
        if (sev.public_update_every) out << "public_update_every = " << toml_duration(*sev.public_update_every) << "\n";
        if (!sev.email.empty()) out << "email = " << list(sev.email) << "\n";
    }
    for (const auto& r : s.roles)
        out << "\n[[roles]]\n"
            << "name = " << toml_string(r.name) << "\n"
            << "aliases = " << list(r.aliases) << "\n"
            << "label = " << toml_string(r.label) << "\n"
            << "checklist = " << list(r.checklist) << "\n";
    for (const auto& t : s.incident_types)
        out << "\n[[incident_types]]\n"
            << "name = " << toml_string(t.name) << "\n"
            << "label = " << toml_string(t.label) << "\n"
            << "checklist = " << list(t.checklist) << "\n"
            << (t.pagers.empty() ? "" : "page = " + list(t.pagers) + "\n")
            << "private = " << (t.is_private ? "true" : "false") << "\n";
    out << paging::describe(c.pagers);
    out << email::describe(c.email);
    out << statuspage_api::describe(c.statuspage_api);
    return out.str();
}

}  // namespace warroom::bot
