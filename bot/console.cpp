// The console transport: stdin lines in, outbox actions printed as Slack would show them.
#include "bot/console.hpp"

#include "bot/customer/notices.hpp"
#include "bot/email/message.hpp"
#include "bot/runtime.hpp"
#include "bot/store_ops.hpp"
#include "commands/text.hpp"
#include "storage/location.hpp"
#include "storage/writer_lock.hpp"
#include "templates/slack_text.hpp"

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <deque>
#include <iostream>
#include <memory>
#include <mutex>
#include <thread>

namespace warroom::bot {

namespace {

constexpr const char* console_user = "ULOCAL";
constexpr const char* console_channel = "CLOCAL";

// Lines from the reader thread; the main thread waits on them or on the next deadline.
class line_queue {
public:
    void push(std::string line) {
        {
            std::lock_guard lock(mutex_);
            lines_.push_back(std::move(line));
        }
        cv_.notify_one();
    }
    void close() {
        {
            std::lock_guard lock(mutex_);
            closed_ = true;
        }
        cv_.notify_one();
    }
    // A line, or nothing when the deadline passed first or input ended.
    std::optional<std::string> wait_until(std::optional<std::chrono::system_clock::time_point> deadline, bool& ended) {
        std::unique_lock lock(mutex_);
        auto ready = [&] { return !lines_.empty() || closed_; };
        if (deadline)
            cv_.wait_until(lock, *deadline, ready);
        else
            cv_.wait(lock, ready);
        if (!lines_.empty()) {
            auto line = std::move(lines_.front());
            lines_.pop_front();
            return line;
        }
        ended = closed_;
        return std::nullopt;
    }

private:
    std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<std::string> lines_;
    bool closed_ = false;
};

void print(std::ostream& out, const std::string& where, const std::string& mrkdwn) {
    std::string text = templates::to_plain(mrkdwn);
    out << "[" << where << "] ";
    for (char c : text) {
        out << c;
        if (c == '\n') out << "    ";
    }
    out << "\n";
}

std::string channel_label(const std::string& name_or_id) {
    return name_or_id.empty() || name_or_id[0] == '#' ? name_or_id : "#" + name_or_id;
}

// The terminal stands in for the SMTP server and Statuspage: a queued e-mail
// is printed as its reader would get it (recipients, subject, threading, the
// plain part), a Statuspage update as it would show. False: not one of theirs.
bool print_customer_notice(const config& cfg, const storage::integration_entry& e, std::ostream& out) {
    if (e.act.destination == customer::email_destination) {
        auto mail = customer::read_mail(e.act.payload);
        if (!mail) return false;
        auto m = email::build_mail(cfg.email, cfg.install_id, *mail);
        std::string to;
        for (const auto& a : m.to) to += (to.empty() ? "" : ", ") + a;
        out << "[e-mail to " << to << "] Subject: " << m.subject << "\n    Message-ID: " << m.message_id;
        if (m.message_id != m.thread_id) out << " (In-Reply-To: " << m.thread_id << ")";
        out << "\n    ";
        std::string text = m.text;
        while (!text.empty() && text.back() == '\n') text.pop_back();
        for (char c : text) {
            out << c;
            if (c == '\n') out << "    ";
        }
        out << "\n";
        return true;
    }
    if (e.act.destination == customer::statuspage_destination) {
        auto pub = customer::read_publication(e.act.payload);
        if (!pub) return false;
        out << "[statuspage] " << statuspage::to_string(pub->status) << " \"" << pub->name << "\" (impact "
            << statuspage::to_string(pub->impact) << ")" << (pub->body.empty() ? "" : ": " + pub->body) << "\n";
        return true;
    }
    return false;
}

// Delivers the outbox to the terminal, in order, as Slack would show it:
// through store_ops, like the service's delivery.
void deliver(runtime& rt, const config& cfg, std::ostream& out) {
    store_ops ops(rt);
    for (;;) {
        auto round = ops.read_outbox_round(rt.time().now(), 100);
        if (round.entries.empty()) break;
        for (const auto& entry : round.entries) {
            const auto& a = entry.act;
            auto found = round.incidents.find(a.incident);
            const commands::incident* inc = found == round.incidents.end() ? nullptr : &found->second;
            std::string own = inc ? channel_label(inc->channel_name) : "#console";
            std::string where = a.channel.empty() ? own : channel_label(a.channel);
            switch (a.kind) {
                case commands::action_kind::create_channel: {
                    // The terminal "creates" the channel at once: its ID is its name.
                    if (inc) ops.set_channel(inc->number, inc->channel_name, inc->channel_name);
                    std::string users;
                    for (const auto& u : a.users) users += " @" + u;
                    out << "[" << own << "] (channel created; invited" << users << ")\n";
                    break;
                }
                case commands::action_kind::invite:
                    for (const auto& u : a.users) out << "[" << own << "] (invited @" << u << ")\n";
                    break;
                case commands::action_kind::set_topic:
                    print(out, own, "(topic) " + a.topic);
                    break;
                case commands::action_kind::post:
                    print(out, where, a.pin ? a.body.text + "\n(pinned)" : a.body.text);
                    break;
                case commands::action_kind::update_summary:
                    // The whole summary again would drown the change that caused it.
                    out << "[" << own << "] (pinned summary updated)\n";
                    break;
                case commands::action_kind::direct_message:
                    print(out, "DM @" + (a.users.empty() ? std::string() : a.users.front()), a.body.text);
                    break;
                case commands::action_kind::archive_channel:
                    out << "[" << own << "] (channel archived)\n";
                    break;
                case commands::action_kind::unarchive_channel:
                    out << "[" << own << "] (channel unarchived)\n";
                    break;
            }
            store_ops::delivery_outcome done;
            done.id = entry.id;
            done.incident = a.incident;
            done.now = rt.time().now();
            ops.record_outcome(std::move(done));
        }
    }
    // Pages (and the other destinations besides Slack) as the lines a log
    // would show: "[pagerduty payments-oncall] trigger INC-3 [P1] …". The
    // console sends nothing, so a newcomer sees whom warroom would wake
    // without an account anywhere.
    for (;;) {
        auto round = ops.read_integration_round(rt.time().now(), 100);
        if (round.entries.empty()) break;
        for (const auto& entry : round.entries) {
            if (!print_customer_notice(cfg, entry, out)) out << entry.act.summary << "\n";
            store_ops::integration_outcome done;
            done.id = entry.id;
            done.now = rt.time().now();
            ops.record_integration_outcome(std::move(done));
        }
    }
    out.flush();
}

}  // namespace

int run_console(const config& cfg, std::istream& in, std::ostream& out) {
    std::string why_not;
    bool shared = storage::is_postgres_url(cfg.db_path);
    auto only_writer = shared ? std::optional<storage::writer_lock>()
                              : storage::writer_lock::acquire(cfg.db_path, why_not);
    if (!shared && !only_writer) {
        std::cerr << "warroom console: " << why_not << ".\n";
        return 2;
    }
    system_clock clk;
    runtime rt(cfg, clk);
    out << "warroom console: type /incident commands (e.g. `declare P1 checkout is down`, `help`); "
           "end of input quits.\n";
    deliver(rt, cfg, out);  // anything left from an earlier run

    // Shared so that a reader still blocked on a terminal after "quit" can be
    // left behind safely.
    auto queue = std::make_shared<line_queue>();
    std::thread reader([queue, &in] {
        std::string line;
        while (std::getline(in, line)) queue->push(line);
        queue->close();
    });

    for (;;) {
        if (rt.fire_due() > 0) deliver(rt, cfg, out);
        std::optional<std::chrono::system_clock::time_point> wake;
        if (auto next = rt.next_deadline()) wake = std::chrono::system_clock::time_point(*next);
        bool ended = false;
        auto line = queue->wait_until(wake, ended);
        if (ended) {
            reader.join();
            break;
        }
        if (!line) continue;
        std::string text = commands::trim(*line);
        if (text.empty() || text[0] == '#') continue;  // blank lines and comments in scripts
        if (text == "quit" || text == "exit") break;
        auto reply = rt.handle({console_user, console_channel, text}).reply;
        deliver(rt, cfg, out);
            if (!reply.text.empty()) print(out, "only you", reply.text);
        // A pipe is block-buffered: without this the answer waits for the next delivery.
        out.flush();
    }
    if (reader.joinable()) reader.detach();
    return 0;
}

}  // namespace warroom::bot
