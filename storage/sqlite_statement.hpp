// storage::statement over a SQLiteCpp statement.
#pragma once

#include "storage/statement.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

namespace warroom::storage {

class sqlite_statement final : public statement {
public:
    sqlite_statement(SQLite::Database& db, std::string text) : text_(std::move(text)), s_(db, text_) {}

    void bind_int(int index, std::int64_t v) override { s_.bind(index, static_cast<int64_t>(v)); }
    void bind_text(int index, std::string_view v) override { s_.bind(index, std::string(v)); }  // copied (TRANSIENT)
    void bind_null(int index, bool = false) override { s_.bind(index); }
    int index_of(const char* name) override;
    int exec() override {
        int n = s_.exec();
        s_.reset();
        return n;
    }
    bool step() override { return s_.executeStep(); }
    void reset() noexcept override;
    const std::string& text() const override { return text_; }
    std::int64_t column_int64(int index) override { return s_.getColumn(index).getInt64(); }
    std::string column_text(int index) override { return s_.getColumn(index).getString(); }
    bool column_null(int index) override { return s_.getColumn(index).isNull(); }

private:
    std::string text_;
    SQLite::Statement s_;
};

}  // namespace warroom::storage
