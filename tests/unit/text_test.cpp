// Durations, incident references, mentions and channel names as users type and see them.
#include "commands/parser.hpp"
#include "commands/text.hpp"
#include "templates/slack_text.hpp"

#include <catch2/catch.hpp>

#include <date/date.h>

using namespace warroom::commands;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

namespace {
time_point at(int y, unsigned m, unsigned d, int hh = 12, int mm = 0) {
    return time_point(date::sys_days(date::year(y) / m / d)) + hours(hh) + minutes(mm);
}
}  // namespace

TEST_CASE("durations parse the way the config and snooze write them") {
    CHECK(parse_duration("30s") == seconds(30));
    CHECK(parse_duration("15m") == minutes(15));
    CHECK(parse_duration("2h") == hours(2));
    CHECK(parse_duration("1d") == hours(24));
    CHECK(parse_duration("1h30m") == minutes(90));
    CHECK(parse_duration("1H") == hours(1));
    CHECK_FALSE(parse_duration(""));
    CHECK_FALSE(parse_duration("soon"));
    CHECK_FALSE(parse_duration("15"));
    CHECK_FALSE(parse_duration("m"));
    CHECK_FALSE(parse_duration("-5m"));
    CHECK_FALSE(parse_duration("99999999999999999999h"));
}

TEST_CASE("durations are shown the way people say them") {
    CHECK(format_duration(minutes(47)) == "47m");
    CHECK(format_duration(minutes(83)) == "1h 23m");
    CHECK(format_duration(hours(52)) == "2d 4h");
    CHECK(format_duration(hours(2)) == "2h");
    CHECK(format_duration(hours(48)) == "2d");
    CHECK(format_duration(seconds(30)) == "30s");
    CHECK(format_duration(seconds(-5)) == "0s");
}

TEST_CASE("INC-7, inc-7 and 7 all name incident 7") {
    CHECK(parse_incident_ref("INC-7") == 7);
    CHECK(parse_incident_ref("inc-7") == 7);
    CHECK(parse_incident_ref("7") == 7);
    CHECK(parse_incident_ref("INC-123") == 123);
    CHECK_FALSE(parse_incident_ref("INC-"));
    CHECK_FALSE(parse_incident_ref("0"));
    CHECK_FALSE(parse_incident_ref("7a"));
    CHECK_FALSE(parse_incident_ref("P1"));
    CHECK_FALSE(parse_incident_ref("9999999999999999999999"));
}

TEST_CASE("people are named by Slack mentions or me") {
    CHECK(parse_user("<@U123>", "U9") == "U123");
    CHECK(parse_user("<@U123|alice>", "U9") == "U123");
    CHECK(parse_user("me", "U9") == "U9");
    CHECK(parse_user("ME", "U9") == "U9");
    CHECK(parse_user("@me", "U9") == "U9");  // what help and errors used to say
    CHECK(parse_user("@Me", "U9") == "U9");
    CHECK_FALSE(parse_user("@meh", "U9"));
    CHECK_FALSE(parse_user("alice", "U9"));
    CHECK_FALSE(parse_user("<!channel>", "U9"));
    CHECK_FALSE(parse_user("<#C1|ops>", "U9"));
    CHECK_FALSE(parse_user("<@>", "U9"));
}

TEST_CASE("channel names follow Slack's rules") {
    auto day = at(2026, 11, 23);
    SECTION("lowercase, runs of other characters become one hyphen") {
        CHECK(channel_name("incident", day, "Checkout API returns 500s", 42) ==
              "incident-20261123-checkout-api-returns-500s");
        CHECK(channel_name("incident", day, "  DB -- down!!! (eu-west) ", 1) == "incident-20261123-db-down-eu-west");
    }
    SECTION("the date is the UTC day of the declaration") {
        CHECK(channel_name("incident", at(2026, 12, 31, 23, 59), "x", 1) == "incident-20261231-x");
    }
    SECTION("Unicode and emoji are dropped, and a title with nothing left names the incident") {
        CHECK(channel_name("incident", day, "Zahlungen ausgefallen 💥 für Kunden", 3) ==
              "incident-20261123-zahlungen-ausgefallen-f-r-kunden");
        CHECK(channel_name("incident", day, "💥🔥", 12) == "incident-20261123-inc-12");
        CHECK(channel_name("incident", day, "支払い障害", 5) == "incident-20261123-inc-5");
    }
    SECTION("long titles are cut at a hyphen within 80 characters") {
        std::string title;
        for (int i = 0; i < 30; ++i) title += "database ";
        auto name = channel_name("incident", day, title, 1);
        CHECK(name.size() <= 80);
        CHECK(name.back() != '-');
        CHECK(name.substr(name.rfind('-') + 1) == "database");
    }
    SECTION("a taken name gets -2, -3, still within 80") {
        CHECK(channel_name_variant("incident-20261123-db", 2) == "incident-20261123-db-2");
        std::string long_name = "incident-20261123-" + std::string(62, 'a');
        REQUIRE(long_name.size() == 80);
        CHECK(channel_name_variant(long_name, 3).size() <= 80);
        CHECK(channel_name_variant(long_name, 3).ends_with("-3"));
    }
    SECTION("the name only uses characters Slack accepts") {
        auto name = channel_name("incident", day, "Ünïcödé & <!channel> \"quotes\" under_score", 1);
        for (char c : name) CHECK((std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '_'));
    }
}

TEST_CASE("command text keeps the raw text of titles and updates") {
    command_line line("/incident update INC-3  two   spaces\nand a line");
    CHECK(line.verb() == "update");
    CHECK(line.word(1) == "INC-3");
    CHECK(line.rest(2) == "two   spaces\nand a line");
    CHECK(command_line("").verb().empty());
    CHECK(command_line("   ACK  ").verb() == "ack");
}

TEST_CASE("update sections are split out of the text") {
    auto s = parse_update("failover done impact: 5% of checkouts next: watch the graphs ETA: 10m");
    CHECK(s.text == "failover done");
    CHECK(s.impact == "5% of checkouts");
    CHECK(s.next == "watch the graphs");
    CHECK(s.eta == "10m");
    auto plain = parse_update("nothing special: just text");
    CHECK(plain.text == "nothing special: just text");
    CHECK(plain.impact.empty());
}

TEST_CASE("working hours hold reminders for severities that wait for them") {
    working_hours wh;
    wh.days = {true, true, true, true, true, false, false};
    SECTION("UTC") {
        CHECK(in_working_hours(wh, at(2026, 11, 23, 10)));   // Monday
        CHECK_FALSE(in_working_hours(wh, at(2026, 11, 23, 18)));
        CHECK_FALSE(in_working_hours(wh, at(2026, 11, 28, 10)));  // Saturday
        CHECK(next_working_time(wh, at(2026, 11, 28, 10)) == at(2026, 11, 30, 9));
        CHECK(next_working_time(wh, at(2026, 11, 23, 7)) == at(2026, 11, 23, 9));
        CHECK(next_working_time(wh, at(2026, 11, 23, 19)) == at(2026, 11, 24, 9));
        CHECK(next_working_time(wh, at(2026, 11, 23, 10)) == at(2026, 11, 23, 10));
    }
    SECTION("another time zone") {
        wh.timezone = "America/New_York";  // UTC-5 in November
        CHECK_FALSE(in_working_hours(wh, at(2026, 11, 23, 10)));  // 05:00 there
        CHECK(in_working_hours(wh, at(2026, 11, 23, 15)));
        CHECK(next_working_time(wh, at(2026, 11, 23, 10)) == at(2026, 11, 23, 14));
    }
    SECTION("no working day at all holds nothing back") {
        wh.days = {};
        CHECK(next_working_time(wh, at(2026, 11, 28, 10)) == at(2026, 11, 28, 10));
    }
}

TEST_CASE("times print as date::format writes them, in any year") {
    CHECK(format_time(at(2026, 11, 25, 18, 5)) == "2026-11-25 18:05");
    CHECK(format_time(at(2026, 11, 25, 18, 5) + seconds(59)) == "2026-11-25 18:05");
    CHECK(format_time(at(1999, 12, 31, 23, 59)) == "1999-12-31 23:59");
    for (int y : {-1, 0, 1, 999, 1000, 1970, 2024, 9999, 10000}) {
        for (auto t : {at(y, 1, 1, 0, 0), at(y, 2, 28, 12, 30), at(y, 12, 31, 23, 59)}) {
            auto expected = date::format("%Y-%m-%d %H:%M", std::chrono::floor<minutes>(t));
            CHECK(format_time(t) == expected);
            CHECK(format_time(t - seconds(1)) == date::format("%Y-%m-%d %H:%M", std::chrono::floor<minutes>(t - seconds(1))));
        }
    }
}

TEST_CASE("a reference to an incident that cannot exist still reads as a reference") {
    CHECK(incident_ref_shape("INC-0") == "INC-0");
    CHECK(incident_ref_shape("inc-0") == "INC-0");
    CHECK(incident_ref_shape("0") == "INC-0");
    CHECK(incident_ref_shape("9999999999999999999999") == "INC-9999999999999999999999");
    CHECK(incident_ref_shape("INC-7") == "INC-7");
    CHECK(incident_ref_shape("INC-") == "");
    CHECK(incident_ref_shape("7a") == "");
    CHECK(incident_ref_shape("P1") == "");
}

TEST_CASE("Slack markup reads as people see it") {
    CHECK(visible_text("<!channel> API <!here> is down <!subteam^S123|@oncall> <@U999> <#C123|general>") ==
          " API  is down @oncall  general");
    CHECK(visible_text("<@U1|alice> &amp; <#C1> see <https://x.example/a?b=1&amp;c=2|the page> <https://y.example>") ==
          "alice &  see the page https://y.example");
    CHECK(visible_text("<!here|@here> a <b") == " a <b");  // a broadcast with a label is still one
    CHECK(visible_text("&lt;not markup&gt;") == "<not markup>");
}

TEST_CASE("Slack markup as plain text, for files read outside Slack") {
    CHECK(plain_text("Incident Commander: <@ULOCAL>") == "Incident Commander: @ULOCAL");
    CHECK(plain_text("<@U1|alice> in <#C1|general> and <#C2>") == "@U1 in #general and #C2");
    CHECK(plain_text("<!subteam^S1|@oncall> <!subteam^S2> <!here>") == "@oncall @S2 @here");
    CHECK(plain_text("see <https://x.example/a?b=1&amp;c=2|the page> and <https://y.example>") ==
          "see https://x.example/a?b=1&c=2 and https://y.example");
    CHECK(plain_text("5 &lt; 6 &amp;&amp; 7 &gt; 6") == "5 < 6 && 7 > 6");
    CHECK(plain_text("a < b") == "a < b");
}

TEST_CASE("characters are counted as a reader sees them") {
    CHECK(char_count("") == 0);
    CHECK(char_count("abc") == 3);
    CHECK(char_count("é") == 1);
    CHECK(char_count("e\u0301") == 1);            // e and a combining acute
    CHECK(char_count("🔥🔥") == 2);
    CHECK(char_count("👍🏽") == 1);               // with a skin tone
    CHECK(char_count("❤️") == 1);                // with a variation selector
    CHECK(char_count("👨‍👩‍👧") == 1);            // joined by zero-width joiners
    CHECK(char_count("支払い") == 3);
    CHECK(char_count("a\xff\xfe" "b") == 4);         // a byte that is not UTF-8 counts as one
    CHECK(char_count("\xe2\x82") == 2);           // a cut sequence too
}

// Cleaning what is typed and escaping what is shown hide the same characters:
// controls and bidirectional overrides, not other invisible but harmless ones.
TEST_CASE("sanitize drops exactly what escaping for Slack never shows") {
    auto hidden = {std::string(1, '\0'), std::string("\x1b"), std::string("\x7f"), std::string("\u0085"),
                   std::string("\u009f"), std::string("\u202a"), std::string("\u202e"), std::string("\u2066"),
                   std::string("\u2069")};
    for (const auto& c : hidden) {
        INFO(c);
        CHECK(sanitize("a" + c + "b", true) == "ab");
        CHECK(warroom::templates::escape_user_text("a" + c + "b") == "ab");
    }
    for (std::string c : {"\u2029", "\u00a0", "\u200d", "\u2028", "\u202f"}) {
        INFO(c);
        CHECK(sanitize("a" + c + "b", true) == "a" + c + "b");
        CHECK(warroom::templates::escape_user_text("a" + c + "b") == "a" + c + "b");
    }
}

TEST_CASE("sanitize drops control characters and bidirectional overrides, keeping lines where asked") {
    CHECK(sanitize("plain text, ünïcode 🔥", true) == "plain text, ünïcode 🔥");
    CHECK(sanitize(std::string("a\x1b[31mb\x07" "c\x00" "d\x7f", 12), false) == "a[31mbcd");
    CHECK(sanitize("one\r\ntwo\rthree\nfour", true) == "one\ntwo\nthree\nfour");
    CHECK(sanitize("one\r\ntwo\rthree\nfour", false) == "one two three four");
    CHECK(sanitize("tab\there", true) == "tab here");
    CHECK(sanitize("\u202Eevil\u202C \u202Aa\u202B \u2066b\u2067c\u2068d\u2069", true) == "evil a bcd");
    CHECK(sanitize("c1\u0085\u009b here", true) == "c1 here");
    CHECK(sanitize("keeps \u200F marks and \u200D joiners", true) == "keeps \u200F marks and \u200D joiners");
    CHECK(sanitize("bad \xff byte", true) == "bad \xff byte");  // JSON escaping replaces it later
}
