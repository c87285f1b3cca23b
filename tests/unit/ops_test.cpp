// What operators rely on: JSON log lines, secrets kept out of logs, online
// backups while warroom writes, the copy taken before a migration, and
// exports a spreadsheet or a report script can read.
#include "bot/backup_command.hpp"
#include "bot/export_command.hpp"
#include "bot/log_format.hpp"
#include "bot/runtime.hpp"
#include "bot/store_ops.hpp"
#include "storage/backup.hpp"
#include "storage/database.hpp"
#include "storage/incident_repository.hpp"
#include "storage/migrations.hpp"
#include "tests/support/runtime_access.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include <sys/stat.h>

namespace fs = std::filesystem;
using namespace warroom;
using json = nlohmann::json;
using Catch::Matchers::Contains;

namespace {

struct scratch_dir {
    fs::path dir = fs::temp_directory_path() / ("warroom-ops-" + std::to_string(std::random_device{}()));
    scratch_dir() { fs::create_directories(dir); }
    ~scratch_dir() {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
    std::string file(const std::string& name) const { return (dir / name).string(); }
};

struct settable_clock : bot::clock {
    std::atomic<std::int64_t> unix{std::chrono::duration_cast<std::chrono::seconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count()};
    commands::time_point now() const override { return commands::time_point{std::chrono::seconds{unix.load()}}; }
};

spdlog::details::log_msg record(spdlog::level::level_enum level, std::string_view text) {
    return spdlog::details::log_msg(spdlog::source_loc{}, "warroom", level, spdlog::string_view_t(text.data(), text.size()));
}

// A minimal RFC 4180 reader: what a spreadsheet does with the bytes.
std::vector<std::vector<std::string>> read_csv(const std::string& text) {
    std::vector<std::vector<std::string>> rows(1);
    std::string cell;
    bool quoted = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
                cell += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                cell += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            rows.back().push_back(std::move(cell));
            cell.clear();
        } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
            rows.back().push_back(std::move(cell));
            cell.clear();
            rows.emplace_back();
            ++i;
        } else {
            cell += c;
        }
    }
    if (!cell.empty() || !rows.back().empty()) rows.back().push_back(std::move(cell));
    if (rows.back().empty()) rows.pop_back();
    return rows;
}

}  // namespace

TEST_CASE("a JSON log line is one object with time, level and message") {
    auto line = bot::json_log_line(record(spdlog::level::warn, "slack: post to C1 for INC-42 failed"), {});
    CHECK(line.find('\n') == std::string::npos);
    auto j = json::parse(line);
    CHECK(j["level"] == "warning");
    CHECK(j["message"] == "slack: post to C1 for INC-42 failed");
    CHECK(j["incident"] == "INC-42");  // named in the message
    CHECK_FALSE(j.contains("request_id"));
    CHECK(std::regex_match(j["time"].get<std::string>(),
                           std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")));
}

TEST_CASE("a JSON log line carries the incident and request the thread works on") {
    auto line = bot::json_log_line(record(spdlog::level::info, "command seen before"), {7, "trigger:123.456"});
    auto j = json::parse(line);
    CHECK(j["incident"] == "INC-7");
    CHECK(j["request_id"] == "trigger:123.456");
    CHECK(j["level"] == "info");
}

TEST_CASE("a JSON log line survives quotes, newlines and invalid UTF-8 in the message") {
    std::string text = "title \"x\"\nsecond line\tand \xff\xfe bytes, déjà vu";
    auto line = bot::json_log_line(record(spdlog::level::err, text), {});
    CHECK(line.find('\n') == std::string::npos);
    auto j = json::parse(line);
    CHECK_THAT(j["message"].get<std::string>(), Contains("title \"x\"\nsecond line") && Contains("déjà vu"));
    CHECK(j["level"] == "error");
}

TEST_CASE("secrets are redacted wherever they appear") {
    CHECK(bot::redact("token xoxb-1-abc and again xoxb-1-abc.", {"xoxb-1-abc"}) ==
          "token [redacted] and again [redacted].");
    CHECK(bot::redact("nothing here", {"", "s3cret"}) == "nothing here");
    CHECK(bot::redact("s3crets3cret", {"s3cret"}) == "[redacted][redacted]");
}

TEST_CASE("repeated warnings of one kind are throttled per interval, and what was left out is counted") {
    using namespace std::chrono_literals;
    auto t0 = std::chrono::steady_clock::now();
    auto before = bot::log_lines_suppressed();
    std::uint64_t left_out = 99;
    for (std::size_t i = 0; i < bot::log_burst; ++i) {
        CHECK(bot::log_line_allowed("test.flood", left_out, t0));
        CHECK(left_out == 0);
    }
    for (int i = 0; i < 1000; ++i) CHECK_FALSE(bot::log_line_allowed("test.flood", left_out, t0 + 1s));
    CHECK(bot::log_lines_suppressed() - before == 1000);
    // Another kind has its own allowance.
    CHECK(bot::log_line_allowed("test.other", left_out, t0 + 1s));
    CHECK(left_out == 0);
    // The next interval lets lines through again, the first saying how many were left out.
    CHECK(bot::log_line_allowed("test.flood", left_out, t0 + bot::log_interval));
    CHECK(left_out == 1000);
    CHECK(bot::log_line_allowed("test.flood", left_out, t0 + bot::log_interval));
    CHECK(left_out == 0);
}

TEST_CASE("CSV fields are quoted as RFC 4180 says, bytes untouched") {
    CHECK(bot::csv_field("plain text") == "plain text");
    CHECK(bot::csv_field("") == "");
    CHECK(bot::csv_field("a,b") == "\"a,b\"");
    CHECK(bot::csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
    CHECK(bot::csv_field("one\ntwo") == "\"one\ntwo\"");
    CHECK(bot::csv_field("one\r\ntwo") == "\"one\r\ntwo\"");
    CHECK(bot::csv_field("déjà vu 🔥 — 東京") == "déjà vu 🔥 — 東京");
}

TEST_CASE("an export reads back cell for cell, with times, roles and response times") {
    scratch_dir d;
    settable_clock clk;
    bot::config cfg;
    cfg.db_path = d.file("w.db");
    auto declared = clk.unix.load();
    {
        bot::runtime rt(cfg, clk);
        rt.handle({"U1", "C1", "declare P1 checkout, \"cart\" 🔥 déjà vu"});
        clk.unix += 125;
        rt.handle({"U2", "C1", "ack 1"});
        rt.handle({"U2", "C1", "note 1 first line, with a comma"});
        clk.unix += 3600;
        rt.handle({"U2", "C1", "resolve 1 rolled back \"v2\""});
        rt.handle({"U1", "C1", "declare P3 still open"});
    }
    std::ostringstream out, err;
    REQUIRE(bot::run_export_command(cfg, {"csv", "", ""}, out, err) == 0);
    auto rows = read_csv(out.str());
    REQUIRE(rows.size() == 3);
    const auto& header = rows[0];
    auto col = [&](const std::string& name) {
        auto it = std::find(header.begin(), header.end(), name);
        REQUIRE(it != header.end());
        return static_cast<std::size_t>(it - header.begin());
    };
    for (const auto& r : rows) REQUIRE(r.size() == header.size());
    const auto& first = rows[1];
    CHECK(first[col("id")] == "INC-1");
    CHECK(first[col("title")] == "checkout, \"cart\" 🔥 déjà vu");
    CHECK(first[col("severity")] == "P1");
    CHECK(first[col("status")] == "resolved");
    CHECK(first[col("declared_at")] == bot::iso8601(commands::time_point{std::chrono::seconds{declared}}));
    CHECK(first[col("mtta_seconds")] == "125");
    CHECK(first[col("mtta")] == "2m");  // people read minutes; the seconds column is exact
    CHECK(first[col("mttr_seconds")] == "3725");
    CHECK(first[col("mttr")] == "1h 2m");
    CHECK(first[col("roles")] == "commander=U2");
    CHECK(first[col("resolution")] == "rolled back \"v2\"");
    auto timeline = first[col("timeline")];
    CHECK(std::count(timeline.begin(), timeline.end(), '\n') >= 3);  // one line per entry
    CHECK_THAT(timeline, Contains("note by U2: first line, with a comma"));
    const auto& open = rows[2];
    CHECK(open[col("status")] == "investigating");
    CHECK(open[col("mtta")] == "");
    CHECK(open[col("mttr_seconds")] == "");
}

TEST_CASE("an export is plain text: user IDs as @U…, links as URLs, in CSV and JSON alike") {
    scratch_dir d;
    settable_clock clk;
    bot::config cfg;
    cfg.db_path = d.file("w.db");
    {
        bot::runtime rt(cfg, clk);
        rt.handle({"U1", "C1", "declare P1 <@U9|bob> sees 500s &amp; timeouts"});
        rt.handle({"U1", "C1", "commander 1 me"});
        rt.handle({"U1", "C1", "note 1 see <https://grafana.example/d?a=1&amp;b=2|the dashboard> with <#C5|ops>"});
        rt.handle({"U1", "C1", "resolve 1 rolled back by <@U9>"});
    }
    std::ostringstream csv, out_json, err;
    REQUIRE(bot::run_export_command(cfg, {"csv", "", ""}, csv, err) == 0);
    REQUIRE(bot::run_export_command(cfg, {"json", "", ""}, out_json, err) == 0);
    auto rows = read_csv(csv.str());
    REQUIRE(rows.size() == 2);
    auto col = [&](const std::string& name) {
        return static_cast<std::size_t>(std::find(rows[0].begin(), rows[0].end(), name) - rows[0].begin());
    };
    const auto& row = rows[1];
    auto inc = json::parse(out_json.str())["incidents"][0];
    std::string json_timeline;
    for (const auto& e : inc["timeline"]) json_timeline += e["text"].get<std::string>() + "\n";
    for (const std::string& text : {row[col("timeline")], json_timeline}) {
        CHECK_THAT(text, Contains("Incident Commander: @U1"));
        CHECK_THAT(text, Contains("see https://grafana.example/d?a=1&b=2 with #ops"));
        CHECK_THAT(text, !Contains("<"));
    }
    CHECK(row[col("title")] == "@U9 sees 500s & timeouts");
    CHECK(inc["title"] == "@U9 sees 500s & timeouts");
    CHECK(row[col("resolution")] == "rolled back by @U9");
    CHECK(inc["resolution"] == "rolled back by @U9");
}

TEST_CASE("export --since keeps incidents declared in that window, JSON parses") {
    scratch_dir d;
    settable_clock clk;
    bot::config cfg;
    cfg.db_path = d.file("w.db");
    {
        bot::runtime rt(cfg, clk);
        clk.unix -= 40 * 86400;
        rt.handle({"U1", "C1", "declare P2 forty days ago"});
        clk.unix += 39 * 86400;
        rt.handle({"U1", "C1", "declare P2 yesterday"});
    }
    std::ostringstream out, err;
    REQUIRE(bot::run_export_command(cfg, {"json", "30d", ""}, out, err) == 0);
    auto doc = json::parse(out.str());
    REQUIRE(doc["incidents"].size() == 1);
    CHECK(doc["incidents"][0]["title"] == "yesterday");
    CHECK(doc["incidents"][0]["mtta_seconds"].is_null());
    CHECK(doc["since"].is_string());

    std::ostringstream all;
    REQUIRE(bot::run_export_command(cfg, {"json", "", ""}, all, err) == 0);
    CHECK(json::parse(all.str())["incidents"].size() == 2);

    std::ostringstream bad_out, bad_err;
    CHECK(bot::run_export_command(cfg, {"csv", "last month", ""}, bad_out, bad_err) == 2);
    CHECK_THAT(bad_err.str(), Contains("--since"));
}

TEST_CASE("an export marks private incidents, --exclude-private leaves them out") {
    scratch_dir d;
    settable_clock clk;
    bot::config cfg;
    cfg.db_path = d.file("w.db");
    {
        bot::runtime rt(cfg, clk);
        rt.handle({"U1", "C1", "declare P2 checkout is slow"});
        rt.handle({"U1", "C1", "declare private P1 vault tokens leaked"});
        rt.handle({"U1", "C1", "declare P1 type:security phishing mail"});  // private by its type
    }
    std::ostringstream out, err;
    REQUIRE(bot::run_export_command(cfg, {"json", "", ""}, out, err) == 0);
    auto doc = json::parse(out.str());
    REQUIRE(doc["incidents"].size() == 3);
    CHECK(doc["incidents"][0]["private"] == false);
    CHECK(doc["incidents"][1]["private"] == true);
    CHECK(doc["incidents"][2]["private"] == true);

    std::ostringstream csv;
    REQUIRE(bot::run_export_command(cfg, {"csv", "", ""}, csv, err) == 0);
    auto rows = read_csv(csv.str());
    REQUIRE(rows.size() == 4);
    auto at = std::find(rows[0].begin(), rows[0].end(), "private");
    REQUIRE(at != rows[0].end());
    auto col = static_cast<std::size_t>(at - rows[0].begin());
    CHECK(rows[1][col] == "false");
    CHECK(rows[2][col] == "true");

    bot::export_options only_public{"csv", "", ""};
    only_public.exclude_private = true;
    std::ostringstream without;
    REQUIRE(bot::run_export_command(cfg, only_public, without, err) == 0);
    rows = read_csv(without.str());
    REQUIRE(rows.size() == 2);
    CHECK(rows[1][1] == "checkout is slow");
    CHECK(without.str().find("vault") == std::string::npos);
    CHECK(without.str().find("phishing") == std::string::npos);
}

TEST_CASE("a JSON export carries each incident's follow-ups: owner, due day, state, on time or not") {
    scratch_dir d;
    settable_clock clk;
    clk.unix = 1795428000;  // Mon 23 Nov 2026, 10:00 UTC
    bot::config cfg;
    cfg.db_path = d.file("w.db");
    {
        bot::runtime rt(cfg, clk);
        rt.handle({"U1", "C1", "declare P2 disk full"});
        rt.handle({"U1", "C1", "declare P2 other"});
        rt.handle({"U1", "C1", "followup INC-1 Add disk alerts for <@U7> owner <@U2> due tue"});
        rt.handle({"U1", "C1", "followup INC-1 Clean up logs owner me due 2026-12-20"});
        rt.handle({"U2", "C1", "followup done F-2 cron added"});
        clk.unix += 3 * 86400;  // Thursday: F-1 is overdue
    }
    std::ostringstream out, err;
    REQUIRE(bot::run_export_command(cfg, {"json", "", ""}, out, err) == 0);
    auto doc = json::parse(out.str());
    REQUIRE(doc["incidents"].size() == 2);
    CHECK(doc["incidents"][1]["followups"].empty());
    auto fs = doc["incidents"][0]["followups"];
    REQUIRE(fs.size() == 2);
    CHECK(fs[0]["id"] == "F-1");
    CHECK(fs[0]["text"] == "Add disk alerts for @U7");
    CHECK(fs[0]["owner"] == "U2");
    CHECK(fs[0]["due"] == "2026-11-24");
    CHECK(fs[0]["state"] == "open");
    CHECK(fs[0]["created_at"] == "2026-11-23T10:00:00Z");
    CHECK(fs[0]["created_by"] == "U1");
    CHECK(fs[0]["closed_at"].is_null());
    CHECK(fs[0]["done_on_time"].is_null());
    CHECK(fs[0]["overdue"] == true);  // exported now, after its due day
    CHECK(fs[1]["id"] == "F-2");
    CHECK(fs[1]["owner"] == "U1");
    CHECK(fs[1]["state"] == "done");
    CHECK(fs[1]["closed_by"] == "U2");
    CHECK(fs[1]["note"] == "cron added");
    CHECK(fs[1]["done_on_time"] == true);
    CHECK(fs[1]["overdue"] == false);
}

TEST_CASE("export --format csv --followups: a row per follow-up with its incident, owner, due day and state") {
    scratch_dir d;
    settable_clock clk;
    clk.unix = 1795428000;  // Mon 23 Nov 2026, 10:00 UTC
    bot::config cfg;
    cfg.db_path = d.file("w.db");
    {
        bot::runtime rt(cfg, clk);
        rt.handle({"U1", "C1", "declare P2 disk full, again"});
        rt.handle({"U1", "C1", "declare P2 no follow-ups here"});
        rt.handle({"U1", "C1", "followup INC-1 Add alerts, \"soon\" owner <@U2> due tue"});
        rt.handle({"U1", "C1", "followup INC-1 Clean up logs owner me"});
        rt.handle({"U2", "C1", "followup done F-2 cron added"});
    }
    std::ostringstream out, err;
    bot::export_options opts{"csv", "", ""};
    opts.followups = true;
    REQUIRE(bot::run_export_command(cfg, opts, out, err) == 0);
    auto rows = read_csv(out.str());
    REQUIRE(rows.size() == 3);  // the header and the two follow-ups; INC-2 has none
    CHECK(rows[0] == std::vector<std::string>{"id", "incident", "incident_title", "text", "owner", "due", "state",
                                              "overdue", "created_at", "created_by", "closed_at", "closed_by",
                                              "note", "done_on_time"});
    CHECK(rows[1] == std::vector<std::string>{"F-1", "INC-1", "disk full, again", "Add alerts, \"soon\"", "U2",
                                              "2026-11-24", "open", "true", "2026-11-23T10:00:00Z", "U1", "", "",
                                              "", ""});
    CHECK(rows[2][0] == "F-2");
    CHECK(rows[2][5] == "");  // no due day
    CHECK(rows[2][6] == "done");
    CHECK(rows[2][7] == "false");
    CHECK(rows[2][11] == "U2");
    CHECK(rows[2][12] == "cron added");
    CHECK(rows[2][13] == "true");
    // The JSON carries them already: --followups is for CSV.
    std::ostringstream json_out, json_err;
    bot::export_options as_json{"json", "", ""};
    as_json.followups = true;
    CHECK(bot::run_export_command(cfg, as_json, json_out, json_err) == 2);
    CHECK_THAT(json_err.str(), Catch::Matchers::Contains("--format csv"));
}

TEST_CASE("export --output writes an owner-only file and says how many incidents it holds") {
    scratch_dir d;
    settable_clock clk;
    bot::config cfg;
    cfg.db_path = d.file("w.db");
    {
        bot::runtime rt(cfg, clk);
        rt.handle({"U1", "C1", "declare P2 one"});
    }
    std::ostringstream out, err;
    auto old_mask = ::umask(022);
    auto status = bot::run_export_command(cfg, {"json", "", d.file("report.json")}, out, err);
    ::umask(old_mask);
    REQUIRE(status == 0);
    CHECK_THAT(out.str(), Contains("exported 1 incident to"));
    // Incident titles are as sensitive in a report as in the database.
    auto perms = fs::status(d.file("report.json")).permissions();
    CHECK((perms & (fs::perms::group_all | fs::perms::others_all)) == fs::perms::none);
    std::ifstream f(d.file("report.json"));
    std::stringstream text;
    text << f.rdbuf();
    CHECK(json::parse(text.str())["incidents"][0]["title"] == "one");
}

TEST_CASE("a backup taken while incidents are committed holds every one committed before it") {
    scratch_dir d;
    settable_clock clk;
    bot::config cfg;
    cfg.db_path = d.file("w.db");
    std::atomic<int> committed{0};
    std::atomic<bool> stop{false}, writer_failed{false};
    std::thread writer([&] {  // no Catch2 assertions off the main thread
        bot::runtime rt(cfg, clk);
        for (int i = 1; !stop && i <= 5000; ++i) {
            auto reply = rt.handle({"U1", "C1", "declare P3 load " + std::to_string(i)});
            if (reply.reply.text.find("Declared") == std::string::npos) {
                writer_failed = true;
                return;
            }
            committed = i;  // handle() returned: the declare is committed
        }
    });
    while (committed < 20 && !writer_failed) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    std::vector<std::pair<int, storage::backup_result>> copies;
    for (int n = 0; n < 3; ++n) {
        int before = committed.load();
        auto copy = storage::backup_file(cfg.db_path, d.file("copy" + std::to_string(n) + ".db"));
        copies.emplace_back(before, copy);
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    stop = true;
    writer.join();
    REQUIRE_FALSE(writer_failed);
    for (const auto& [before, result] : copies) {
        CHECK(result.incidents >= before);
        SQLite::Database copy(result.path, SQLite::OPEN_READONLY);
        CHECK(copy.execAndGet("PRAGMA integrity_check").getString() == "ok");
        CHECK(copy.execAndGet("PRAGMA journal_mode").getString() == "delete");  // one self-contained file
        CHECK(copy.execAndGet("PRAGMA user_version").getInt() == storage::latest_version());
        SQLite::Statement q(copy, "SELECT title FROM incidents");
        std::set<std::string> titles;
        while (q.executeStep()) titles.insert(q.getColumn(0).getString());
        for (int i = 1; i <= before; ++i) CHECK(titles.count("load " + std::to_string(i)) == 1);
    }
    CHECK_FALSE(fs::exists(d.file("copy0.db-wal")));
}

TEST_CASE("a backup refuses to replace a file unless forced") {
    scratch_dir d;
    settable_clock clk;
    bot::config cfg;
    cfg.db_path = d.file("w.db");
    { bot::runtime rt(cfg, clk); }
    storage::backup_file(cfg.db_path, d.file("b.db"));
    CHECK_THROWS_WITH(storage::backup_file(cfg.db_path, d.file("b.db")), Contains("already exists"));
    CHECK_NOTHROW(storage::backup_file(cfg.db_path, d.file("b.db"), true));
    CHECK_THROWS_WITH(storage::backup_file(d.file("missing.db"), d.file("c.db")), Contains("no database"));
    CHECK_FALSE(fs::exists(d.file("c.db")));
}

TEST_CASE("opening an older database copies it before migrating") {
    scratch_dir d;
    auto path = d.file("w.db");
    {
        SQLite::Database raw(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        storage::migrate(raw, path, 1);
        raw.exec("INSERT INTO incidents (number, title, severity, status, declared_by, channel_name, declared_at, "
                 "update_clock_from) VALUES (7, 'Old incident', 'P2', 'investigating', 'U1', 'incident-old', "
                 "1767225600, 1767225600)");
    }
    auto bak = path + ".before-v" + std::to_string(storage::latest_version()) + ".bak";
    {
        storage::database db(path);
        CHECK(db.schema_version() == storage::latest_version());
    }
    REQUIRE(fs::exists(bak));
    {
        SQLite::Database copy(bak, SQLite::OPEN_READONLY);
        CHECK(copy.execAndGet("PRAGMA user_version").getInt() == 1);  // as it was
        CHECK(copy.execAndGet("SELECT title FROM incidents WHERE number = 7").getString() == "Old incident");
        CHECK(copy.execAndGet("PRAGMA integrity_check").getString() == "ok");
    }
    // Already current: opening again copies nothing more.
    { storage::database again(path); }
    std::size_t baks = 0;
    for (const auto& e : fs::directory_iterator(d.dir))
        if (e.path().extension() == ".bak") ++baks;
    CHECK(baks == 1);
}

TEST_CASE("a new database or a current one is not copied") {
    scratch_dir d;
    { storage::database db(d.file("w.db")); }
    { storage::database db(d.file("w.db")); }
    for (const auto& e : fs::directory_iterator(d.dir)) CHECK(e.path().extension() != ".bak");
}

TEST_CASE("with its database file deleted, warroom refuses changes instead of answering them as done") {
    scratch_dir d;
    settable_clock clk;
    bot::config cfg;
    cfg.db_path = d.file("w.db");
    bot::runtime rt(cfg, clk);
    CHECK_THAT(rt.handle({"U1", "C1", "declare P1 before the rm"}).reply.text, Contains("Declared"));
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(cfg.db_path + suffix);

    auto refused = rt.handle({"U1", "C1", "declare P1 after the rm"}).reply.text;
    CHECK_THAT(refused, !Contains("Declared") && Contains("cannot save") && Contains("deleted") &&
                            Contains("nothing was recorded"));
    // Reads still work from the open connection; a batch mixes both and each gets its own answer.
    auto& repo = bot::runtime_test_access::repository(rt);
    auto entries = repo.timeline(1).size();
    auto answers = rt.handle_batch({{"U1", "C1", "show INC-1"}, {"U1", "C1", "note INC-1 lost"}});
    REQUIRE(answers.size() == 2);
    CHECK_THAT(answers[0].reply.text, Contains("INC-1"));
    CHECK_THAT(answers[1].reply.text, Contains("cannot save"));
    CHECK(repo.timeline(1).size() == entries);  // the note was not recorded
    CHECK_THROWS_WITH(bot::store_ops(rt).health_check(), Contains("deleted"));
}

TEST_CASE("backup onto an existing file says so and how to overwrite it, and the copy is owner-only") {
    scratch_dir d;
    settable_clock clk;
    bot::config cfg;
    cfg.db_path = d.file("w.db");
    { bot::runtime rt(cfg, clk); }
    auto old = ::umask(022);
    std::ostringstream out, err;
    CHECK(bot::run_backup_command(cfg, d.file("b.db"), false, out, err) == 0);
    ::umask(old);
    auto perms = fs::status(d.file("b.db")).permissions();
    CHECK((perms & (fs::perms::group_all | fs::perms::others_all)) == fs::perms::none);

    std::ostringstream out2, err2;
    CHECK(bot::run_backup_command(cfg, d.file("b.db"), false, out2, err2) != 0);
    CHECK_THAT(err2.str(), Contains("already exists") && Contains("--force") && !Contains("database error"));
    std::ostringstream out3, err3;
    CHECK(bot::run_backup_command(cfg, d.file("b.db"), true, out3, err3) == 0);
}
