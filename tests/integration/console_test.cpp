// The real warroom binary driven through a pipe, as a user scripting the console would.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

namespace fs = std::filesystem;

namespace {

struct run_result {
    int exit_code = -1;
    std::string out, err;
};

std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// A scratch directory per test, removed afterwards.
struct scratch {
    fs::path dir = fs::temp_directory_path() / ("warroom-console-" + std::to_string(std::random_device{}()));
    scratch() { fs::create_directories(dir); }
    ~scratch() { fs::remove_all(dir); }
    fs::path db() const { return dir / "warroom.db"; }

    run_result run(const std::string& args, const std::string& input = "", const std::string& env = "") const {
        std::ofstream(dir / "in.txt") << input;
        // A clean environment: no WARROOM_* or SLACK_* from the developer's shell.
        std::string cmd = "env -u WARROOM_CONFIG -u WARROOM_DB -u SLACK_BOT_TOKEN -u SLACK_APP_TOKEN " + env + " " +
                          WARROOM_BINARY + std::string(" ") + args + " < " + (dir / "in.txt").string() + " > " +
                          (dir / "out.txt").string() + " 2> " + (dir / "err.txt").string();
        int status = std::system(cmd.c_str());
        return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(dir / "out.txt"), slurp(dir / "err.txt")};
    }
};

bool has(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

}  // namespace

TEST_CASE("a scripted incident from declaration to post-mortem") {
    scratch s;
    auto r = s.run("console --db " + s.db().string(),
                   "declare P1 Checkout API returns 500s\n"
                   "ack INC-1\n"
                   "/incident tl 1 <@U42|bob>\n"
                   "update 1 rolled back impact: 5% of checkouts next: watch\n"
                   "resolve 1 bad deploy\n"
                   "postmortem 1\n");
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    SECTION("the channel is created and the summary pinned there") {
        CHECK(has(r.out, "(channel created; invited @ULOCAL)"));
        CHECK(has(r.out, "[#incident-"));
        CHECK(has(r.out, "-checkout-api-returns-500s] :rotating_light: *INC-1: Checkout API returns 500s*"));
        CHECK(has(r.out, "(pinned)"));
    }
    SECTION("the declaration is announced in #incidents and #leadership") {
        CHECK(has(r.out, "[#incidents] :rotating_light: *INC-1* declared"));
        CHECK(has(r.out, "[#leadership] :rotating_light: *INC-1* declared"));
    }
    SECTION("the caller gets answers only they see") {
        CHECK(has(r.out, "[only you] Declared *INC-1*"));
        CHECK(has(r.out, "[only you] Acknowledged INC-1."));
    }
    SECTION("roles, updates and resolution are posted in the incident channel") {
        // The engine keeps the user ID; Slack shows the name, the console the ID.
        CHECK(has(r.out, "@U42 is now *Technical Lead*"));
        CHECK(has(r.out, "*Impact:* 5% of checkouts"));
        CHECK(has(r.out, "*INC-1 resolved*"));
        CHECK(has(r.out, "# Post-mortem: INC-1 Checkout API returns 500s"));
        CHECK(has(r.out, "## Action items"));
    }
    SECTION("prints text, not JSON") { CHECK_FALSE(has(r.out, "\"blocks\"")); }
}

TEST_CASE("the database carries incidents across runs") {
    scratch s;
    auto db = "console --db " + s.db().string();
    REQUIRE(s.run(db, "declare P2 first\n").exit_code == 0);
    auto second = s.run(db, "declare P2 second\nshow INC-1\nlist\n");
    INFO(second.out << second.err);
    CHECK(has(second.out, "Declared *INC-2*"));
    CHECK(has(second.out, "*INC-1: first*"));
    CHECK(has(second.out, "*Open incidents* (2)"));
}

TEST_CASE("WARROOM_DB names the database when --db is not given") {
    scratch s;
    auto r = s.run("console", "declare P3 from env\n", "WARROOM_DB=" + s.db().string());
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(fs::exists(s.db()));
}

TEST_CASE("errors answer the caller and the session goes on") {
    scratch s;
    auto r = s.run("console --db " + s.db().string(),
                   "declare\nack INC-9\nfrobnicate\nsev 1 P1\ndeclare P0 real one\nsev 1 P9\n");
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(has(r.out, "[only you] :warning: An incident needs a title."));
    CHECK(has(r.out, "[only you] :warning: INC-9 does not exist."));
    CHECK(has(r.out, "Unknown command `frobnicate`"));
    CHECK(has(r.out, "Declared *INC-1*"));
    CHECK(has(r.out, "Unknown severity `P9`"));
}

TEST_CASE("huge and hostile input does not break the console") {
    scratch s;
    std::string huge(200000, 'x');
    auto r = s.run("console --db " + s.db().string(),
                   "declare P1 " + huge + "\n" + "declare P1 <!channel> \xff\xfe broken utf8 & <!here>\n" + "list\n");
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK(has(r.out, "The title is too long"));
    CHECK(has(r.out, "&lt;!channel&gt;") == false);  // printed as plain text for the terminal
    CHECK(has(r.out, "Declared *INC-1*"));
}

TEST_CASE("the command line") {
    scratch s;
    CHECK(s.run("version").out.starts_with("warroom "));
    CHECK(s.run("--help").exit_code == 0);
    CHECK(s.run("console --help").exit_code == 0);
    CHECK(s.run("no-such-subcommand").exit_code != 0);
    SECTION("serve refuses to start without a token") {
        auto r = s.run("serve --db " + s.db().string());
        CHECK(r.exit_code != 0);
        CHECK(has(r.err, "SLACK_BOT_TOKEN"));
    }
    SECTION("check-config prints the effective settings and redacts secrets") {
        auto r = s.run("check-config", "", "SLACK_BOT_TOKEN=xoxb-very-secret-token");
        INFO(r.out << r.err);
        CHECK(r.exit_code == 0);
        CHECK(has(r.out, "P0"));
        CHECK_FALSE(has(r.out, "xoxb-very-secret-token"));
    }
    SECTION("check-config fails with the file and key on a bad config") {
        std::ofstream(s.dir / "bad.toml") << "announce_channel = \"incidents\"\nno_such_key = 1\n";
        auto r = s.run("check-config --config " + (s.dir / "bad.toml").string());
        CHECK(r.exit_code != 0);
        CHECK(has(r.err, "bad.toml"));
        CHECK(has(r.err, "no_such_key"));
    }
    SECTION("outbox reports what the console delivered and no dead letters") {
        REQUIRE(s.run("console --db " + s.db().string(), "declare P2 disk filling up\n").exit_code == 0);
        auto r = s.run("outbox --db " + s.db().string());
        INFO(r.out << r.err);
        CHECK(r.exit_code == 0);
        CHECK(has(r.out, "0 pending"));
        CHECK_FALSE(has(r.out, " 0 delivered"));
        CHECK(has(r.out, "0 dead"));
        CHECK(has(s.run("outbox --retry-dead --db " + s.db().string()).out, "0 dead letters queued again"));
    }
    SECTION("a database from a newer warroom is refused") {
        REQUIRE(s.run("console --db " + s.db().string(), "list\n").exit_code == 0);
        REQUIRE(std::system(("sqlite3 " + s.db().string() + " 'PRAGMA user_version=999' 2>/dev/null || python3 -c \"import sqlite3;c=sqlite3.connect('" +
                             s.db().string() + "');c.execute('PRAGMA user_version=999');c.commit()\"").c_str()) == 0);
        auto r = s.run("console --db " + s.db().string(), "list\n");
        CHECK(r.exit_code != 0);
        CHECK(has(r.err, "newer"));
    }
}

TEST_CASE("the console prints public updates and what the status page shows") {
    scratch s;
    std::ofstream(s.dir / "warroom.toml") << "[status_page]\nname = \"Acme\"\n\n[[components]]\nname = \"API\"\n";
    auto r = s.run("console --db " + s.db().string(),
                   "declare P1 Checkout API returns 500s\n"
                   "impact INC-1 API major_outage\n"
                   "update INC-1 db-7 is out of connections\n"
                   "public INC-1 identified title: Payments failing | Some payments fail; we found why.\n"
                   "public INC-1 monitoring A fix is live.\n",
                   "WARROOM_CONFIG=" + (s.dir / "warroom.toml").string());
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(has(r.out, "set *API* to major outage on the status page"));
    CHECK(has(r.out, "Public update on the status page for *INC-1* (Identified)"));
    CHECK(has(r.out, ">Some payments fail; we found why."));
    CHECK(has(r.out, "Customers see it as: *Payments failing*"));
    CHECK(has(r.out, "Published on the status page for INC-1 as “Payments failing”: Identified — Some payments fail; we found why."));
    CHECK(has(r.out, ">A fix is live."));
}

TEST_CASE("the console shows pages as outbox lines, and never their secret") {
    scratch s;
    std::ofstream(s.dir / "paging.toml") << R"([[pagers]]
name = "payments-oncall"
kind = "pagerduty"
routing_key_env = "PD_PAYMENTS_KEY"

[[severities]]
name = "P1"
label = "High"
ack_within = "15m"
resolve_within = "4h"
page = ["payments-oncall"]
page_on_declare = true
)";
    auto r = s.run("console --config " + (s.dir / "paging.toml").string() + " --db " + s.db().string(),
                   "declare P1 checkout is down\nack INC-1\nresolve INC-1 fixed\nreopen INC-1\n",
                   "PD_PAYMENTS_KEY=R0ut1ngKeyOfPaymentsOnCall000042");
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(has(r.out, "[pagerduty payments-oncall] trigger INC-1 [P1] checkout is down"));
    CHECK(has(r.out, "paged payments-oncall"));  // the announcement
    CHECK(has(r.out, "*Paged:* payments-oncall (triggered)"));
    CHECK(has(r.out, "[pagerduty payments-oncall] acknowledge INC-1"));
    CHECK(has(r.out, "[pagerduty payments-oncall] resolve INC-1"));
    auto second_trigger = r.out.find("trigger INC-1", r.out.find("resolve INC-1"));
    CHECK(second_trigger != std::string::npos);  // reopening pages again
    CHECK_FALSE(has(r.out + r.err, "R0ut1ngKeyOfPaymentsOnCall000042"));
}

TEST_CASE("the console prints what would be e-mailed and published, threaded, and sends nothing") {
    scratch s;
    std::ofstream(s.dir / "mail.toml") << R"([email]
smtp_url = "smtp://mail.example.com:587"
from = "status@example.com"
username_env = "SMTP_USER"
password_env = "SMTP_PASSWORD"

[statuspage_api]
page_id = "kctbh9vrtdwd"
api_key_env = "STATUSPAGE_API_KEY"

[[severities]]
name = "P1"
ack_within = "15m"
resolve_within = "4h"
email = ["ops@customer.example", "cto@customer.example"]
)";
    auto r = s.run("console --config " + (s.dir / "mail.toml").string() + " --db " + s.db().string(),
                   "declare P1 Checkout is slow\n"
                   "update INC-1 disk full on db-3 (internal)\n"
                   "status INC-1 monitoring\n"  // nothing public yet: Statuspage hears nothing
                   "public INC-1 identified title: Checkout is slow | Some card payments are slow.\n"
                   "resolve INC-1 replaced the disk\n",
                   "SMTP_USER=mailer SMTP_PASSWORD=smtp-secret-123 STATUSPAGE_API_KEY=sp-secret-456");
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(has(r.out, "[e-mail to ops@customer.example, cto@customer.example] Subject: Checkout is slow\n"));
    CHECK(has(r.out, "[e-mail to ops@customer.example, cto@customer.example] Subject: Re: Checkout is slow\n"));
    auto first = r.out.find("    Message-ID: <incident.");
    REQUIRE(first != std::string::npos);
    auto id = r.out.substr(first + 16, r.out.find('>', first) - first - 15);
    CHECK(has(r.out, "(In-Reply-To: " + id + ")"));  // the resolution replies to the declaration
    CHECK_FALSE(has(r.out, "[statuspage] monitoring"));
    CHECK(has(r.out, "[statuspage] identified \"Checkout is slow\""));
    CHECK(has(r.out, "[e-mail to ops@customer.example, cto@customer.example] Subject: Re: Checkout is slow\n"));
    CHECK(has(r.out, "[statuspage] resolved \"Checkout is slow\""));
    // Internal words never reach customers, and secrets appear nowhere.
    std::string customers;  // the e-mail blocks and Statuspage lines
    std::istringstream lines(r.out);
    bool in_mail = false;
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind("[", 0) == 0) in_mail = line.rfind("[e-mail", 0) == 0;
        if (in_mail || line.rfind("[statuspage]", 0) == 0) customers += line + "\n";
    }
    CHECK(has(customers, "Status: Resolved"));
    CHECK_FALSE(has(customers, "internal"));
    CHECK_FALSE(has(customers, "replaced the disk"));
    CHECK_FALSE(has(r.out + r.err, "smtp-secret-123"));
    CHECK_FALSE(has(r.out + r.err, "sp-secret-456"));
}
