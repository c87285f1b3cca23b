// libpq, loaded when the first PostgreSQL connection is made rather than at
// every start: with it come some twenty libraries (Kerberos, LDAP, GnuTLS...)
// that a SQLite-only warroom would map, relocate and keep resident for
// nothing (issue #16: start-up and idle memory). The calls warroom makes,
// by their libpq names, in namespace pq; the first one loads libpq.so.5
// (Debian's libpq5, a dependency of the package) and throws storage_error
// when it cannot be loaded.
#pragma once

#include <libpq-fe.h>

namespace warroom::storage::pq {

PGconn* PQconnectdbParams(const char* const* keywords, const char* const* values, int expand_dbname);
void PQfinish(PGconn* conn);
ConnStatusType PQstatus(const PGconn* conn);
PGTransactionStatusType PQtransactionStatus(const PGconn* conn);
char* PQerrorMessage(const PGconn* conn);
PQnoticeProcessor PQsetNoticeProcessor(PGconn* conn, PQnoticeProcessor proc, void* arg);
PGresult* PQexec(PGconn* conn, const char* query);
PGresult* PQprepare(PGconn* conn, const char* name, const char* query, int n_params, const Oid* param_types);
PGresult* PQexecPrepared(PGconn* conn, const char* name, int n_params, const char* const* values, const int* lengths,
                         const int* formats, int result_format);
ExecStatusType PQresultStatus(const PGresult* res);
char* PQresultErrorMessage(const PGresult* res);
char* PQresultErrorField(const PGresult* res, int field);
int PQntuples(const PGresult* res);
char* PQgetvalue(const PGresult* res, int row, int column);
int PQgetisnull(const PGresult* res, int row, int column);
int PQgetlength(const PGresult* res, int row, int column);
char* PQcmdStatus(PGresult* res);
char* PQcmdTuples(PGresult* res);
void PQclear(PGresult* res);

}  // namespace warroom::storage::pq
