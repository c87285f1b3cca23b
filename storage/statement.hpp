// A prepared statement and its result rows, whichever database runs them:
// the table classes bind values and read columns through this and never see
// SQLite's or libpq's own types. SQLite steps its statement; PostgreSQL runs
// it once and walks the rows it returned (all text, parsed on reading).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace warroom::storage {

class statement;

// One value of the current row, read as the caller needs it. NULL reads as
// 0 or "" (as SQLite does); isNull() tells them apart.
class column {
public:
    column(statement& s, int index) : s_(&s), i_(index) {}
    std::int64_t getInt64() const;
    int getInt() const { return static_cast<int>(getInt64()); }
    std::string getString() const;
    bool isNull() const;

private:
    statement* s_;
    int i_;
};

class statement {
public:
    virtual ~statement() = default;
    statement() = default;
    statement(const statement&) = delete;
    statement& operator=(const statement&) = delete;

    // Parameters are 1-based, as in SQL's `?1`.
    virtual void bind_int(int index, std::int64_t v) = 0;
    virtual void bind_text(int index, std::string_view v) = 0;
    // NULL; `text` says which type of column it goes to (PostgreSQL types its parameters).
    virtual void bind_null(int index, bool text = false) = 0;
    // The index of a named parameter (":name"); throws storage_error if the statement has none such.
    virtual int index_of(const char* name) = 0;

    // Runs a statement that returns no rows: the number of rows it changed.
    virtual int exec() = 0;
    // The next row, or false when there is none (the statement runs on the first call).
    virtual bool step() = 0;
    // Ready to run again: results and bindings cleared. Never throws.
    virtual void reset() noexcept = 0;
    // The text as written by the caller (the cache key).
    virtual const std::string& text() const = 0;

    column getColumn(int index) { return column(*this, index); }

    virtual std::int64_t column_int64(int index) = 0;
    virtual std::string column_text(int index) = 0;
    virtual bool column_null(int index) = 0;
};

inline std::int64_t column::getInt64() const { return s_->column_int64(i_); }
inline std::string column::getString() const { return s_->column_text(i_); }
inline bool column::isNull() const { return s_->column_null(i_); }

}  // namespace warroom::storage
