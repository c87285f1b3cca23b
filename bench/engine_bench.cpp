// Engine throughput with durable commits, against the raw rate of fsync'd
// SQLite commits measured in the same run; memory and start-up with 10,000
// open incidents stored. A benchmark, not a test: it prints figures.
#include "bot/read_view.hpp"
#include "bot/runtime.hpp"
#include "bot/store_ops.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Transaction.h>
#include <spdlog/spdlog.h>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

namespace fs = std::filesystem;
using namespace warroom;
using steady = std::chrono::steady_clock;

namespace {

double seconds_since(steady::time_point t0) {
    return std::chrono::duration<double>(steady::now() - t0).count();
}

double rss_mb() {
    std::ifstream in("/proc/self/status");
    std::string key;
    while (in >> key) {
        if (key == "VmRSS:") {
            double kb = 0;
            in >> kb;
            return kb / 1024.0;
        }
        in.ignore(4096, '\n');
    }
    return 0;
}

bot::config bench_config(const fs::path& db) {
    bot::config cfg;
    cfg.settings = commands::default_settings();
    cfg.db_path = db.string();
    return cfg;
}

// The floor: one INSERT per fsync'd WAL commit, same pragmas as warroom.
double raw_commits_per_second(const fs::path& db, double budget) {
    SQLite::Database sql(db.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    sql.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
    sql.exec("CREATE TABLE IF NOT EXISTS t(id INTEGER PRIMARY KEY, v TEXT)");
    SQLite::Statement ins(sql, "INSERT INTO t(v) VALUES (?)");
    auto t0 = steady::now();
    long n = 0;
    while (seconds_since(t0) < budget) {
        SQLite::Transaction txn(sql);
        ins.bind(1, "row " + std::to_string(n));
        ins.exec();
        ins.reset();
        txn.commit();
        ++n;
    }
    return n / seconds_since(t0);
}

template <class F>
double rate(double budget, F&& step) {
    auto t0 = steady::now();
    long n = 0;
    while (seconds_since(t0) < budget) n += step(n);
    return n / seconds_since(t0);
}

int child_startup(const fs::path& db) {
    auto t0 = steady::now();
    bot::system_clock clk;
    auto cfg = bench_config(db);
    bot::runtime rt(cfg, clk);
    // As serve starts: the in-memory read view loaded before anything is served (WARROOM_READ_VIEW=off: without).
    bot::read_view view;
    if (bot::reads_from_memory(cfg)) rt.attach_view(&view);
    auto next = rt.next_deadline();  // ready: the scheduler knows its next wake-up
    double ms = seconds_since(t0) * 1000;
    double rss = rss_mb();  // before the count's queries
    std::printf("%.1f %.1f %zu %d\n", ms, rss, bot::store_ops(rt).gauges().timers_armed, next ? 1 : 0);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    spdlog::set_level(spdlog::level::warn);
    if (argc == 3 && std::string(argv[1]) == "--startup") return child_startup(argv[2]);

    double budget = argc > 1 ? std::stod(argv[1]) : 5.0;
    fs::path dir = argc > 2 ? fs::path(argv[2]) : fs::current_path() / "bench-data";
    fs::remove_all(dir);
    fs::create_directories(dir);
    bot::system_clock clk;

    std::printf("warroom engine benchmark: %.0f s per figure, data in %s\n", budget, dir.c_str());
    double raw = raw_commits_per_second(dir / "raw.db", budget);
    std::printf("raw fsync'd SQLite commits/s        %8.0f\n", raw);

    {
        bot::runtime rt(bench_config(dir / "declare.db"), clk);
        double declares = rate(budget, [&](long n) {
            rt.handle({"U1", "C1", "declare P2 load test " + std::to_string(n)});
            return 1;
        });
        std::printf("declares/s, one commit each         %8.0f  (%.0f%% of raw)\n", declares, 100 * declares / raw);
    }
    {
        bot::runtime rt(bench_config(dir / "cycle.db"), clk);
        long next = 1;
        double cycles = rate(budget, [&](long n) {
            auto id = "INC-" + std::to_string(next++);
            rt.handle({"U1", "C1", "declare P1 cycle " + std::to_string(n)});
            rt.handle({"U1", "C1", "ack " + id});
            rt.handle({"U1", "C1", "update " + id + " mitigated impact: none"});
            rt.handle({"U1", "C1", "resolve " + id + " done"});
            return 1;
        });
        std::printf("declare-ack-update-resolve cycles/s %8.0f  (%.0f commits/s, %.0f%% of raw)\n", cycles,
                    cycles * 4, 100 * cycles * 4 / raw);
    }
    {
        bot::runtime rt(bench_config(dir / "group.db"), clk);
        constexpr int group = 50;
        double declares = rate(budget, [&](long n) {
            std::vector<commands::request> batch;
            for (int i = 0; i < group; ++i)
                batch.push_back({"U1", "C1", "declare P2 group " + std::to_string(n + i)});
            rt.handle_batch(batch);
            return group;
        });
        std::printf("declares/s, group commit of %d      %8.0f  (%.1fx raw commits)\n", group, declares, declares / raw);
    }

    // 10,000 open incidents with their timers armed, then a fresh process opens them.
    auto big = dir / "10k.db";
    {
        bot::runtime rt(bench_config(big), clk);
        std::vector<commands::request> batch;
        for (int i = 0; i < 10000; ++i) {
            batch.push_back({"U1", "C1", std::string("declare ") + (i % 2 ? "P1" : "P0") + " stored " + std::to_string(i)});
            if (batch.size() == 500) {
                rt.handle_batch(batch);
                batch.clear();
            }
        }
    }
    std::string cmd = std::string("'") + fs::canonical("/proc/self/exe").string() + "' --startup '" + big.string() + "'";
    double best_ms = 1e9, rss = 0;
    std::size_t timers = 0;
    for (int i = 0; i < 5; ++i) {
        FILE* p = popen(cmd.c_str(), "r");
        double ms = 0, mb = 0;
        std::size_t armed = 0;
        int ready = 0;
        if (p && std::fscanf(p, "%lf %lf %zu %d", &ms, &mb, &armed, &ready) == 4 && ready) {
            best_ms = std::min(best_ms, ms);
            rss = mb;
            timers = armed;
        }
        if (p) pclose(p);
    }
    std::printf("start-up to ready, 10,000 open      %8.1f ms (best of 5)\n", best_ms);
    std::printf("resident memory, 10,000 open        %8.1f MB (%zu timers armed)\n", rss, timers);
    fs::remove_all(dir);
    return 0;
}
