// A PostgreSQL connection through libpq's C API, and storage::statement over
// it. libpq rather than libpqxx: Debian 12's libpqxx is 6.4 (pre-C++17 API),
// and all we need is prepare / execute / read text behind our own `query`.
//
// Statements are prepared on the server once per connection, named, with
// `?` placeholders rewritten to `$n` once (pg_sql.hpp). Their parameter
// types are those of the first values bound (BIGINT or TEXT): the table
// classes bind the same C++ types at each call site, and explicit types let
// PostgreSQL accept `CASE WHEN … THEN $n END` and the like.
//
// A lost connection (server restart, failover) throws database_unavailable
// and is re-made on the next use, so the caller's retry goes to the server
// the URL names now; each statement is prepared again on the new connection.
#pragma once

#include "storage/statement.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct pg_conn;
struct pg_result;

namespace warroom::storage {

class pg_connection {
public:
    // Connects; throws database_unavailable (saying the redacted URL) when it cannot.
    explicit pg_connection(std::string url);
    ~pg_connection();
    pg_connection(const pg_connection&) = delete;
    pg_connection& operator=(const pg_connection&) = delete;

    // The live connection, reconnecting first if it was lost; throws
    // database_unavailable. After a failed attempt the next waits (0.25 s,
    // doubling to 5 s): until then every use fails at once, so a command
    // during an outage is answered at once rather than after a timeout.
    pg_conn* get();
    // Bumped at each new connection: prepared statements belong to one.
    std::uint64_t generation() const { return generation_; }
    // Runs SQL that returns nothing; throws storage_error / database_unavailable.
    void execute(const std::string& sql);
    // COMMIT, refusing PostgreSQL's quiet ROLLBACK of a transaction an earlier error aborted.
    void commit();
    // Checks and frees a result: returns when it succeeded, else throws.
    // A connection-class failure drops the connection for the next get().
    void check(pg_result* r, std::string_view what);
    std::string next_statement_name() { return "w" + std::to_string(++statements_); }
    const std::string& display() const { return display_; }
    bool in_transaction() const;

private:
    void connect();

    std::string url_;
    // While the server is away: when to try connecting again, and why it failed.
    std::chrono::steady_clock::time_point retry_at_{};
    std::optional<std::chrono::steady_clock::time_point> down_since_;
    int failures_ = 0;
    std::string last_error_;
    std::string display_;
    pg_conn* conn_ = nullptr;
    std::uint64_t generation_ = 0;
    std::uint64_t statements_ = 0;
};

class pg_statement final : public statement {
public:
    pg_statement(pg_connection& c, std::string text);
    ~pg_statement() override;

    void bind_int(int index, std::int64_t v) override;
    void bind_text(int index, std::string_view v) override;
    void bind_null(int index, bool text = false) override;
    int index_of(const char* name) override;
    int exec() override;
    bool step() override;
    void reset() noexcept override;
    const std::string& text() const override { return text_; }
    std::int64_t column_int64(int index) override;
    std::string column_text(int index) override;
    bool column_null(int index) override;

private:
    void run();
    void slot(int index);

    pg_connection& c_;
    std::string text_;
    std::string pg_text_;
    std::map<std::string, int> names_;
    std::string name_;
    std::uint64_t prepared_on_ = 0;  // the connection generation, 0: not prepared
    std::vector<std::string> values_;
    std::vector<char> null_;
    std::vector<unsigned> types_;
    pg_result* result_ = nullptr;
    int row_ = -1;
};

}  // namespace warroom::storage
