// One way to run a query: a statement from the connection's cache, its values
// bound in order, its rows read by a callback. Each repository method is then
// its SQL and one line, and a statement is never left holding a read snapshot.
#pragma once

#include "commands/settings.hpp"
#include "storage/database.hpp"


#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace warroom::storage {

// Times are stored as Unix seconds; NULL for a time that is not set.
inline std::int64_t to_unix(commands::time_point t) { return t.time_since_epoch().count(); }
inline commands::time_point from_unix(std::int64_t s) { return commands::time_point{std::chrono::seconds{s}}; }
inline std::optional<commands::time_point> column_time(const column& c) {
    if (c.isNull()) return std::nullopt;
    return from_unix(c.getInt64());
}

// Binds one value by position (1-based) or by name (":name").
template <class T>
void bind_value(statement& q, int index, const T& v) {
    if constexpr (std::is_same_v<T, commands::time_point>)
        q.bind_int(index, to_unix(v));
    else if constexpr (std::is_same_v<T, std::optional<commands::time_point>>) {
        if (v)
            q.bind_int(index, to_unix(*v));
        else
            q.bind_null(index);
    } else if constexpr (std::is_integral_v<T>)
        q.bind_int(index, static_cast<std::int64_t>(v));
    else {
        static_assert(std::is_convertible_v<const T&, std::string_view>, "bind_value: no SQL type for this");
        q.bind_text(index, std::string_view(v));
    }
}
template <class T>
void bind_value(statement& q, const char* name, const T& v) {
    bind_value(q, q.index_of(name), v);
}

class query {
public:
    // `sql` must be constant text: it is the statement cache's key.
    template <class... Args>
    query(database& db, std::string_view sql, const Args&... args) : h_(db.prepare(sql)) {
        bind(args...);
    }

    // Binds `args` to parameters 1, 2, …
    template <class... Args>
    query& bind(const Args&... args) {
        return bind_from(0, args...);
    }
    // Binds `args` to parameters after `first`: first + 1, first + 2, …
    template <class... Args>
    query& bind_from(int first, const Args&... args) {
        int i = first;
        (bind_value(*h_, ++i, args), ...);
        return *this;
    }
    // Binds `values` to parameters first, first + 1, …
    query& bind_list(const std::int64_t* values, std::size_t count, int first = 1) {
        for (std::size_t i = 0; i < count; ++i) (*h_).bind_int(first + static_cast<int>(i), values[i]);
        return *this;
    }
    template <class T>
    query& bind_named(const char* name, const T& v) {
        bind_value(*h_, name, v);
        return *this;
    }

    // Runs a statement that returns no rows: the number of rows it changed.
    // Reset afterwards, so it can run again with new values (run).
    int exec() { return (*h_).exec(); }
    template <class... Args>
    int run(const Args&... args) {
        bind(args...);
        return exec();
    }

    // Calls `f(statement)` for each row.
    template <class F>
    void each_row(F&& f) {
        while ((*h_).step()) f(*h_);
    }
    // `f(statement)` of the first row, if there is one.
    template <class F>
    auto one_row(F&& f) -> std::optional<std::invoke_result_t<F&, statement&>> {
        if (!(*h_).step()) return std::nullopt;
        return f(*h_);
    }
    // `f(statement)` of the row an aggregate (count, min, …) always returns.
    template <class F>
    auto row(F&& f) -> std::invoke_result_t<F&, statement&> {
        if (!(*h_).step()) throw storage_error("no row from " + (*h_).text());
        return f(*h_);
    }
    bool has_row() { return (*h_).step(); }

private:
    statement_handle h_;
};

// `WHERE x IN (…)` over a set of numbers: `before` + "?,?,…,?" + `after`, run
// once per slice of at most in_list_max numbers (SQLite allowed only 999 bound
// parameters before 3.32), `f(statement)` called for each row. The numbers are
// bound, never spliced; a slice is padded to a power of two by repeating its
// last number (harmless in an IN list), so each query has a few texts in the
// statement cache, not one per length. `numbers` sorted and without repeats:
// then rows ordered by x come in order of x across the slices too.
inline constexpr std::size_t in_list_max = 128;
// `before` + `count` copies of `item` separated by ", " + `after` (an IN list,
// a multi-row VALUES), in a buffer of this thread's that the next call
// overwrites: a refresh of one incident runs eight IN queries, and making a
// string for each cost as much as looking its statement up.
std::string_view repeated_sql(std::string_view before, std::string_view item, std::size_t count, std::string_view after);
template <class F>
void each_row_in(database& db, std::string_view before, std::string_view after, const std::vector<std::int64_t>& numbers,
                 F&& f) {
    for (std::size_t at = 0; at < numbers.size(); at += in_list_max) {
        auto count = std::min(in_list_max, numbers.size() - at);
        std::size_t padded = 1;
        while (padded < count) padded *= 2;
        query q(db, repeated_sql(before, "?", padded, after));
        q.bind_list(numbers.data() + at, count);
        for (auto i = count; i < padded; ++i) q.bind_list(numbers.data() + at + count - 1, 1, static_cast<int>(i) + 1);
        q.each_row(f);
    }
}

// The keys of incidents held by number (the details' readers take such a
// map), in order: the list each_row_in wants.
template <class T>
std::vector<std::int64_t> numbers_of(const std::map<std::int64_t, T>& by_number) {
    std::vector<std::int64_t> out;
    out.reserve(by_number.size());
    for (const auto& entry : by_number) out.push_back(entry.first);
    return out;
}

// The number an aggregate such as count(*) returns.
inline std::size_t count_of(database& db, std::string_view sql) {
    return query(db, sql).row([](auto& q) { return static_cast<std::size_t>(q.getColumn(0).getInt64()); });
}

// `SELECT x, count(*) … GROUP BY x`: the counts by x, into `out`.
inline void count_by(database& db, std::string_view sql, std::map<std::string, std::size_t>& out) {
    query(db, sql).each_row(
        [&](auto& q) { out[q.getColumn(0).getString()] = static_cast<std::size_t>(q.getColumn(1).getInt64()); });
}

}  // namespace warroom::storage
