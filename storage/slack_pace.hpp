// Slack's rate limits shared by several replicas on one PostgreSQL: a token
// bucket per key (a method, or a method and channel) kept as one row, and a
// token taken with one statement (an upsert with RETURNING) outside any
// transaction, so pacing never waits for the write lock. A replica refused a
// token is told how long until the row would grant one.
#pragma once

#include "storage/database.hpp"

#include <chrono>
#include <cstdint>
#include <string>

namespace warroom::storage {

class slack_pace {
public:
    explicit slack_pace(database& db) : db_(db) {}

    using millis = std::chrono::milliseconds;
    // Calls allowed per minute and how many may go at once (as rate_limiter's limit).
    struct limit {
        double per_minute;
        double burst;
    };
    // Takes a token of `key` at `now_ms` (Unix milliseconds): zero when granted,
    // else how long to wait before asking again.
    millis take(const std::string& key, const limit& l, std::int64_t now_ms);
    // Slack answered 429 with Retry-After: no replica gets a token of `key`
    // before `until_ms`, and then one at a time (the bucket's burst is spent).
    void hold(const std::string& key, const limit& l, std::int64_t until_ms);

private:
    database& db_;
};

}  // namespace warroom::storage
