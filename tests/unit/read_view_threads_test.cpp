// The read view under concurrency: readers on their own threads, each with its
// own engine, while the writer commits and publishes. Links no network code,
// so a ThreadSanitizer build of it is cheap:
//   cmake -S . -B build-tsan -G Ninja -DWARROOM_SANITIZE=thread -DCMAKE_BUILD_TYPE=Debug
//   cmake --build build-tsan --target test_read_view_threads && build-tsan/tests/unit/test_read_view_threads
#include "bot/read_view.hpp"
#include "bot/runtime.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <thread>

using namespace warroom;

namespace {

struct fixed_clock : bot::clock {
    commands::time_point t{std::chrono::sys_days{std::chrono::year{2026} / 12 / 1} + std::chrono::hours(9)};
    commands::time_point now() const override { return t; }
};

}  // namespace

TEST_CASE("readers on other threads while the writer commits: each sees a whole state, never an older one", "[read_view][concurrency]") {
    auto dir = std::filesystem::temp_directory_path() / ("warroom-read-threads-" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(dir);
    fixed_clock clk;
    bot::config cfg;
    cfg.db_path = (dir / "w.db").string();
    {
        bot::runtime rt(cfg, clk);
        bot::read_view view;
        rt.attach_view(&view);
        // The writer's side as the database thread does it: commit, then publish.
        auto write = [&](const std::string& text) {
            rt.handle({"U1", "C1", text});
            rt.publish_view();
        };
        write("declare P2 replication lag");

        std::atomic<bool> done{false};
        std::atomic<int> answered{0}, unanswered{0}, went_back{0};  // Catch2 v2 asserts on this thread only
        auto show_reader = [&] {
            bot::view_reader own(view, cfg, clk);
            int last = -1;
            while (!done.load()) {
                auto m = own.try_answer({"U2", "C2", "show INC-1"});
                if (!m) {  // it stays open, so it is always in the view
                    ++unanswered;
                    continue;
                }
                // The newest update named in the answer never goes back.
                int seen = -1;
                if (auto at = m->text.find("progress-"); at != std::string::npos) seen = std::stoi(m->text.substr(at + 9));
                if (seen < last) ++went_back;
                last = seen;
                ++answered;
            }
        };
        auto list_reader = [&] {
            bot::view_reader own(view, cfg, clk);
            while (!done.load()) {
                if (own.try_answer({"U3", "C3", "list"})) ++answered;
                else ++unanswered;
            }
        };
        std::thread r1(show_reader), r2(list_reader);
        // Updates, and declarations too: new incidents grow the view's chunks and channel buckets under the readers.
        for (int k = 0; k < 80; ++k) {
            write("update INC-1 progress-" + std::to_string(k));
            if (k % 4 == 0) write("declare P3 side effect " + std::to_string(k));
        }
        done = true;
        r1.join();
        r2.join();
        CHECK(answered.load() > 0);
        CHECK(unanswered.load() == 0);
        CHECK(went_back.load() == 0);
        bot::view_reader mine(view, cfg, clk);
        auto last = mine.try_answer({"U2", "C2", "show INC-1"});
        REQUIRE(last);
        CHECK(last->text.find("progress-79") != std::string::npos);
    }
    std::filesystem::remove_all(dir);
}
