// The read view's channel index (#16): which incident a channel ID or name
// belongs to, kept as an immutable value that each publish extends.
#include "bot/channel_index.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using warroom::bot::channel_index;

namespace {

std::string name_of(std::int64_t n) { return "incident-20261202-checkout-is-down-" + std::to_string(n); }
std::string id_of(std::int64_t n) { return "C0" + std::to_string(1000000 + n); }

}  // namespace

TEST_CASE("a channel names its incident by ID before name, the newest incident first", "[channel_index]") {
    channel_index none;
    CHECK_FALSE(none.number_of("C1"));
    CHECK_FALSE(none.number_of(""));
    auto idx = none;
    idx.add({{"incident-db", 3, false}, {"C9", 4, true}});
    // A later incident reuses the name (the first was renamed away); its ID is another.
    idx.add({{"incident-db", 7, false}, {"C7", 7, true}});
    CHECK(idx.number_of("incident-db") == 7);
    CHECK(idx.number_of("C9") == 4);
    CHECK(idx.number_of("C7") == 7);
    // A channel whose ID is some incident's and whose name another's: the ID wins.
    idx.add({{"C-shared", 2, true}, {"C-shared", 9, false}});
    CHECK(idx.number_of("C-shared") == 2);
    CHECK_FALSE(idx.number_of("incident-nobody"));
    CHECK(idx.contains({"C9", 4, true}));
    CHECK_FALSE(idx.contains({"C9", 4, false}));
    CHECK_FALSE(idx.contains({"C9", 5, true}));
    CHECK(idx.size() == 6);
    // The copy it was made from is untouched: a reader holding it sees what it saw.
    CHECK_FALSE(none.number_of("incident-db"));
    CHECK(none.size() == 0);
}

TEST_CASE("100,000 incidents' channels added 50 at a time: every one found, older indexes unchanged", "[channel_index]") {
    const std::int64_t total = 50000;  // two keys each
    channel_index idx;
    auto first_buckets = idx.bucket_count();
    channel_index at_1000;
    for (std::int64_t from = 1; from <= total; from += 25) {
        std::vector<channel_index::key> batch;
        for (auto n = from; n < from + 25; ++n) {
            batch.push_back({id_of(n), n, true});
            batch.push_back({name_of(n), n, false});
        }
        idx.add(std::move(batch));
        if (from + 25 == 1001) at_1000 = idx;
    }
    CHECK(idx.size() == static_cast<std::size_t>(2 * total));
    // The buckets grew with the keys: about max_load a bucket, not hundreds.
    CHECK(idx.bucket_count() >= 2 * total / channel_index::max_load / 2);
    CHECK(idx.bucket_count() > first_buckets);
    int wrong = 0;
    for (std::int64_t n = 1; n <= total; ++n)
        if (idx.number_of(id_of(n)) != n || idx.number_of(name_of(n)) != n) ++wrong;
    CHECK(wrong == 0);
    CHECK_FALSE(idx.number_of(id_of(total + 1)));
    // The index a publish replaced still answers as it did then.
    CHECK(at_1000.size() == 2000);
    CHECK(at_1000.number_of(name_of(1000)) == 1000);
    CHECK_FALSE(at_1000.number_of(name_of(1001)));
    // Built at once (the start-up) from the same keys: the same answers.
    std::vector<channel_index::key> all;
    for (std::int64_t n = 1; n <= total; ++n) {
        all.push_back({id_of(n), n, true});
        all.push_back({name_of(n), n, false});
    }
    channel_index loaded(std::move(all));
    CHECK(loaded.size() == idx.size());
    wrong = 0;
    for (std::int64_t n = 1; n <= total; n += 7)
        if (loaded.number_of(id_of(n)) != n || loaded.number_of(name_of(n)) != n) ++wrong;
    CHECK(wrong == 0);
}
