// One process writes a SQLite file: the service (`serve`) or the console.
// Two of them on one file would both fire every timer and deliver every
// outbox entry, so the second refuses to start. The lock is an flock on
// `<database>.lock`, held for the process's life and dropped by the kernel
// when it dies (even by SIGKILL), so a crash never leaves a stale lock.
// `backup`, `export` and `outbox` do not take it: they work beside a
// running service, as SQLite's own locking allows.
#pragma once

#include <optional>
#include <string>

namespace warroom::storage {

class writer_lock {
public:
    // The lock for `database_path`, or nothing with `why` set to a sentence
    // for the operator (who holds it, or why the lock file cannot be made).
    static std::optional<writer_lock> acquire(const std::string& database_path, std::string& why);

    writer_lock(writer_lock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
    writer_lock& operator=(writer_lock&&) = delete;
    writer_lock(const writer_lock&) = delete;
    ~writer_lock();

private:
    explicit writer_lock(int fd) : fd_(fd) {}
    int fd_;
};

}  // namespace warroom::storage
