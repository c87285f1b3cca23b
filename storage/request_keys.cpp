#include "storage/request_keys.hpp"

#include "storage/statements.hpp"

namespace warroom::storage {

bool request_keys::remember(const std::string& key, commands::time_point now) {
    return query(db_, "INSERT INTO seen_requests (key, seen_at) VALUES (?, ?) ON CONFLICT (key) DO NOTHING", key, now).exec() == 1;
}

bool request_keys::seen(const std::string& key) {
    return query(db_, "SELECT 1 FROM seen_requests WHERE key = ?", key).has_row();
}

void request_keys::forget_before(commands::time_point cutoff) {
    query(db_, "DELETE FROM seen_requests WHERE seen_at < ?", cutoff).exec();
}

}  // namespace warroom::storage
