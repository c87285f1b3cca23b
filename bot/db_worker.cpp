// The database thread's loop: urgent jobs, then group-commit the commands waiting, then the other jobs.
#include "bot/db_worker.hpp"

#include <spdlog/spdlog.h>

namespace warroom::bot {

// The thread's interface stays closed: a named store_ops operation goes in, a
// lambda over the runtime does not (issue #11). Checked both ways, so the
// refusal cannot be an accident of the probe.
template <class W>
concept runs_named_operations = requires(W& w) { w.run(&store_ops::home, std::string()); };
template <class W>
concept runs_any_lambda = requires(W& w) { w.run([](runtime& rt) { return rt.home(""); }); };
static_assert(runs_named_operations<db_worker>);
static_assert(!runs_any_lambda<db_worker>);

db_worker::db_worker(runtime& rt) : ops_(rt), thread_([this] { loop(); }) {}

db_worker::~db_worker() { stop(); }

void db_worker::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    cv_.notify_one();
    if (thread_.joinable()) thread_.join();
}

void db_worker::enqueue(lane where, job j) {
    {
        std::lock_guard lock(mutex_);
        (where == lane::before_commands ? first_ : jobs_).push_back(std::move(j));
    }
    cv_.notify_one();
}

void db_worker::enqueue(command c) {
    {
        std::lock_guard lock(mutex_);
        commands_.push_back(std::move(c));
    }
    cv_.notify_one();
}

net::task<commands::outcome> db_worker::submit(commands::request req) {
    // A named lambda, not a temporary inside the co_await expression: GCC 12
    // copies such temporaries into the frame bytewise, breaking their strings.
    auto start = [this, req = std::move(req)](net::resume_with<commands::outcome> resume) mutable {
        enqueue(command{std::move(req), [resume = std::move(resume)](commands::outcome m) {
                            resume(nullptr, std::move(m));
                        }});
    };
    co_return co_await net::from_elsewhere<commands::outcome>(std::move(start));
}

void db_worker::loop() {
    for (;;) {
        std::vector<command> batch;
        std::deque<job> first, jobs;
        {
            std::unique_lock lock(mutex_);
            cv_.wait(lock, [&] { return stopping_ || !commands_.empty() || !jobs_.empty() || !first_.empty(); });
            if (commands_.empty() && jobs_.empty() && first_.empty() && stopping_) return;
            first.swap(first_);
            batch.swap(commands_);
            jobs.swap(jobs_);
        }
        for (auto& j : first) j(ops_);
        if (!batch.empty()) {
            largest_batch_ = std::max(largest_batch_, batch.size());
            std::vector<commands::request> reqs;
            reqs.reserve(batch.size());
            for (auto& c : batch) reqs.push_back(std::move(c.req));
            // One transaction, one fsync; every caller hears back only after it.
            auto replies = ops_.handle_batch(reqs);
            // Published before any caller resumes: a declare's answer implies its `show` sees it.
            ops_.publish_view();
            for (std::size_t i = 0; i < batch.size(); ++i) batch[i].done(std::move(replies[i]));
        }
        for (auto& j : jobs) j(ops_);
    }
}

}  // namespace warroom::bot
