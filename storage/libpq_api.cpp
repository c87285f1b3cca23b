#include "storage/libpq_api.hpp"

#include "storage/database.hpp"

#include <dlfcn.h>

#include <mutex>
#include <string>

namespace warroom::storage::pq {

namespace {

void* library() {
    static void* handle = nullptr;
    static std::once_flag once;
    std::call_once(once, [] { handle = ::dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL); });
    if (!handle)
        throw storage_error("PostgreSQL needs libpq (libpq.so.5, Debian's libpq5), which could not be loaded");
    return handle;
}

// The function `name` of libpq, looked up once per function.
template <typename F>
F* symbol(const char* name) {
    void* f = ::dlsym(library(), name);
    if (!f) throw storage_error(std::string("libpq.so.5 has no ") + name + ": an incompatible libpq");
    return reinterpret_cast<F*>(f);
}

}  // namespace

// Each forwards to libpq's own function of the same name.
#define WARROOM_PQ_FORWARD(name, ...)                                  \
    static auto* const f = symbol<decltype(::name)>(#name);            \
    return f(__VA_ARGS__)

PGconn* PQconnectdbParams(const char* const* keywords, const char* const* values, int expand_dbname) {
    WARROOM_PQ_FORWARD(PQconnectdbParams, keywords, values, expand_dbname);
}
void PQfinish(PGconn* conn) { WARROOM_PQ_FORWARD(PQfinish, conn); }
ConnStatusType PQstatus(const PGconn* conn) { WARROOM_PQ_FORWARD(PQstatus, conn); }
PGTransactionStatusType PQtransactionStatus(const PGconn* conn) { WARROOM_PQ_FORWARD(PQtransactionStatus, conn); }
char* PQerrorMessage(const PGconn* conn) { WARROOM_PQ_FORWARD(PQerrorMessage, conn); }
PQnoticeProcessor PQsetNoticeProcessor(PGconn* conn, PQnoticeProcessor proc, void* arg) {
    WARROOM_PQ_FORWARD(PQsetNoticeProcessor, conn, proc, arg);
}
PGresult* PQexec(PGconn* conn, const char* query) { WARROOM_PQ_FORWARD(PQexec, conn, query); }
PGresult* PQprepare(PGconn* conn, const char* name, const char* query, int n_params, const Oid* param_types) {
    WARROOM_PQ_FORWARD(PQprepare, conn, name, query, n_params, param_types);
}
PGresult* PQexecPrepared(PGconn* conn, const char* name, int n_params, const char* const* values, const int* lengths,
                         const int* formats, int result_format) {
    WARROOM_PQ_FORWARD(PQexecPrepared, conn, name, n_params, values, lengths, formats, result_format);
}
ExecStatusType PQresultStatus(const PGresult* res) { WARROOM_PQ_FORWARD(PQresultStatus, res); }
char* PQresultErrorMessage(const PGresult* res) { WARROOM_PQ_FORWARD(PQresultErrorMessage, res); }
char* PQresultErrorField(const PGresult* res, int field) { WARROOM_PQ_FORWARD(PQresultErrorField, res, field); }
int PQntuples(const PGresult* res) { WARROOM_PQ_FORWARD(PQntuples, res); }
char* PQgetvalue(const PGresult* res, int row, int column) { WARROOM_PQ_FORWARD(PQgetvalue, res, row, column); }
int PQgetisnull(const PGresult* res, int row, int column) { WARROOM_PQ_FORWARD(PQgetisnull, res, row, column); }
int PQgetlength(const PGresult* res, int row, int column) { WARROOM_PQ_FORWARD(PQgetlength, res, row, column); }
char* PQcmdStatus(PGresult* res) { WARROOM_PQ_FORWARD(PQcmdStatus, res); }
char* PQcmdTuples(PGresult* res) { WARROOM_PQ_FORWARD(PQcmdTuples, res); }
void PQclear(PGresult* res) { WARROOM_PQ_FORWARD(PQclear, res); }

#undef WARROOM_PQ_FORWARD

}  // namespace warroom::storage::pq
