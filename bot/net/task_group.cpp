#include "bot/net/task_group.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include <spdlog/spdlog.h>

#include <map>

namespace warroom::net {

namespace asio = boost::asio;

struct task_group::task {
    std::string name;
    std::function<void(std::string_view)> on_error;
    asio::cancellation_signal signal;
};

task_group::task_group(asio::any_io_executor ex) : ex_(std::move(ex)) {}

task_group::~task_group() {
    if (!tasks_.empty())
        spdlog::critical("task group destroyed with {} tasks still running ({}): a lifetime bug", tasks_.size(),
                         names());
}

void task_group::spawn(std::string name, asio::awaitable<void> work, std::function<void(std::string_view)> on_error) {
    if (cancelled_) {
        spdlog::info("stopping: {} not started", name);
        return;
    }
    auto it = tasks_.emplace(tasks_.end());
    it->name = std::move(name);
    it->on_error = std::move(on_error);
    asio::co_spawn(ex_, std::move(work),
                   asio::bind_cancellation_slot(it->signal.slot(),
                                                [this, it](std::exception_ptr e) { ended(it, std::move(e)); }));
}

void task_group::ended(std::list<task>::iterator it, std::exception_ptr e) {
    if (e) {
        std::string what = "unknown exception";
        bool by_stop = false;
        try {
            std::rethrow_exception(e);
        } catch (const boost::system::system_error& ex) {
            by_stop = cancelled_ && ex.code() == asio::error::operation_aborted;
            what = ex.what();
        } catch (const std::exception& ex) {
            what = ex.what();
        } catch (...) {
        }
        if (by_stop) {
            spdlog::debug("{}: cancelled by the stop", it->name);
        } else {
            spdlog::critical("{} stopped on an unexpected error: {}", it->name, what);
            if (it->on_error) it->on_error(what);
        }
    }
    tasks_.erase(it);
    if (tasks_.empty()) {
        auto wake = std::move(waiters_);
        waiters_.clear();
        for (auto& w : wake) w();
    }
}

void task_group::cancel() {
    if (cancelled_) return;
    cancelled_ = true;
    if (!tasks_.empty()) spdlog::info("stopping: cancelling {} task(s): {}", tasks_.size(), names());
    // A handler may end its task at once and erase it: step past it first.
    for (auto it = tasks_.begin(); it != tasks_.end();) {
        auto& sig = (it++)->signal;
        sig.emit(asio::cancellation_type::terminal);
    }
}

std::string task_group::names() const {
    std::map<std::string_view, int> count;
    for (const auto& t : tasks_) ++count[t.name];
    std::string out;
    for (const auto& [name, n] : count) {
        if (!out.empty()) out += ", ";
        out += name;
        if (n > 1) out += " (" + std::to_string(n) + ")";
    }
    return out;
}

asio::awaitable<bool> task_group::wait_empty(std::chrono::steady_clock::duration limit) {
    if (tasks_.empty()) co_return true;
    asio::steady_timer timer(ex_, limit);
    bool woken = false;  // by ended(), which has then taken this waiter off the list
    auto me = waiters_.insert(waiters_.end(), [&timer, &woken] {
        woken = true;
        timer.cancel();
    });
    // Unlisted however the wait ends, so the last task's end never touches a dead timer.
    struct unlist {
        std::list<std::function<void()>>& all;
        std::list<std::function<void()>>::iterator me;
        const bool& woken;
        ~unlist() {
            if (!woken) all.erase(me);
        }
    } guard{waiters_, me, woken};
    auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    (void)ec;
    co_return tasks_.empty();
}

}  // namespace warroom::net
