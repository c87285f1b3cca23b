#include "storage/pg_connection.hpp"

#include "storage/database.hpp"
#include "storage/pg_sql.hpp"

#include "storage/libpq_api.hpp"
#include <spdlog/spdlog.h>

#include <charconv>
#include <cstring>

namespace warroom::storage {

namespace {

constexpr Oid int8_oid = 20;
constexpr Oid text_oid = 25;

// Failures that say the server is away or has become a standby, not that
// the SQL is wrong: the connection is dropped and the caller may retry.
bool is_unavailability(const char* sqlstate) {
    if (!sqlstate) return true;  // no SQLSTATE: libpq itself failed (the socket)
    std::string_view s(sqlstate);
    return s.rfind("08", 0) == 0      // connection exception
           || s == "57P01" || s == "57P02" || s == "57P03"  // shutdown, crash, starting up
           || s == "25006"                                  // read-only transaction: a standby after failover
           || s == "40001" || s == "40P01";                 // serialization failure, deadlock: retry
}

std::string trimmed(const char* msg) {
    std::string s = msg ? msg : "";
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}

void ignore_notice(void*, const char* message) { spdlog::debug("PostgreSQL: {}", trimmed(message)); }

}  // namespace

pg_connection::pg_connection(std::string url) : url_(std::move(url)), display_(redact_location(url_)) { connect(); }

pg_connection::~pg_connection() {
    if (conn_) pq::PQfinish(conn_);
}

void pg_connection::connect() {
    if (conn_) {
        pq::PQfinish(conn_);
        conn_ = nullptr;
    }
    // The URL's own settings win (they come later); these are defaults.
    const char* keys[] = {"connect_timeout", "fallback_application_name", "dbname", nullptr};
    const char* values[] = {"5", "warroom", url_.c_str(), nullptr};
    PGconn* c = pq::PQconnectdbParams(keys, values, 1);
    if (!c || pq::PQstatus(c) != CONNECTION_OK) {
        // libpq's message names host and user, never the password.
        std::string why = c ? trimmed(pq::PQerrorMessage(c)) : "out of memory";
        if (c) pq::PQfinish(c);
        throw database_unavailable("cannot connect to PostgreSQL at " + display_ + ": " + why);
    }
    pq::PQsetNoticeProcessor(c, ignore_notice, nullptr);
    conn_ = c;
    ++generation_;
}

pg_conn* pg_connection::get() {
    if (conn_ && pq::PQstatus(conn_) == CONNECTION_OK) return conn_;
    auto now = std::chrono::steady_clock::now();
    if (!down_since_) {
        down_since_ = now;
        spdlog::warn("lost the connection to PostgreSQL at {}; reconnecting", display_);
    }
    if (failures_ > 0 && now < retry_at_) throw database_unavailable(last_error_);
    try {
        connect();
    } catch (const database_unavailable& e) {
        ++failures_;
        auto wait = std::min<std::chrono::milliseconds>(std::chrono::milliseconds(250L << std::min(failures_ - 1, 5)),
                                                        std::chrono::seconds(5));
        retry_at_ = now + wait;
        last_error_ = e.what();
        if (failures_ == 1) spdlog::error("{}; retrying with backoff (up to every 5 s)", last_error_);
        throw;
    }
    auto down = std::chrono::duration_cast<std::chrono::milliseconds>(now - *down_since_);
    spdlog::info("reconnected to PostgreSQL at {} after {} ms ({} failed attempts)", display_, down.count(), failures_);
    down_since_.reset();
    failures_ = 0;
    return conn_;
}

bool pg_connection::in_transaction() const {
    return conn_ && pq::PQstatus(conn_) == CONNECTION_OK && pq::PQtransactionStatus(conn_) != PQTRANS_IDLE;
}

void pg_connection::check(pg_result* r, std::string_view what) {
    auto status = r ? pq::PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
        pq::PQclear(r);
        return;
    }
    // Copied out before the result is freed.
    const char* state = r ? pq::PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
    std::string code = state ? std::string(state) : std::string();
    std::string why = trimmed(r ? pq::PQresultErrorMessage(r) : pq::PQerrorMessage(conn_));
    if (why.empty()) why = trimmed(pq::PQerrorMessage(conn_));
    if (r) pq::PQclear(r);
    bool lost = !conn_ || pq::PQstatus(conn_) != CONNECTION_OK;
    if (lost || is_unavailability(code.empty() ? nullptr : code.c_str())) {
        // Whatever the server was doing for us is gone with the connection; the next use connects afresh.
        if (conn_) {
            pq::PQfinish(conn_);
            conn_ = nullptr;
        }
        throw database_unavailable("PostgreSQL at " + display_ + " is unavailable (" + std::string(what) + "): " +
                                   (code.empty() ? "" : code + " ") + why);
    }
    throw storage_error("PostgreSQL: " + std::string(what) + " failed: " + (code.empty() ? "" : code + " ") + why);
}

void pg_connection::execute(const std::string& sql) {
    auto* c = get();
    check(pq::PQexec(c, sql.c_str()), sql.size() > 60 ? std::string_view(sql).substr(0, 60) : std::string_view(sql));
}

void pg_connection::commit() {
    auto* c = get();
    auto* r = pq::PQexec(c, "COMMIT");
    bool rolled_back = r && pq::PQresultStatus(r) == PGRES_COMMAND_OK && std::strcmp(pq::PQcmdStatus(r), "ROLLBACK") == 0;
    check(r, "COMMIT");
    if (rolled_back) throw storage_error("PostgreSQL rolled the transaction back: a statement in it had failed");
}

pg_statement::pg_statement(pg_connection& c, std::string text) : c_(c), text_(std::move(text)) {
    auto r = rewrite_placeholders(text_);
    pg_text_ = std::move(r.sql);
    names_ = std::move(r.names);
    values_.resize(static_cast<std::size_t>(r.count));
    null_.assign(static_cast<std::size_t>(r.count), 1);
    types_.assign(static_cast<std::size_t>(r.count), 0);
}

pg_statement::~pg_statement() {
    if (result_) pq::PQclear(result_);
}

void pg_statement::slot(int index) {
    if (index < 1 || index > static_cast<int>(values_.size()))
        throw storage_error("parameter " + std::to_string(index) + " out of range in " + text_);
}

void pg_statement::bind_int(int index, std::int64_t v) {
    slot(index);
    auto i = static_cast<std::size_t>(index - 1);
    values_[i] = std::to_string(v);
    null_[i] = 0;
    if (!types_[i]) types_[i] = int8_oid;
}

void pg_statement::bind_text(int index, std::string_view v) {
    slot(index);
    auto i = static_cast<std::size_t>(index - 1);
    values_[i].assign(v);
    null_[i] = 0;
    if (!types_[i]) types_[i] = text_oid;
}

void pg_statement::bind_null(int index, bool text) {
    slot(index);
    auto i = static_cast<std::size_t>(index - 1);
    null_[i] = 1;
    if (!types_[i]) types_[i] = text ? text_oid : int8_oid;
}

int pg_statement::index_of(const char* name) {
    auto it = names_.find(name);
    if (it == names_.end()) throw storage_error(std::string("no parameter ") + name + " in " + text_);
    return it->second;
}

void pg_statement::run() {
    if (result_) {
        pq::PQclear(result_);
        result_ = nullptr;
    }
    auto* conn = c_.get();
    if (prepared_on_ != c_.generation()) {
        if (name_.empty()) name_ = c_.next_statement_name();
        c_.check(pq::PQprepare(conn, name_.c_str(), pg_text_.c_str(), static_cast<int>(types_.size()),
                           types_.empty() ? nullptr : types_.data()),
                 "preparing " + text_.substr(0, 80));
        prepared_on_ = c_.generation();
    }
    std::vector<const char*> params(values_.size());
    for (std::size_t i = 0; i < values_.size(); ++i) params[i] = null_[i] ? nullptr : values_[i].c_str();
    auto* r = pq::PQexecPrepared(conn, name_.c_str(), static_cast<int>(params.size()),
                             params.empty() ? nullptr : params.data(), nullptr, nullptr, 0);
    auto status = r ? pq::PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        c_.check(r, text_.substr(0, 80));
        return;  // not reached: check throws
    }
    result_ = r;
    row_ = -1;
}

int pg_statement::exec() {
    run();
    int n = 0;
    const char* tuples = pq::PQcmdTuples(result_);
    if (tuples && *tuples) std::from_chars(tuples, tuples + std::strlen(tuples), n);
    reset();
    return n;
}

bool pg_statement::step() {
    if (!result_) run();
    ++row_;
    return row_ < pq::PQntuples(result_);
}

void pg_statement::reset() noexcept {
    if (result_) {
        pq::PQclear(result_);
        result_ = nullptr;
    }
    row_ = -1;
    std::fill(null_.begin(), null_.end(), 1);
}

std::int64_t pg_statement::column_int64(int index) {
    if (!result_ || row_ < 0 || pq::PQgetisnull(result_, row_, index)) return 0;
    const char* v = pq::PQgetvalue(result_, row_, index);
    std::int64_t out = 0;
    std::from_chars(v, v + std::strlen(v), out);
    return out;
}

std::string pg_statement::column_text(int index) {
    if (!result_ || row_ < 0) return {};
    return std::string(pq::PQgetvalue(result_, row_, index), static_cast<std::size_t>(pq::PQgetlength(result_, row_, index)));
}

bool pg_statement::column_null(int index) { return !result_ || row_ < 0 || pq::PQgetisnull(result_, row_, index); }

}  // namespace warroom::storage
