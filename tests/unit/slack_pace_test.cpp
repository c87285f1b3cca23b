// Slack's pace as a row (storage::slack_pace): on both backends a bucket
// grants its burst, then one token per interval, and says how long to wait;
// on PostgreSQL ([.postgres]) two connections racing as two replicas never
// get more tokens together than the rate allows over the window.
#include "storage/database.hpp"
#include "storage/slack_pace.hpp"
#include "test_db.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

using namespace warroom;
using std::chrono::milliseconds;

TEST_CASE("a pace row grants its burst, then one call per interval, and says how long to wait") {
    testing::temp_db t;
    storage::database db(t.location);
    storage::slack_pace pace(db);
    const storage::slack_pace::limit per_second{60, 3};  // 1000 ms apart, 3 at once
    const std::int64_t now = 1'700'000'000'000;
    for (int i = 0; i < 3; ++i) CHECK(pace.take("chat.postMessage C1", per_second, now) == milliseconds::zero());
    CHECK(pace.take("chat.postMessage C1", per_second, now) == milliseconds(1000));
    CHECK(pace.take("chat.postMessage C1", per_second, now + 400) == milliseconds(600));
    // Another channel has its own bucket.
    CHECK(pace.take("chat.postMessage C2", per_second, now) == milliseconds::zero());
    CHECK(pace.take("chat.postMessage C1", per_second, now + 1000) == milliseconds::zero());
    CHECK(pace.take("chat.postMessage C1", per_second, now + 1000) > milliseconds::zero());
    // Idle long enough, the bucket is full again, never fuller.
    for (int i = 0; i < 3; ++i)
        CHECK(pace.take("chat.postMessage C1", per_second, now + 60'000) == milliseconds::zero());
    CHECK(pace.take("chat.postMessage C1", per_second, now + 60'000) > milliseconds::zero());
}

TEST_CASE("a 429 held on a pace row stops every taker until Retry-After ends, then lets one through") {
    testing::temp_db t;
    storage::database db(t.location);
    storage::slack_pace pace(db);
    const storage::slack_pace::limit l{60, 3};  // 1000 ms apart, 3 at once
    const std::int64_t now = 1'700'000'000'000;
    CHECK(pace.take("views.open", l, now) == milliseconds::zero());
    pace.hold("views.open", l, now + 30'000);
    // Refused until the hold ends, and told exactly when that is.
    CHECK(pace.take("views.open", l, now + 1) == milliseconds(29'999));
    CHECK(pace.take("views.open", l, now + 29'000) == milliseconds(1'000));
    // Then one call, not the burst: Slack has just said it is over its limit.
    CHECK(pace.take("views.open", l, now + 30'000) == milliseconds::zero());
    CHECK(pace.take("views.open", l, now + 30'000) == milliseconds(1'000));
    // A shorter hold never shortens a longer one, and a hold on an unused key applies too.
    pace.hold("views.open", l, now + 10'000);
    CHECK(pace.take("views.open", l, now + 30'500) == milliseconds(500));
    pace.hold("users.info", l, now + 5'000);
    CHECK(pace.take("users.info", l, now) == milliseconds(5'000));
}

TEST_CASE("two replicas taking from one pace row together stay within its rate", "[.postgres]") {
    testing::temp_db t;
    REQUIRE(t.postgres);
    const storage::slack_pace::limit l{600, 5};  // 100 ms apart, 5 at once
    const std::int64_t start = 1'700'000'000'000, window = 5'000;
    std::atomic<std::int64_t> clock{start};
    std::atomic<int> granted{0};
    std::vector<std::thread> replicas;
    for (int r = 0; r < 2; ++r)
        replicas.emplace_back([&] {
            storage::database db(t.location);
            storage::slack_pace pace(db);
            // A shared simulated clock, advanced by both: each asks 400 times
            // over the window, racing the other on the same row.
            for (int i = 0; i < 400; ++i) {
                auto now = std::min(start + window, clock.fetch_add(7) + 7);
                if (pace.take("chat.postMessage C1", l, now) == milliseconds::zero()) ++granted;
            }
        });
    for (auto& r : replicas) r.join();
    // The burst, then one per 100 ms of the 5 s window: 55 at most; asked far more often, it grants near that.
    CHECK(granted <= 5 + window / 100);
    CHECK(granted >= 50);
}
