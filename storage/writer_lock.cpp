#include "storage/writer_lock.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/file.h>
#include <unistd.h>

namespace warroom::storage {

namespace {

// What the holder wrote into the file: its pid, for the message.
std::string holder_of(int fd) {
    char buf[32] = {};
    auto n = pread(fd, buf, sizeof buf - 1, 0);
    std::string pid = n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "";
    while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
    return pid;
}

}  // namespace

std::optional<writer_lock> writer_lock::acquire(const std::string& database_path, std::string& why) {
    if (database_path.empty() || database_path == ":memory:") return writer_lock(-1);
    auto path = database_path + ".lock";
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        why = "cannot create the lock file " + path + ": " + std::strerror(errno);
        return std::nullopt;
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int err = errno;
        if (err == EWOULDBLOCK) {
            auto pid = holder_of(fd);
            why = "another warroom (" + (pid.empty() ? std::string("pid unknown") : "pid " + pid) +
                  ") is already using " + database_path +
                  "; two would both fire every timer and send every Slack message. Stop that one first, or give "
                  "this one its own WARROOM_DB (`warroom backup`, `export` and `outbox` work beside it)";
        } else {
            why = "cannot lock " + path + ": " + std::strerror(err);
        }
        ::close(fd);
        return std::nullopt;
    }
    // The pid is only for the second process's message: the lock holds whether or not it is written.
    auto pid = std::to_string(::getpid()) + "\n";
    [[maybe_unused]] auto truncated = ::ftruncate(fd, 0);
    [[maybe_unused]] auto written = ::pwrite(fd, pid.data(), pid.size(), 0);
    return writer_lock(fd);
}

writer_lock::~writer_lock() {
    if (fd_ >= 0) ::close(fd_);  // closing drops the flock
}

}  // namespace warroom::storage
