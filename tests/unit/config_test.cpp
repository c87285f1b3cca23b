// The config file as an operator writes it: defaults, overrides, and errors
// that name the file, the key and what was expected.
#include "bot/config.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>

using namespace warroom;
using Catch::Matchers::Contains;

namespace {

bot::env_lookup env_of(std::map<std::string, std::string> vars) {
    return [vars](const std::string& name) -> std::optional<std::string> {
        auto it = vars.find(name);
        return it == vars.end() ? std::nullopt : std::optional(it->second);
    };
}

std::string error_of(const std::string& toml) {
    try {
        bot::parse_settings(toml, "team.toml");
    } catch (const bot::config_error& e) {
        return e.what();
    }
    return "";
}

std::string write_temp(const std::string& name, const std::string& text) {
    auto path = std::filesystem::temp_directory_path() / name;
    std::ofstream(path) << text;
    return path.string();
}

}  // namespace

TEST_CASE("an empty file keeps every shipped default") {
    auto s = bot::parse_settings("", "empty.toml");
    auto d = commands::default_settings();
    CHECK(s.announce_channel == "incidents");
    CHECK(s.escalation_channel == "incident-escalations");
    REQUIRE(s.severities.size() == 4);
    CHECK(s.severities[0].name == "P0");
    CHECK(s.severities[3].update_every == std::nullopt);
    CHECK(s.roles.size() == d.roles.size());
    CHECK(s.incident_types.size() == d.incident_types.size());
}

TEST_CASE("the shipped example file is valid and equals the built-in defaults") {
    std::ifstream in(std::string(WARROOM_SOURCE_DIR) + "/deploy/warroom.example.toml");
    REQUIRE(in);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto s = bot::parse_settings(text, "warroom.example.toml");
    bot::config from_example, from_defaults;
    from_example.settings = s;
    bot::parse_service_settings(text, "warroom.example.toml", from_example);
    from_defaults.settings = commands::default_settings();
    // describe() prints every setting, so equal text means equal settings.
    CHECK(bot::describe(from_example) == bot::describe(from_defaults));
}

TEST_CASE("a team's own severity scheme replaces the shipped one") {
    auto s = bot::parse_settings(R"(
announce_channel = "ops-incidents"
[[severities]]
name = "SEV-1"
label = "Major"
ack_within = "2m"
update_every = "1h30m"
resolve_within = "1d"
notify_channels = ["execs", "support"]
page = ["S0123"]
postmortem = true
[[severities]]
name = "SEV-2"
ack_within = "30m"
resolve_within = "2d"
page_outside_hours = false
)",
                                 "team.toml");
    CHECK(s.announce_channel == "ops-incidents");
    REQUIRE(s.severities.size() == 2);
    const auto& sev1 = s.severities[0];
    CHECK(sev1.ack_within == std::chrono::minutes(2));
    CHECK(sev1.update_every == std::chrono::minutes(90));
    CHECK(sev1.resolve_within == std::chrono::hours(24));
    CHECK(sev1.notify_channels == std::vector<std::string>{"execs", "support"});
    CHECK(sev1.page == std::vector<std::string>{"S0123"});
    CHECK(sev1.postmortem);
    const auto& sev2 = s.severities[1];
    CHECK(sev2.label == "SEV-2");  // the label defaults to the name
    CHECK_FALSE(sev2.update_every);
    CHECK_FALSE(sev2.postmortem);
    CHECK_FALSE(sev2.page_outside_hours);
    CHECK(s.find_severity("sev-1") == &s.severities[0]);
}

TEST_CASE("working hours: days, hours and time zone") {
    auto s = bot::parse_settings(R"(
[working_hours]
days = "Sun-Thu"
hours = "08:30-17:00"
timezone = "Asia/Jerusalem"
)",
                                 "team.toml");
    CHECK(s.hours.days == std::array<bool, 7>{true, true, true, true, false, false, true});
    CHECK(s.hours.start == std::chrono::minutes(8 * 60 + 30));
    CHECK(s.hours.end == std::chrono::minutes(17 * 60));
    CHECK(s.hours.timezone == "Asia/Jerusalem");

    auto listed = bot::parse_settings("[working_hours]\ndays = \"Mon,Wed,Fri\"\n", "team.toml");
    CHECK(listed.hours.days == std::array<bool, 7>{true, false, true, false, true, false, false});
}

TEST_CASE("resolve_requires_role: off by default, true or false, and shown by check-config") {
    CHECK_FALSE(bot::parse_settings("", "team.toml").resolve_requires_role);
    CHECK(bot::parse_settings("resolve_requires_role = true\n", "team.toml").resolve_requires_role);
    CHECK_FALSE(bot::parse_settings("resolve_requires_role = false\n", "team.toml").resolve_requires_role);
    CHECK_THAT(error_of("resolve_requires_role = \"yes\"\n"),
               Contains("team.toml") && Contains("resolve_requires_role") && Contains("true or false") &&
                   Contains("line 1"));
    CHECK_THAT(error_of("resolve_requires_role = 1\n"), Contains("resolve_requires_role") && Contains("true or false"));
    CHECK_THAT(error_of("[working_hours]\nresolve_requires_role = true\n"),
               Contains("working_hours.resolve_requires_role") && Contains("no such key"));

    bot::config c;
    c.settings = bot::parse_settings("resolve_requires_role = true\n", "team.toml");
    auto text = bot::describe(c);
    CHECK_THAT(text, Contains("\nresolve_requires_role = true\n"));
    CHECK(bot::parse_settings(text, "described.toml").resolve_requires_role);
    bot::config d;
    CHECK_THAT(bot::describe(d), Contains("\nresolve_requires_role = false\n"));
}

TEST_CASE("followup_nag: 2 days unless set, a duration, and shown by check-config") {
    CHECK(bot::parse_settings("", "team.toml").followup_nag == std::chrono::hours(48));
    CHECK(bot::parse_settings("followup_nag = \"1d\"\n", "team.toml").followup_nag == std::chrono::hours(24));
    CHECK(bot::parse_settings("followup_nag = \"36h\"\n", "team.toml").followup_nag == std::chrono::hours(36));
    CHECK_THAT(error_of("followup_nag = \"often\"\n"), Contains("followup_nag") && Contains("a duration"));
    CHECK_THAT(error_of("followup_nag = \"0s\"\n"), Contains("followup_nag") && Contains("longer than zero"));
    bot::config c;
    c.settings = bot::parse_settings("followup_nag = \"3d\"\n", "team.toml");
    auto text = bot::describe(c);
    CHECK_THAT(text, Contains("\nfollowup_nag = \"3d\"\n"));
    CHECK(bot::parse_settings(text, "described.toml").followup_nag == std::chrono::hours(72));
}

TEST_CASE("follow-up DMs on unless set off, the digest off unless a channel, at a weekday and time") {
    auto d = bot::parse_settings("", "team.toml");
    CHECK(d.followup_dm);
    CHECK(d.followup_digest_channel.empty());
    CHECK(commands::format_weekly_time(d.followup_digest_at) == "mon 09:00");
    auto s = bot::parse_settings("followup_dm = false\nfollowup_digest_channel = \"eng-followups\"\n"
                                 "followup_digest_at = \"Friday 16:30\"\n", "team.toml");
    CHECK_FALSE(s.followup_dm);
    CHECK(s.followup_digest_channel == "eng-followups");
    CHECK(s.followup_digest_at.weekday == 4);
    CHECK(s.followup_digest_at.at == std::chrono::minutes(16 * 60 + 30));
    CHECK_THAT(error_of("followup_digest_at = \"someday\"\n"), Contains("followup_digest_at") && Contains("mon 09:00"));
    CHECK_THAT(error_of("followup_dm = \"yes\"\n"), Contains("followup_dm"));
    bot::config c;
    c.settings = s;
    auto text = bot::describe(c);
    CHECK_THAT(text, Contains("\nfollowup_digest_at = \"fri 16:30\"\n") && Contains("\nfollowup_dm = false\n"));
    auto again = bot::parse_settings(text, "described.toml");
    CHECK(again.followup_digest_channel == "eng-followups");
    CHECK(commands::format_weekly_time(again.followup_digest_at) == "fri 16:30");
}

TEST_CASE("archive_after per severity (off when absent), private types and the private notice") {
    auto defaults = bot::parse_settings("", "team.toml");
    for (const auto& sev : defaults.severities) CHECK(sev.archive_after == std::chrono::days(7));
    CHECK(defaults.find_type("security")->is_private);
    CHECK_FALSE(defaults.find_type("outage")->is_private);
    CHECK_THAT(defaults.private_notice, Contains("{id}") && Contains("{declarer}"));

    auto s = bot::parse_settings(R"(
private_notice = "{id} is private"
[[severities]]
name = "SEV-1"
ack_within = "2m"
resolve_within = "1d"
archive_after = "3d"
[[severities]]
name = "SEV-2"
ack_within = "30m"
resolve_within = "2d"
[[incident_types]]
name = "breach"
private = true
[[incident_types]]
name = "outage"
)",
                                 "team.toml");
    CHECK(s.severities[0].archive_after == std::chrono::days(3));
    CHECK_FALSE(s.severities[1].archive_after);  // written without it: never archived
    CHECK(s.find_type("breach")->is_private);
    CHECK_FALSE(s.find_type("outage")->is_private);
    CHECK(s.private_notice == "{id} is private");
    CHECK_THAT(error_of("[[severities]]\nname = \"X\"\nack_within = \"1m\"\nresolve_within = \"1h\"\narchive_after = \"soon\"\n"),
               Contains("archive_after") && Contains("a duration"));
    CHECK_THAT(error_of("[[incident_types]]\nname = \"x\"\nprivate = \"yes\"\n"), Contains("private"));

    // check-config shows them, and what it shows reads back the same.
    bot::config c;
    c.settings = s;
    auto text = bot::describe(c);
    CHECK_THAT(text, Contains("\narchive_after = \"3d\"\n") && Contains("\nprivate = true\n") &&
                         Contains("\nprivate_notice = \"{id} is private\"\n"));
    auto back = bot::parse_settings(text, "described.toml");
    CHECK(back.severities[0].archive_after == std::chrono::days(3));
    CHECK_FALSE(back.severities[1].archive_after);
    CHECK(back.find_type("breach")->is_private);
}

TEST_CASE("install_id names this warroom to vendors: \"warroom\" unless set, a-z 0-9 - only") {
    bot::config c;
    CHECK(c.install_id == "warroom");
    CHECK_THAT(bot::describe(c), Contains("\ninstall_id = \"warroom\"\n"));
    std::string text = "install_id = \"acme-prod\"\n";
    bot::parse_settings(text, "team.toml");  // a known key
    bot::parse_service_settings(text, "team.toml", c);
    CHECK(c.install_id == "acme-prod");
    for (std::string bad : {"install_id = \"\"\n", "install_id = \"Acme Prod\"\n", "install_id = \"a/b\"\n"}) {
        bot::config d;
        CHECK_THROWS_AS(bot::parse_service_settings(bad, "team.toml", d), bot::config_error);
    }
}

TEST_CASE("slack_unreachable_after is a duration, 60 s unless set") {
    bot::config c;
    CHECK(c.slack_unreachable_after == std::chrono::seconds(60));
    CHECK_THAT(bot::describe(c), Contains("\nslack_unreachable_after = \"1m\"\n"));
    std::string text = "slack_unreachable_after = \"2m30s\"\n";
    bot::parse_settings(text, "team.toml");  // a known key
    bot::parse_service_settings(text, "team.toml", c);
    CHECK(c.slack_unreachable_after == std::chrono::seconds(150));
    CHECK_THAT(bot::describe(c), Contains("\nslack_unreachable_after = \"2m30s\"\n"));
    auto error_in = [](const std::string& t) {
        bot::config d;
        try {
            bot::parse_service_settings(t, "team.toml", d);
        } catch (const bot::config_error& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    CHECK_THAT(error_in("slack_unreachable_after = \"soon\"\n"),
               Contains("team.toml") && Contains("slack_unreachable_after") && Contains("duration"));
    CHECK_THAT(error_in("slack_unreachable_after = 60\n"), Contains("slack_unreachable_after"));
    CHECK_THAT(error_in("slack_unreachable_after = \"0s\"\n"), Contains("longer than zero"));
}

TEST_CASE("config errors name the file, the key and what was expected") {
    SECTION("unknown key at the top") {
        auto e = error_of("announce_chanel = \"x\"\n");
        CHECK_THAT(e, Contains("team.toml") && Contains("announce_chanel") && Contains("announce_channel"));
    }
    SECTION("unknown key inside a severity, with its line") {
        auto e = error_of("[[severities]]\nname = \"P1\"\nack_within = \"5m\"\nresolve_within = \"1h\"\nupdate_evry = \"5m\"\n");
        CHECK_THAT(e, Contains("severities[0].update_evry") && Contains("line 5"));
    }
    SECTION("bad duration") {
        auto e = error_of("[[severities]]\nname = \"P1\"\nack_within = \"5 minutes\"\nresolve_within = \"1h\"\n");
        CHECK_THAT(e, Contains("severities[0].ack_within") && Contains("duration") && Contains("5 minutes"));
    }
    SECTION("a duration of zero") {
        CHECK_THAT(error_of("[[severities]]\nname = \"P1\"\nack_within = \"0m\"\nresolve_within = \"1h\"\n"),
                   Contains("longer than zero"));
    }
    SECTION("a number where a duration belongs") {
        CHECK_THAT(error_of("[[severities]]\nname = \"P1\"\nack_within = 5\nresolve_within = \"1h\"\n"),
                   Contains("ack_within") && Contains("in quotes"));
    }
    SECTION("duplicate severity, whatever its case") {
        auto e = error_of(
            "[[severities]]\nname = \"P1\"\nack_within = \"5m\"\nresolve_within = \"1h\"\n"
            "[[severities]]\nname = \"p1\"\nack_within = \"5m\"\nresolve_within = \"1h\"\n");
        CHECK_THAT(e, Contains("severities[1].name") && Contains("twice"));
    }
    SECTION("empty severity list") {
        CHECK_THAT(error_of("severities = []\n"), Contains("severities") && Contains("at least one"));
    }
    SECTION("a severity without its required keys") {
        CHECK_THAT(error_of("[[severities]]\nname = \"P1\"\nresolve_within = \"1h\"\n"),
                   Contains("severities[0].ack_within") && Contains("required"));
        CHECK_THAT(error_of("[[severities]]\nack_within = \"5m\"\nresolve_within = \"1h\"\n"),
                   Contains("severities[0].name"));
    }
    SECTION("wrong types") {
        CHECK_THAT(error_of("announce_channel = 7\n"), Contains("announce_channel") && Contains("string"));
        CHECK_THAT(error_of("[[severities]]\nname = \"P1\"\nack_within = \"5m\"\nresolve_within = \"1h\"\npostmortem = \"yes\"\n"),
                   Contains("postmortem") && Contains("true or false"));
        CHECK_THAT(error_of("[[severities]]\nname = \"P1\"\nack_within = \"5m\"\nresolve_within = \"1h\"\nnotify_channels = \"leadership\"\n"),
                   Contains("notify_channels") && Contains("list"));
        CHECK_THAT(error_of("working_hours = \"9-5\"\n"), Contains("working_hours") && Contains("[working_hours]"));
    }
    SECTION("bad working hours") {
        CHECK_THAT(error_of("[working_hours]\ntimezone = \"Mars/Olympus\"\n"),
                   Contains("working_hours.timezone") && Contains("Mars/Olympus"));
        CHECK_THAT(error_of("[working_hours]\nhours = \"18:00-09:00\"\n"), Contains("working_hours.hours"));
        CHECK_THAT(error_of("[working_hours]\nhours = \"9am-5pm\"\n"), Contains("working_hours.hours"));
        CHECK_THAT(error_of("[working_hours]\ndays = \"Weekdays\"\n"), Contains("working_hours.days"));
    }
    SECTION("roles without a commander, or an alias used twice") {
        CHECK_THAT(error_of("[[roles]]\nname = \"lead\"\n"), Contains("commander"));
        CHECK_THAT(error_of("[[roles]]\nname = \"commander\"\naliases = [\"x\"]\n[[roles]]\nname = \"scribe\"\naliases = [\"x\"]\n"),
                   Contains("\"x\""));
    }
    SECTION("a channel prefix Slack would refuse") {
        CHECK_THAT(error_of("channel_prefix = \"Incident Room\"\n"), Contains("channel_prefix"));
    }
    SECTION("not TOML at all") {
        CHECK_THAT(error_of("announce_channel = \n"), Contains("team.toml") && Contains("line 1") && Contains("not valid TOML"));
    }
}

TEST_CASE("precedence: flags, then environment, then file, then defaults") {
    auto file = write_temp("warroom-config-test.toml", "announce_channel = \"from-file\"\n");

    SECTION("no file, no environment: defaults") {
        auto c = bot::load_config({}, env_of({}));
        CHECK(c.source == "built-in defaults");
        CHECK(c.db_path == "warroom.db");
        CHECK(c.listen == "0.0.0.0:3000");
        CHECK(c.slack_api_url == "https://slack.com/api/");
        CHECK(c.settings.announce_channel == "incidents");
    }
    SECTION("the environment names the file and the database") {
        auto c = bot::load_config({}, env_of({{"WARROOM_CONFIG", file}, {"WARROOM_DB", "/var/lib/w.db"},
                                              {"WARROOM_LISTEN", "127.0.0.1:8080"},
                                              {"SLACK_API_URL", "http://127.0.0.1:9999/api"}}));
        CHECK(c.settings.announce_channel == "from-file");
        CHECK(c.source == file);
        CHECK(c.db_path == "/var/lib/w.db");
        CHECK(c.listen == "127.0.0.1:8080");
        CHECK(c.slack_api_url == "http://127.0.0.1:9999/api/");  // a trailing slash is added
    }
    SECTION("flags beat the environment") {
        bot::config_overrides flags;
        flags.config_file = file;
        flags.db_path = "flag.db";
        auto c = bot::load_config(flags, env_of({{"WARROOM_CONFIG", "/nonexistent.toml"}, {"WARROOM_DB", "env.db"}}));
        CHECK(c.settings.announce_channel == "from-file");
        CHECK(c.db_path == "flag.db");
    }
    SECTION("a missing file is an error naming it") {
        bot::config_overrides flags;
        flags.config_file = "/nonexistent/warroom.toml";
        CHECK_THROWS_WITH(bot::load_config(flags, env_of({})), Contains("/nonexistent/warroom.toml"));
    }
    SECTION("the test-only Slack pace must be a positive number") {
        CHECK(bot::load_config({}, env_of({})).slack_pace == 1.0);
        CHECK(bot::load_config({}, env_of({{"WARROOM_SLACK_PACE", "20"}})).slack_pace == 20.0);
        CHECK_THROWS_WITH(bot::load_config({}, env_of({{"WARROOM_SLACK_PACE", "fast"}})), Contains("WARROOM_SLACK_PACE"));
        CHECK_THROWS_WITH(bot::load_config({}, env_of({{"WARROOM_SLACK_PACE", "0"}})), Contains("WARROOM_SLACK_PACE"));
    }
    SECTION("the connection cap and body memory are whole numbers in range") {
        auto d = bot::load_config({}, env_of({}));
        CHECK(d.max_connections == 1024);
        CHECK(d.body_memory_mb == 32);
        auto c = bot::load_config({}, env_of({{"WARROOM_MAX_CONNECTIONS", "4096"}, {"WARROOM_BODY_MEMORY_MB", "8"}}));
        CHECK(c.max_connections == 4096);
        CHECK(c.body_memory_mb == 8);
        for (const char* bad : {"many", "10", "-5", "12x", "99999999999999999999"})
            CHECK_THROWS_WITH(bot::load_config({}, env_of({{"WARROOM_MAX_CONNECTIONS", bad}})),
                              Contains("WARROOM_MAX_CONNECTIONS"));
        CHECK_THROWS_WITH(bot::load_config({}, env_of({{"WARROOM_BODY_MEMORY_MB", "1"}})),
                          Contains("WARROOM_BODY_MEMORY_MB"));
    }
    SECTION("a bad API URL or listen address is refused") {
        CHECK_THROWS_WITH(bot::load_config({}, env_of({{"SLACK_API_URL", "slack.com/api"}})), Contains("SLACK_API_URL"));
        CHECK_THROWS_WITH(bot::load_config({}, env_of({{"WARROOM_LISTEN", "3000"}})), Contains("WARROOM_LISTEN"));
    }
    std::filesystem::remove(file);
}

TEST_CASE("secrets come from the environment and are never printed") {
    auto c = bot::load_config({}, env_of({{"SLACK_BOT_TOKEN", "xoxb-very-secret-1"},
                                          {"SLACK_SIGNING_SECRET", "signing-very-secret-2"}}));
    CHECK(c.bot_token == "xoxb-very-secret-1");
    CHECK(c.signing_secret == "signing-very-secret-2");
    CHECK(c.app_token.empty());
    auto text = bot::describe(c);
    CHECK_THAT(text, !Contains("very-secret"));
    CHECK_THAT(text, Contains("SLACK_BOT_TOKEN: set (redacted)") && Contains("SLACK_APP_TOKEN: not set"));
}

TEST_CASE("check-config output is itself a valid config with the same settings") {
    auto s = bot::parse_settings(R"(
channel_prefix = "inc"
[working_hours]
days = "Mon-Thu"
hours = "10:00-16:00"
timezone = "Europe/Berlin"
[[severities]]
name = "SEV-1"
label = "Major \"one\" \\ back"
ack_within = "90s"
resolve_within = "1d2h"
)",
                                 "team.toml");
    bot::config c;
    c.settings = s;
    auto text = bot::describe(c);
    auto again = bot::parse_settings(text, "described.toml");
    bot::config c2;
    c2.settings = again;
    CHECK(bot::describe(c2) == text);
    CHECK(again.severities[0].resolve_within == std::chrono::hours(26));
    CHECK(again.hours.timezone == "Europe/Berlin");
}

TEST_CASE("the status page: its config errors are config errors, and it never shares the Slack port") {
    auto path = write_temp("warroom-statuspage.toml", "[status_page]\ngroups = [\"Core\"]\n"
                                                      "[[components]]\nname = \"API\"\ngroup = \"Edge\"\n");
    try {
        bot::load_config({path, std::nullopt}, env_of({}));
        FAIL("an unknown group was accepted");
    } catch (const bot::config_error& e) {
        CHECK_THAT(e.what(), Contains("components[0].group") && Contains(path));
    }
    auto good = write_temp("warroom-statuspage-good.toml", "[[components]]\nname = \"API\"\n");
    auto c = bot::load_config({good, std::nullopt}, env_of({{"WARROOM_STATUS_LISTEN", "127.0.0.1:3001"}}));
    CHECK(c.status_listen == "127.0.0.1:3001");
    REQUIRE(c.status_page.components.size() == 1);
    CHECK(bot::load_config({}, env_of({})).status_listen.empty());  // off by default
    CHECK_THROWS_WITH(bot::load_config({}, env_of({{"WARROOM_LISTEN", "0.0.0.0:3000"},
                                                   {"WARROOM_STATUS_LISTEN", "0.0.0.0:3000"}})),
                      Contains("its own port"));
    CHECK_THROWS_WITH(bot::load_config({}, env_of({{"WARROOM_STATUS_LISTEN", "3001"}})), Contains("host:port"));
}

TEST_CASE("the status page's engine settings: components, approval, the clock, and when the clock runs") {
    auto file = write_temp("warroom-public-test.toml", R"(
public_updates_need_approval = true
[[severities]]
name = "SEV1"
ack_within = "5m"
resolve_within = "1h"
public_update_within = "5m"
public_update_every = "20m"
[[severities]]
name = "SEV2"
ack_within = "5m"
resolve_within = "1h"
[[components]]
name = "API"
[[components]]
name = "Web app"
)");
    auto c = bot::load_config({}, env_of({{"WARROOM_CONFIG", file}}));
    CHECK(c.settings.public_updates_need_approval);
    CHECK(c.settings.public_components == std::vector<std::string>{"API", "Web app"});
    CHECK(c.settings.public_page);  // components: customers read a page
    CHECK(c.settings.severities[0].public_update_within == std::chrono::minutes(5));
    CHECK(c.settings.severities[0].public_update_every == std::chrono::minutes(20));
    CHECK_FALSE(c.settings.severities[1].public_update_within);
    // check-config prints them, so the printed config reads back the same.
    auto printed = bot::describe(c);
    CHECK_THAT(printed, Contains("public_updates_need_approval = true") && Contains("public_update_every = \"20m\""));

    auto none = bot::load_config({}, env_of({}));
    CHECK_FALSE(none.settings.public_page);  // no page: no status-page clock
    CHECK(bot::load_config({}, env_of({{"WARROOM_STATUS_LISTEN", "127.0.0.1:3001"}})).settings.public_page);
    CHECK_THROWS_WITH(bot::parse_settings("[[severities]]\nname = \"X\"\nack_within = \"5m\"\nresolve_within = \"1h\"\n"
                                          "public_update_within = \"soon\"\n", "t.toml"),
                      Contains("public_update_within"));
}

TEST_CASE("lease (replicas' outbox claims) is a duration, 15 s unless set, 2 s to 1 h") {
    bot::config c;
    CHECK(c.lease == std::chrono::seconds(15));
    CHECK_THAT(bot::describe(c), Contains("\nlease = \"15s\"\n"));
    std::string text = "lease = \"30s\"\n";
    bot::parse_settings(text, "team.toml");  // a known key
    bot::parse_service_settings(text, "team.toml", c);
    CHECK(c.lease == std::chrono::seconds(30));
    for (std::string bad : {"lease = \"1s\"\n", "lease = \"2h\"\n"}) {
        bot::config d;
        CHECK_THROWS_AS(bot::parse_service_settings(bad, "team.toml", d), bot::config_error);
    }
}

TEST_CASE("the database URL's password never reaches check-config's output, and the replica id defaults to host:port") {
    auto env = [](std::map<std::string, std::string> vars) {
        return [vars](const std::string& k) -> std::optional<std::string> {
            auto it = vars.find(k);
            if (it == vars.end()) return std::nullopt;
            return it->second;
        };
    };
    auto c = bot::load_config({}, env({{"WARROOM_DB", "postgresql://warroom:hunter2@db/warroom"},
                                       {"WARROOM_LISTEN", "127.0.0.1:3007"}}));
    CHECK(c.db_path == "postgresql://warroom:hunter2@db/warroom");
    CHECK_THAT(bot::describe(c), Contains("# database: postgresql://warroom:***@db/warroom"));
    CHECK(bot::describe(c).find("hunter2") == std::string::npos);
    CHECK_THAT(c.replica_id, Catch::Matchers::EndsWith(":3007"));
    auto named = bot::load_config({}, env({{"WARROOM_REPLICA_ID", "replica-a"}}));
    CHECK(named.replica_id == "replica-a");
}
