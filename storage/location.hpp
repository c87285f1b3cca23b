// Where the database is: a SQLite file path or a PostgreSQL URL, and that
// location as it may be shown (logs, errors, /healthz, check-config) with any
// password replaced by "***". Header-only and pure: the config reads it
// without linking the storage library.
#pragma once

#include <string>
#include <string_view>

namespace warroom::storage {

// `postgresql://…` or `postgres://…`: anything else is a SQLite file.
inline bool is_postgres_url(std::string_view location) {
    return location.rfind("postgresql://", 0) == 0 || location.rfind("postgres://", 0) == 0;
}

// The location with any password replaced by "***" (in the user-info part
// and in a `password=` parameter). A SQLite path comes back as it is.
inline std::string redact_location(std::string_view location) {
    std::string out(location);
    if (!is_postgres_url(location)) return out;
    // user:password@host: the password is between the first ':' after "//" and the last '@' of the authority.
    auto start = out.find("//") + 2;
    auto authority_end = out.find_first_of("/?", start);
    if (authority_end == std::string::npos) authority_end = out.size();
    auto at = out.rfind('@', authority_end);
    if (at != std::string::npos && at >= start) {
        auto colon = out.find(':', start);
        if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
    }
    // ?password=… or &password=…
    for (std::size_t p = out.find("password="); p != std::string::npos; p = out.find("password=", p + 1)) {
        if (p == 0 || (out[p - 1] != '?' && out[p - 1] != '&')) continue;
        auto value = p + 9;
        auto end = out.find('&', value);
        if (end == std::string::npos) end = out.size();
        out.replace(value, end - value, "***");
    }
    return out;
}

// The password the location carries (user-info or `password=`), or "": the
// log filter is given it too, so no code path can print it.
inline std::string password_in(std::string_view location) {
    if (!is_postgres_url(location)) return {};
    std::string plain(location), shown = redact_location(location);
    // Where the two differ is the password (the first place; the second, if any, is found next).
    std::size_t i = 0;
    while (i < plain.size() && i < shown.size() && plain[i] == shown[i]) ++i;
    if (i >= plain.size()) return {};
    auto end = plain.find_first_of("@&", i);
    return plain.substr(i, (end == std::string::npos ? plain.size() : end) - i);
}

}  // namespace warroom::storage
